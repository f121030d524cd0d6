"""The showroom stage's Celery tasks and their beat schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings

from dealership.celery import app
from showroom import tasks
from showroom.enums import InvitationStatus
from tests.leads.factories import LeadFactory
from tests.showroom.factories_invitations import InvitationFactory, store_time, store_today


def test_beat_schedule_names_only_registered_tasks():
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled <= set(app.tasks)
    assert "showroom.mark_no_shows" in scheduled


def test_no_show_job_runs_nightly_at_half_past_eleven():
    schedule = {entry["task"]: entry["schedule"]
                for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["showroom.mark_no_shows"] == crontab(hour=23, minute=30)


def test_task_has_explicit_name_and_time_limits():
    task = tasks.invitations_mark_no_show_task
    assert task.name == "showroom.mark_no_shows"
    assert 0 < task.soft_time_limit < task.time_limit


@pytest.mark.django_db
def test_task_marks_yesterdays_invitation(store, consultant):
    yesterday = store_today(store) - dt.timedelta(days=1)
    invitation = InvitationFactory(lead=LeadFactory(store=store, owner=consultant),
                                   expected_at=store_time(store, yesterday, 10))

    first = tasks.invitations_mark_no_show_task.apply().get()
    second = tasks.invitations_mark_no_show_task.apply().get()

    invitation.refresh_from_db()
    assert (first, second) == (1, 0)
    assert invitation.status == InvitationStatus.NO_SHOW
