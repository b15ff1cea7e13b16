"""Google OAuth 2.0 for web server apps: the consent URL with PKCE, the single-use state, the code exchange, revoke."""
