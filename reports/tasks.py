"""Celery tasks of the reports app: thin, named, keyword-only ids; the work is in
reports/jobs.py and reports/services/."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reports.jobs import make_daily_reports
from reports.services.daily import daily_report_render


# Beat: every 10 minutes (dealership/settings.py). A render takes about a second per store.
@shared_task(name="reports.make_daily_reports", time_limit=1800, soft_time_limit=1700)
def make_daily_reports_task() -> dict:
    return {"rendered": make_daily_reports(timezone.now())}


@shared_task(name="reports.render_daily_report", time_limit=300, soft_time_limit=240)
def render_daily_report_task(*, report_id: int) -> dict:
    """A manager's version, queued on commit; a failure is recorded on the version."""
    report = daily_report_render(report_id=report_id)
    if report is None:
        return {"report": report_id, "status": "missing"}
    return {"report": report.pk, "status": report.status, "sha256": report.sha256}
