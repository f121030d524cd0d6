"""After-sales selectors: complaints."""
