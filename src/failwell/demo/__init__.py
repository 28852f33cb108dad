"""A deterministic demo organisation: teams, services, two years of deployments and failures."""
