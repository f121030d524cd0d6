"""After-sales forms: owners."""
