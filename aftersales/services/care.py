"""After-sales services: care."""
