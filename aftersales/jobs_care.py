"""After-sales periodic jobs: care (set-based, idempotent; thin Celery tasks at the end)."""
