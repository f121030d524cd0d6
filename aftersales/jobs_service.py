"""After-sales periodic jobs: service (set-based, idempotent; thin Celery tasks at the end)."""
