"""After-sales forms: campaigns."""
