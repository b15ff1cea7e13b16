"""The Cloud Pub/Sub side of Gmail push: topics fed by `users.watch`, push subscriptions, Google-signed OIDC tokens."""
