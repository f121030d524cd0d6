"""After-sales forms: surveys."""
