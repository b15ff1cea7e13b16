"""Sending approved emails: the gates, parking and re-drive, the message itself, exactly-once delivery to Gmail."""
