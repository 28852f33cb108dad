"""Forms: the kit (base.py) and, per slice, the mapping between a form and its schema."""
