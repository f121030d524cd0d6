"""After-sales forms: service."""
