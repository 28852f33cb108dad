"""Inbound integrations: CI/CD and alerting webhooks, and failure links with provenance."""
