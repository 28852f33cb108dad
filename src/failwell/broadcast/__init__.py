"""Broadcasting the learning: subscriptions, channels, the outbox and its worker, digests and feeds."""
