"""After-sales views: surveys."""
