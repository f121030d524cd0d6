"""Celery tasks of the showroom stage: thin wrappers that run a job at the current time.

Beat schedules them (settings.CELERY_BEAT_SCHEDULE); each job is idempotent.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from showroom.services.invitations import invitations_mark_no_show


@shared_task(name="showroom.mark_no_shows", time_limit=900, soft_time_limit=840)
def invitations_mark_no_show_task() -> int:
    """Invitations whose day is over for their store and nobody came → no-show."""
    return invitations_mark_no_show(now=timezone.now())
