"""After-sales forms: loyalty."""
