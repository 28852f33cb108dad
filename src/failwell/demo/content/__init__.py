"""The demo organisation's texts: teams, people, services and the failures they live through.

Scenario texts may use these placeholders, filled in by the loader: {service} (the
affected service), {team} (its owning team), {partners} and {consumers} (who depends
on it) and, for failed deployments, {version}. Reviews describe systems and
conditions, never a person's fault.
"""
