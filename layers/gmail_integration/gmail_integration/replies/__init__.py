"""Reply detection: what a new message in a thread the service sent into means for the email it answers."""
