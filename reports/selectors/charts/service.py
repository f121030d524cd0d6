"""The after-sales and stock reports: the complaint SLA, satisfaction (CSI), stock aging."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.enums import LOW_SCORE_MAX, ComplaintCategory, ComplaintDepartment, SurveyKind
from aftersales.models import Complaint, SurveyAnswer
from aftersales.selectors.complaints import complaint_met_all_deadlines
from dealership.enums import StockStatus
from dealership.models import StockVehicle, Store
from leads.selectors.periods import period_for
from reports.metrics import (
    SLOW_STOCK_DAYS,
    Rate,
)
from reports.selectors.charts.tables import (
    DASH,
    Report,
    Table,
    _chart,
    _n,
    _person,
)


# --- 5. Complaint SLA ------------------------------------------------------------------
def complaint_sla_report(*, store: Store, first_day: dt.date, last_day: dt.date,
                         now: dt.datetime | None = None) -> Report:
    """Complaints received in the period that met all three deadlines (§3, as
    `complaint_met_all_deadlines` judges them), missed one, or are still in time; by
    category and by owning department. One query."""
    now = now or timezone.now()
    period = period_for(store, first_day, last_day)
    complaints = Complaint.objects.filter(store=store, received_at__gte=period.start,
                                          received_at__lt=period.end)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_department: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for complaint in complaints:
        outcome = complaint_met_all_deadlines(complaint, now)
        slot = 0 if outcome is True else 1 if outcome is False else 2
        by_category[complaint.category][slot] += 1
        by_department[complaint.department][slot] += 1
    all_counts = [sum(c[i] for c in by_category.values()) for i in range(3)]

    def cells(label: str, counts: Sequence[int]) -> tuple[str, ...]:
        total = sum(counts)
        return (label, _n(counts[0]), _n(counts[1]), _n(counts[2]), _n(total),
                Rate(counts[0], total).percent)

    header = (_("Met all three"), _("Missed one"), _("Still in time"), _("Complaints"),
              _("SLA met"))
    category_rows = [cells(str(label), by_category[code])
                     for code, label in ComplaintCategory.choices if code in by_category]
    department_rows = [cells(str(label), by_department[code])
                       for code, label in ComplaintDepartment.choices if code in by_department]
    footer = cells(_("Store"), all_counts)
    tables = [
        Table("category", _("By category"), (_("Category"), *header), category_rows, footer),
        Table("department", _("By department"), (_("Department"), *header), department_rows,
              footer),
    ]
    chart = _chart([row[0] for row in category_rows],
                   [(str(_("Met all three")), [by_category[c][0] for c, _l in
                                               ComplaintCategory.choices if c in by_category]),
                    (str(_("Missed one")), [by_category[c][1] for c, _l in
                                            ComplaintCategory.choices if c in by_category]),
                    (str(_("Still in time")), [by_category[c][2] for c, _l in
                                               ComplaintCategory.choices if c in by_category])],
                   stacked=True)
    return Report(tables, chart, is_empty=not sum(all_counts),
                  totals={"complaint_sla": Rate(all_counts[0], sum(all_counts))})


# --- 6. Satisfaction (CSI) --------------------------------------------------------------
@dataclass
class Scores:
    surveys: int = 0
    answers: int = 0
    score_sum: int = 0
    low: int = 0

    def add(self, surveys: int, answers: int, score_sum: int, low: int) -> None:
        self.surveys += surveys
        self.answers += answers
        self.score_sum += score_sum
        self.low += low

    @property
    def average(self) -> Decimal | None:
        if not self.answers:
            return None
        return (Decimal(self.score_sum) / self.answers).quantize(Decimal("0.1"),
                                                                 rounding=ROUND_HALF_UP)

    def cells(self, label: str) -> tuple[str, ...]:
        average = self.average
        return (label, _n(self.surveys), DASH if average is None else str(average),
                _n(self.low), Rate(self.low, self.surveys).percent)


def satisfaction_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Surveys answered in the period (after delivery and after service): the average of
    every score given, per survey kind and per person served by (the consultant or the
    advisor), and the share of surveys with a score of LOW_SCORE_MAX or less. One query."""
    period = period_for(store, first_day, last_day)
    groups = (
        SurveyAnswer.objects.filter(survey__store=store, survey__answered_at__gte=period.start,
                                    survey__answered_at__lt=period.end)
        .values("survey__kind", "survey__staff", "survey__staff__name",
                "survey__staff__username").order_by()
        .annotate(surveys=Count("survey", distinct=True), answers=Count("pk"),
                  score_sum=Sum("score"),
                  low=Count("survey", distinct=True,
                            filter=Q(survey__lowest_score__lte=LOW_SCORE_MAX))))
    by_kind: dict[str, Scores] = defaultdict(Scores)
    by_staff: dict[int | None, Scores] = defaultdict(Scores)
    total = Scores()
    names: dict[int, str] = {}
    for group in groups:
        figures = (group["surveys"], group["answers"], group["score_sum"] or 0, group["low"])
        by_kind[group["survey__kind"]].add(*figures)
        by_staff[group["survey__staff"]].add(*figures)
        total.add(*figures)
        if group["survey__staff"] is not None:
            names[group["survey__staff"]] = (group["survey__staff__name"]
                                             or group["survey__staff__username"])
    header = (_("Answered"), _("Average score"), _("Low scores"), _("Low share"))
    kind_rows = [by_kind[code].cells(str(label)) for code, label in SurveyKind.choices
                 if code in by_kind]
    staff = sorted(by_staff, key=lambda pk: (pk is None, names.get(pk, "")))
    staff_rows = [by_staff[pk].cells(_person(names, pk)) for pk in staff]
    footer = total.cells(_("Store"))
    tables = [Table("kind", _("By survey"), (_("Survey"), *header), kind_rows, footer),
              Table("staff", _("By person served by"), (_("Served by"), *header), staff_rows,
                    footer)]
    chart = _chart([row[0] for row in staff_rows],
                   [(str(_("Average score")),
                     [None if by_staff[pk].average is None else float(by_staff[pk].average)
                      for pk in staff])], horizontal=True, decimals=True)
    return Report(tables, chart, is_empty=not total.surveys, totals={"scores": total})


