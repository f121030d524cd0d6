"""After-sales selectors: care."""
