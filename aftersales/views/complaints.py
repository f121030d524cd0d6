"""After-sales views: complaints."""
