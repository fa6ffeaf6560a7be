"""Web Push: subscriptions, pushes for cases, campaigns and follow-ups (all through the outbox)."""
