"""After-sales forms: complaints."""
