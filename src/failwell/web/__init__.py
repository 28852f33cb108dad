"""Server-rendered pages: templates, sign-in sessions, CSRF, forms. Each slice adds its pages."""
