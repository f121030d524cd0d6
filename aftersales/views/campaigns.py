"""After-sales views: campaigns."""
