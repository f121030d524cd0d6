"""After-sales views: owners."""
