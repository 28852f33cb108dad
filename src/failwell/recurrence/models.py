"""Tables of this slice (none yet)."""
