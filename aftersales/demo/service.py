"""After-sales demo data: service."""
