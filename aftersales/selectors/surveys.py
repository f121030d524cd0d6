"""After-sales selectors: surveys."""
