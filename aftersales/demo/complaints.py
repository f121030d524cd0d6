"""After-sales demo data: complaints."""
