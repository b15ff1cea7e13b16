"""The Gmail API under /gmail/v1/, routed and checked by the discovery document."""
