"""After-sales selectors: owners."""
