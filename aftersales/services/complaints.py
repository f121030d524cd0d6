"""After-sales services: complaints."""
