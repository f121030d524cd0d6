"""Two evening jobs at once, two managers at once (PostgreSQL, one connection per thread):
the unique (store, day, version) and the row lock leave one version, rendered once."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports.enums import DailyReportStatus
from reports.jobs import make_daily_reports
from reports.models import DailyReport
from reports.services.daily import daily_report_request
from tests.concurrency import race, require_postgres
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

DAY = dt.date(2026, 3, 10)
EVENING = dt.datetime(2026, 3, 10, 10, 31, tzinfo=dt.UTC)  # 18:31 in Shanghai


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_jobs_at_once_make_and_render_one_version(store, consultant):
    results = race(lambda: make_daily_reports(EVENING), lambda: make_daily_reports(EVENING))

    assert sorted(results) == [0, 1]
    report = DailyReport.objects.get()
    assert (report.day, report.version, report.status) == (DAY, 1, DailyReportStatus.READY)


def test_two_managers_making_a_day_at_once_one_new_version(store, manager):
    deputy = UserFactory(username="mgr2", name="钱副经理", role="manager", store=store)
    with mock.patch.object(timezone, "now", return_value=EVENING):
        make_daily_reports(EVENING)
        results = race(
            lambda: daily_report_request(store=store, day=DAY, actor=manager),
            lambda: daily_report_request(store=store, day=DAY, actor=deputy))

    made = [r for r in results if isinstance(r, DailyReport)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(made), len(refused)) == (1, 1)
    assert not hasattr(refused[0], "error_dict")  # a 409, naming no field
    assert list(DailyReport.objects.order_by("version").values_list("version", "status")) == [
        (1, DailyReportStatus.READY), (2, DailyReportStatus.PENDING)]
