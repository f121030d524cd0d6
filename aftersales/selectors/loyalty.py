"""After-sales selectors: loyalty."""
