"""The daily report: the versions a store has, the stores that are due.

What the PDF shows is the evening meeting's board,
`reports.selectors.meetings.evening_board` (its §3 figures come from
`reports.metrics.store_figures`); nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dealership.models import Store, User
from reports.enums import DailyReportStatus
from reports.models import DailyReport, ReportSettings

DEFAULT_REPORT_AT = ReportSettings._meta.get_field("daily_report_at").get_default()
REQUEST_DAYS_BACK = 400  # a manager may make a day again up to this many days back
PENDING_GRACE = dt.timedelta(minutes=2)  # a queued render older than this is the job's


# --- The versions --------------------------------------------------------------------------
def daily_reports_of(*, store: Store, month: dt.date | None = None) -> QuerySet[DailyReport]:
    """The store's report versions, newest day first, newest version first within a day
    (the index of the unique constraint serves the store's range on day)."""
    reports = DailyReport.objects.filter(store=store)
    if month is not None:
        first = month.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        reports = reports.filter(day__gte=first, day__lt=following)
    return reports.select_related("requested_by").order_by("-day", "-version")


def daily_report_get_for_user(*, user: User, pk: int) -> DailyReport:
    """A report version of the user's store; any other → 404."""
    report = (DailyReport.objects.select_related("store")
              .filter(pk=pk, store_id=user.store_id).first())
    if report is None:
        raise Http404
    return report


def request_range(store: Store) -> tuple[dt.date, dt.date]:
    """The days a manager may make (again): REQUEST_DAYS_BACK days back to the store's today."""
    today = store.today()
    return today - dt.timedelta(days=REQUEST_DAYS_BACK), today


# --- The job's selection -------------------------------------------------------------------
@dataclass(frozen=True)
class DueStore:
    store_id: int
    day: dt.date


def stores_due(now: dt.datetime) -> list[DueStore]:
    """Active stores whose daily-report time has passed on their local today and whose
    today has no report yet. Two queries whatever the number of stores: the stores with
    their report time (a left join), then the reports of the candidates' days."""
    candidates: list[DueStore] = []
    for store_id, zone, report_at in (
            Store.objects.filter(is_active=True)
            .annotate(report_at=F("report_settings__daily_report_at"))
            .values_list("pk", "timezone", "report_at")):
        local = timezone.localtime(now, Store(timezone=zone).tzinfo)
        if local.time() >= (report_at or DEFAULT_REPORT_AT):
            candidates.append(DueStore(store_id=store_id, day=local.date()))
    if not candidates:
        return []
    wanted = Q()
    for due in candidates:
        wanted |= Q(store_id=due.store_id, day=due.day)
    made = set(DailyReport.objects.filter(wanted).values_list("store_id", "day"))
    return [due for due in candidates if (due.store_id, due.day) not in made]


def pending_to_render(now: dt.datetime) -> QuerySet:
    """Versions still pending past the grace period: their queued render was lost (the
    broker was away, the worker died). The job renders them."""
    return (DailyReport.objects.filter(status=DailyReportStatus.PENDING,
                                       created_at__lt=now - PENDING_GRACE)
            .order_by("created_at").values_list("pk", flat=True))
