"""Celery tasks of the delivery stage: thin wrappers over the set-based jobs in
``jobs_money``, ``jobs_orders`` and ``jobs_handover`` (each idempotent, safe to run twice
on the same day; see docs/delivery-jobs.md)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from delivery.jobs_handover import announce_tomorrows_deliveries
from delivery.jobs_money import remind_overdue_balances
from delivery.jobs_orders import flag_deliveries_at_risk


@shared_task(name="delivery.remind_overdue_balances", time_limit=900, soft_time_limit=840)
def remind_overdue_balances_task() -> int:
    """Remind the consultant (and the consenting customer) of balances past their
    promised date, on the reminder days, once per contract and day."""
    return remind_overdue_balances(now=timezone.now())


@shared_task(name="delivery.flag_deliveries_at_risk", time_limit=600, soft_time_limit=540)
def flag_deliveries_at_risk_task() -> int:
    """Tell the consultant and manager of appointments soon whose gate is not yet met."""
    return flag_deliveries_at_risk(now=timezone.now())


@shared_task(name="delivery.announce_tomorrows_deliveries", time_limit=900,
             soft_time_limit=840)
def announce_tomorrows_deliveries_task() -> int:
    """Tell each consultant (and the store) of tomorrow's handovers."""
    return announce_tomorrows_deliveries(now=timezone.now())
