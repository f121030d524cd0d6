"""After-sales demo data: loyalty."""