# --- 7. Stock aging ---------------------------------------------------------------------
def stock_aging_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Vehicles in stock, by model and by age in store days on the period's last day
    (0–30, 31–60, 61–90, over 90); over 60 is §3's slow stock. One query."""
    del first_day  # stock is what stands in the yard; its age is counted to the last day

    def days_ago(days: int) -> dt.date:
        return last_day - dt.timedelta(days=days)

    # A vehicle is n store days old when it arrived n days before the last day.
    buckets = {
        "b0": Count("pk", filter=Q(arrival_date__gte=days_ago(30))),
        "b1": Count("pk", filter=Q(arrival_date__gte=days_ago(60),
                                   arrival_date__lt=days_ago(30))),
        "b2": Count("pk", filter=Q(arrival_date__gte=days_ago(90),
                                   arrival_date__lt=days_ago(60))),
        "b3": Count("pk", filter=Q(arrival_date__lt=days_ago(90))),
    }
    groups = list(
        StockVehicle.objects.filter(store=store, status=StockStatus.IN_STOCK)
        .values("trim__series", "trim__series__name").order_by("trim__series__name")
        .annotate(**buckets))
    labels = (_("0–30 days"), _("31–60 days"), _("61–90 days"), _("Over 90 days"))
    keys = ["b0", "b1", "b2", "b3"]
    totals = [sum(g[k] for g in groups) for k in keys]

    def cells(label: str, counts: Sequence[int]) -> tuple[str, ...]:
        return (label, *map(_n, counts), _n(sum(counts)), _n(counts[2] + counts[3]))

    rows = [cells(g["trim__series__name"], [g[k] for k in keys]) for g in groups]
    header = (_("Model"), *labels, _("In stock"),
              _("Slow (over %(days)s days)") % {"days": SLOW_STOCK_DAYS})
    table = Table("model", _("By model and age"), header, rows, cells(_("Store"), totals))
    chart = _chart([g["trim__series__name"] for g in groups],
                   [(str(label), [g[k] for g in groups]) for label, k in zip(labels, keys,
                                                                             strict=True)],
                   stacked=True, horizontal=True)
    return Report([table], chart, is_empty=not sum(totals),
                  totals={"slow_stock": totals[2] + totals[3]})
