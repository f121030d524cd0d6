"""After-sales demo data: campaigns."""
