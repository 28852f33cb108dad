"""HTML pages: one module (or package) per slice, above every domain slice."""
