"""Periodic jobs of the reports app (thin Celery tasks in reports/tasks.py call these)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from reports.enums import DailyReportStatus
from reports.models import DailyReport
from reports.selectors.daily import pending_to_render, stores_due
from reports.services.daily import REPORT_LANGUAGE, daily_report_render_once

PENDING_BATCH = 50


def make_daily_reports(now: dt.datetime | None = None) -> int:
    """Every active store whose daily-report time (ReportSettings.daily_report_at, 18:30 by
    default, store time) has passed on its local today, and whose today has no report
    yet, gets version 1 of that day, rendered here. Versions left pending by a lost
    queued render are rendered too. Returns how many versions this run rendered.

    Idempotent for a day: a second run finds every due day made and writes nothing. Two
    runs at once insert the same version 1 at most once (the unique (store, day, version)
    constraint; the loser's row is skipped) and render it once (the row lock).
    """
    now = now or timezone.now()
    due = stores_due(now)
    to_render: list[int] = []
    if due:
        DailyReport.objects.bulk_create(
            [DailyReport(store_id=item.store_id, day=item.day, version=1,
                         language=REPORT_LANGUAGE, created_at=now) for item in due],
            ignore_conflicts=True)
        wanted = Q()
        for item in due:
            wanted |= Q(store_id=item.store_id, day=item.day)
        to_render = list(DailyReport.objects.filter(wanted, version=1,
                                                    status=DailyReportStatus.PENDING)
                         .values_list("pk", flat=True))
    to_render += [pk for pk in pending_to_render(now)[:PENDING_BATCH] if pk not in to_render]
    rendered = 0
    for report_id in to_render:
        _report, did_render = daily_report_render_once(report_id=report_id, now=now)
        rendered += did_render
    return rendered
