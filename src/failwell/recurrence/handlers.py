"""Handlers of domain events (see failwell.events), run in the unit of work that raised them."""
