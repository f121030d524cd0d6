"""The daily report's demo: yesterday's version, made through the service and rendered."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from reports.demo.daily import seed
from reports.enums import DailyReportStatus
from reports.models import DailyReport

pytestmark = pytest.mark.django_db


def test_the_demo_makes_yesterdays_report_once(store, manager, consultant):
    seed(random.Random(3), store=store, scale="small")
    seed(random.Random(3), store=store, scale="small")

    report = DailyReport.objects.get()
    assert report.day == store.today() - dt.timedelta(days=1)
    assert (report.version, report.requested_by, report.status) == (
        1, manager, DailyReportStatus.READY)
    assert report.file.read().startswith(b"%PDF")


def test_the_large_demo_skips_it(store, manager):
    seed(random.Random(3), store=store, scale="large")
    assert not DailyReport.objects.exists()


def test_a_store_without_a_manager_gets_none(store):
    seed(random.Random(3), store=store, scale="small")
    assert not DailyReport.objects.exists()
