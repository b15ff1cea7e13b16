"""What the HTTP handlers share: the resolver with its error shapes, and the caller's workspace from the JWT."""
