"""After-sales forms: care."""
