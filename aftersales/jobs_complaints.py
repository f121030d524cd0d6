"""After-sales periodic jobs: complaints (set-based, idempotent; thin Celery tasks at the end)."""
