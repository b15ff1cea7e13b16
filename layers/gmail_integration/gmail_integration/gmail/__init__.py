"""The Google adapter: the Gmail API through google-api-python-client, and what its errors mean for the service."""
