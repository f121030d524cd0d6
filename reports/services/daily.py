"""Daily report versions: a manager asks for a day (again), a worker renders a version.

A version, once ready, is never changed: making a day again adds a version and keeps the
old one's file and hash. Rendering runs in a worker (the task queued on commit) or in the
periodic job, which also picks up versions whose queued render never ran.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.services.audit import audit_log
from dealership.tasks import task_enqueue
from dealership.validators import ensure_within
from reports.enums import DailyReportStatus
from reports.models import DailyReport
from reports.permissions import can_make_daily_report
from reports.selectors.daily import request_range
from reports.selectors.meetings import evening_board

logger = logging.getLogger(__name__)

REPORT_LANGUAGE = "zh-hans"  # the evening meeting's language (issue 13 §7)


def figures_json(figures) -> dict:
    """`Figures.as_json()` storable in a JSONField: the rates' Decimals as strings."""
    return {key: str(value) if isinstance(value, Decimal) else value
            for key, value in figures.as_json().items()}


def daily_report_request(*, store: Store, day: dt.date, actor: User) -> DailyReport:
    """A manager makes the store's `day` (again): a new pending version, the old ones kept;
    its render is queued once the transaction commits. Refused while a version of that day
    is still being made, and when someone else asked at the same moment."""
    if not can_make_daily_report(actor, store):
        raise PermissionDenied
    earliest, latest = request_range(store)
    ensure_within(day, earliest=earliest, latest=latest, field="day")
    with transaction.atomic():
        versions = DailyReport.objects.filter(store=store, day=day)
        if versions.filter(status=DailyReportStatus.PENDING).exists():
            raise ValidationError(_("A version of this day is being made already; it will be "
                                    "listed here in a minute."))
        number = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                report = DailyReport.objects.create(
                    store=store, day=day, version=number, language=REPORT_LANGUAGE,
                    requested_by=actor, created_at=timezone.now())
        except IntegrityError:
            raise ValidationError(_("Someone else has just asked for this day. Reload the "
                                    "page to see their version.")) from None
        audit_log(actor=actor, instance=report, action=AuditAction.CREATE,
                  changes={"day": day.isoformat(), "version": number})
        report_id = report.pk
        transaction.on_commit(lambda: daily_report_enqueue(report_id))
    return report


def daily_report_enqueue(report_id: int) -> bool:
    """Queue the render without waiting on the broker; one that is down leaves it to the
    periodic job (`reports.make_daily_reports`, every 10 minutes)."""
    from reports.tasks import render_daily_report_task

    return task_enqueue(render_daily_report_task, report_id=report_id)


def _render(report_id: int, now: dt.datetime | None) -> tuple[DailyReport | None, bool]:
    with transaction.atomic():
        report = (DailyReport.objects.select_for_update(of=("self",))
                  .select_related("store__group").filter(pk=report_id).first())
        if report is None or report.status != DailyReportStatus.PENDING:
            return report, False
        # Imported here: a process that only lists reports never loads WeasyPrint.
        from reports.documents import daily_report_pdf

        store = report.store
        now = now or timezone.now()
        started = time.perf_counter()
        with translation.override(report.language or REPORT_LANGUAGE):
            board = evening_board(store=store, day=report.day, now=now)
            pdf = daily_report_pdf(board, now=now)
        report.render_ms = int((time.perf_counter() - started) * 1000)
        report.sha256 = hashlib.sha256(pdf).hexdigest()
        report.size = len(pdf)
        report.figures = figures_json(board.figures)
        report.file.save(f"{store.code}-{report.day:%Y-%m-%d}-v{report.version}.pdf",
                         ContentFile(pdf), save=False)
        report.status = DailyReportStatus.READY
        report.error = ""
        report.rendered_at = timezone.now()
        report.save()
    return report, True


def daily_report_render(*, report_id: int, now: dt.datetime | None = None,
                        ) -> DailyReport | None:
    """pending → ready: the PDF rendered and stored with its SHA-256, size, the figures it
    shows (JSON) and the render time; pending → failed with the error when anything goes
    wrong. A version that is not pending (a second worker, a retry) is left alone. None
    when the version does not exist."""
    return daily_report_render_once(report_id=report_id, now=now)[0]


def daily_report_render_once(*, report_id: int, now: dt.datetime | None = None,
                             ) -> tuple[DailyReport | None, bool]:
    """`daily_report_render`, also telling whether this call did the rendering."""
    try:
        return _render(report_id, now)
    except Exception as error:  # WeasyPrint, the storage, a time limit: recorded, not raised
        logger.exception("daily report %s failed to render", report_id)
        # The render's transaction has rolled back; the failure is written after it.
        DailyReport.objects.filter(pk=report_id, status=DailyReportStatus.PENDING).update(
            status=DailyReportStatus.FAILED,
            error=(str(error) or type(error).__name__)[:300])
        return DailyReport.objects.filter(pk=report_id).first(), True

