"""After-sales demo data: surveys."""
