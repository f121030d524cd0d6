"""After-sales demo data: owners."""
