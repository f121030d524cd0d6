"""reports 0005 on a database the old race wrote: a day with two pending versions keeps
its newest one pending and the older ones failed, and then a second pending version of a
day is refused by the database. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from reports.enums import DailyReportStatus
from reports.models import DailyReport
from tests.factories import StoreFactory
from tests.helpers import migrated_back

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reports", "0004_store_in_unique_sets")]
DAY = dt.date(2026, 3, 10)


def test_older_pending_twins_fail_and_the_rule_holds(store):
    other = StoreFactory(code="OTHER")
    with migrated_back(BEFORE) as apps:
        Report = apps.get_model("reports", "DailyReport")
        rows = {
            "twin2": Report.objects.create(store_id=store.pk, day=DAY, version=2,
                                           status="pending", language="zh-hans"),
            "twin3": Report.objects.create(store_id=store.pk, day=DAY, version=3,
                                           status="pending", language="zh-hans"),
            "ready": Report.objects.create(store_id=store.pk, day=DAY, version=1,
                                           status="ready", language="zh-hans"),
            "other": Report.objects.create(store_id=other.pk, day=DAY, version=1,
                                           status="pending", language="zh-hans"),
            "next_day": Report.objects.create(store_id=store.pk, day=DAY + dt.timedelta(1),
                                              version=1, status="pending",
                                              language="zh-hans"),
        }

    status = dict(DailyReport.objects.values_list("pk", "status"))
    assert {name: status[row.pk] for name, row in rows.items()} == {
        "twin2": DailyReportStatus.FAILED, "twin3": DailyReportStatus.PENDING,
        "ready": DailyReportStatus.READY, "other": DailyReportStatus.PENDING,
        "next_day": DailyReportStatus.PENDING}
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyReport.objects.create(store=store, day=DAY, version=4, language="zh-hans")
    assert DailyReport.objects.filter(store=store, day=DAY).count() == 3
