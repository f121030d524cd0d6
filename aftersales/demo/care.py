"""After-sales demo data: care."""
