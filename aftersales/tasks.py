"""After-sales Celery tasks: thin wrappers defined next to their set-based jobs
(jobs_care, jobs_service, jobs_complaints); imported here for autodiscovery."""

from aftersales import jobs_care, jobs_complaints, jobs_service  # noqa: F401
