"""The daily report's Celery tasks: the beat entry, the render task, and a manager's
request while the broker is away (left to the evening job's sweep)."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from dealership.celery import app
from reports import tasks
from reports.enums import DailyReportStatus
from reports.jobs import make_daily_reports
from reports.models import DailyReport
from reports.services.daily import daily_report_request

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
NOON = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def test_the_job_runs_every_ten_minutes_and_both_tasks_are_registered():
    app.loader.import_default_modules()
    schedule = {entry["task"]: entry["schedule"]
                for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["reports.make_daily_reports"] == crontab(minute="*/10")
    assert {"reports.make_daily_reports", "reports.render_daily_report"} <= set(app.tasks)


def test_the_render_task_renders_a_pending_version_once(store, manager):
    with mock.patch.object(timezone, "now", return_value=NOON):
        report = daily_report_request(store=store, day=DAY, actor=manager)

    done = tasks.render_daily_report_task.run(report_id=report.pk)
    assert done["status"] == DailyReportStatus.READY
    assert done["sha256"] == DailyReport.objects.get().sha256
    assert tasks.render_daily_report_task.run(report_id=report.pk) == done  # left alone
    assert tasks.render_daily_report_task.run(report_id=report.pk + 99) == {
        "report": report.pk + 99, "status": "missing"}


def test_the_periodic_task_makes_the_due_stores_reports(store):
    evening = dt.datetime(2026, 3, 10, 10, 31, tzinfo=dt.UTC)  # 18:31 in Shanghai
    with mock.patch.object(timezone, "now", return_value=evening):
        assert tasks.make_daily_reports_task.run() == {"rendered": 1}
        assert tasks.make_daily_reports_task.run() == {"rendered": 0}


def test_a_request_with_the_broker_down_answers_at_once_and_the_job_renders_it(
        store, manager, monkeypatch, caplog, django_capture_on_commit_callbacks):
    monkeypatch.setattr(app.conf, "broker_write_url", DEAD_BROKER)

    started = time.monotonic()
    with mock.patch.object(timezone, "now", return_value=NOON), \
            django_capture_on_commit_callbacks(execute=True):
        report = daily_report_request(store=store, day=DAY, actor=manager)
    # Not a speed measure: a guard against the broker's retry loops on the request.
    assert time.monotonic() - started < 5
    assert "could not queue reports.render_daily_report" in caplog.text
    report.refresh_from_db()
    assert report.status == DailyReportStatus.PENDING

    # Ten minutes later the evening job (its 18:30 not yet come) renders what was left.
    assert make_daily_reports(NOON + dt.timedelta(minutes=10)) == 1
    report.refresh_from_db()
    assert report.status == DailyReportStatus.READY
