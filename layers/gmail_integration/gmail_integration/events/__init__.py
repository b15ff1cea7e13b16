"""Telling upstream systems what happened, through the service's EventBridge bus."""
