"""Google's OAuth 2.0 for web server applications: authorization page, token, revoke and tokeninfo endpoints."""
