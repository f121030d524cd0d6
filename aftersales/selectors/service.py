"""After-sales selectors: service."""
