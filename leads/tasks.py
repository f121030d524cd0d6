"""Celery tasks of the leads stage: thin wrappers that run a job at the current time.

Beat schedules them (settings.CELERY_BEAT_SCHEDULE); each job is idempotent and safe
with two workers, so an overlapping or repeated run does no harm.
"""

from __future__ import annotations

import time

from celery import shared_task
from django.utils import timezone

from leads import jobs
from leads.messaging import outbox_send_batch
from leads.services.imports import import_batch_run, import_batches_to_retry

OUTBOX_BATCH = 50
OUTBOX_BUDGET = 50  # seconds; beat starts the next run every minute


@shared_task(name="leads.escalate_first_contact", time_limit=240, soft_time_limit=200)
def escalate_first_contact_task() -> dict[str, int]:
    return jobs.escalate_first_contact(timezone.now())


@shared_task(name="leads.flag_overdue", time_limit=600, soft_time_limit=540)
def flag_overdue_task() -> int:
    return jobs.flag_overdue(timezone.now())


@shared_task(name="leads.daily_lead_housekeeping", time_limit=3600, soft_time_limit=3300)
def daily_lead_housekeeping_task() -> dict[str, int]:
    return jobs.daily_lead_housekeeping(timezone.now())


@shared_task(name="leads.reconcile_routing_loads", time_limit=600, soft_time_limit=540)
def reconcile_routing_loads_task() -> int:
    return jobs.reconcile_routing_loads(timezone.now())


@shared_task(name="leads.send_outbox", time_limit=120, soft_time_limit=100)
def send_outbox_task(*, limit: int = OUTBOX_BATCH) -> dict[str, int]:
    # Stop claiming after OUTBOX_BUDGET seconds: the next beat tick carries on, and a
    # message is never claimed by a run about to be killed by its time limit.
    deadline = time.monotonic() + OUTBOX_BUDGET
    totals = {"sent": 0, "failed": 0, "suppressed": 0, "unknown": 0}
    while time.monotonic() < deadline:
        counts = outbox_send_batch(limit=limit, now=timezone.now(), deadline=deadline)
        for outcome, number in counts.items():
            totals[outcome] += number
        if sum(counts.values()) < limit:
            break
    return totals


@shared_task(name="leads.run_import", time_limit=1800, soft_time_limit=1740)
def import_batch_run_task(*, batch_id: int) -> dict | None:
    """Import an uploaded lead CSV (a queued ImportBatch); nothing if it is not queued."""
    batch = import_batch_run(batch_id=batch_id)
    if batch is None:
        return None
    return {"batch": batch.pk, "status": batch.status, "imported": batch.imported,
            "duplicates": batch.duplicates, "errors": batch.errors}


@shared_task(name="leads.run_pending_imports", time_limit=120, soft_time_limit=100)
def run_pending_imports_task() -> dict[str, int]:
    """Sweep: imports whose message was lost, or whose worker died, are queued again."""
    ids = import_batches_to_retry(now=timezone.now())
    for batch_id in ids:
        import_batch_run_task.delay(batch_id=batch_id)
    return {"queued": len(ids)}
