"""After-sales services: campaigns."""
