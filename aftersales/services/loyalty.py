"""After-sales services: loyalty."""
