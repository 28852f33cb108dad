"""The audit trail: who changed configuration, roles, tokens, integrations, channels and
subscriptions, what they changed (before and after, secrets masked), and every publish, delete
and permission refusal. Append-only; old entries go only by the retention purge."""
