"""After-sales services: owners."""
