"""A workspace's Gmail connection: connect, status, disconnect, and the vault that keeps its refresh token."""
