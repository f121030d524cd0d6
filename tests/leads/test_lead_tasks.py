"""The leads stage's Celery tasks and their beat schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from dealership.celery import app
from leads import tasks
from leads.enums import Channel, LeadStatus, MessageStatus
from leads.messaging import message_queue
from leads.models import OutboundMessage
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory


def test_beat_schedule_names_only_registered_tasks():
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled <= set(app.tasks)
    assert {"leads.escalate_first_contact", "leads.flag_overdue",
            "leads.daily_lead_housekeeping", "leads.send_outbox"} <= scheduled


def test_beat_schedule_times():
    schedule = {entry["task"]: entry["schedule"]
                for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["leads.escalate_first_contact"] == crontab(minute="*/5")
    assert schedule["leads.flag_overdue"] == crontab(minute=5)
    assert schedule["leads.daily_lead_housekeeping"] == crontab(hour=2, minute=30)
    assert schedule["leads.send_outbox"] == crontab(minute="*")


def test_tasks_have_explicit_names_and_time_limits():
    for task in (tasks.escalate_first_contact_task, tasks.flag_overdue_task,
                 tasks.daily_lead_housekeeping_task, tasks.send_outbox_task):
        assert task.name.startswith("leads.")
        assert 0 < task.soft_time_limit < task.time_limit


@pytest.mark.django_db
def test_escalation_task_runs_the_job_now(store, consultant, supervisor):
    lead = LeadFactory(store=store, owner=consultant, channel=Channel.WEBSITE,
                       created_at=timezone.now() - dt.timedelta(minutes=61))

    result = tasks.escalate_first_contact_task.apply()

    assert result.get() == {"reminded": 0, "alerted": 1, "reassigned": 0}
    lead.refresh_from_db()
    assert lead.sla_step == 2


@pytest.mark.django_db
def test_housekeeping_and_overdue_tasks_run_the_jobs_now(store, consultant):
    lead = LeadFactory(store=store, owner=consultant,
                       created_at=timezone.now() - dt.timedelta(days=31),
                       follow_up_due_at=timezone.now() - dt.timedelta(days=1))

    assert tasks.flag_overdue_task.apply().get() == 1
    assert tasks.daily_lead_housekeeping_task.apply().get() == {
        "dormant": 1, "reactivation": 1, "pooled": 0}
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DORMANT


@pytest.mark.django_db(transaction=True)
def test_send_outbox_round_trip_through_a_worker(store, consultant):
    now = timezone.now()
    customer = CustomerFactory(store=store, owner=consultant, marketing_consent=True,
                               consent_at=now)
    message = message_queue(customer=customer, purpose="reactivation", body="您好，欢迎回店",
                            dedupe_key="round-trip", now=now)

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10):
        counts = tasks.send_outbox_task.delay().get(timeout=30)
        again = tasks.send_outbox_task.delay().get(timeout=30)

    assert counts == {"sent": 1, "failed": 0, "suppressed": 0, "unknown": 0}
    assert again == {"sent": 0, "failed": 0, "suppressed": 0, "unknown": 0}
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.attempts) == (
        MessageStatus.SENT, f"dev-{message.pk}", 1)
    assert OutboundMessage.objects.count() == 1
