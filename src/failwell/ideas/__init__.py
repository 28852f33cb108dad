"""Ideas from anyone: improvements proposed by any role, supported, discussed, and turned into
corrective actions (crediting the proposer) or closed with a reason."""
