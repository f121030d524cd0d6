"""After-sales services: surveys."""
