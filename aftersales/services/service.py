"""After-sales services: service."""
