"""After-sales views: loyalty."""
