"""The domain of the OutSales Gmail integration, shared by every Lambda function through one layer.

Handlers under ``functions/`` parse an event, call one use case from here and shape the answer; everything the
service knows about OAuth, mailboxes, sending, replies and Gmail lives in this package.
"""
