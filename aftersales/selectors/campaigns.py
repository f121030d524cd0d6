"""After-sales selectors: campaigns."""
