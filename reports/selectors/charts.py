"""The reports with charts (issue 13 §6): each one a few grouped queries over a store's
period, shaped as the tables the page shows and the CSV exports (the same cells, as text),
and the chart drawn from them.

Where a row repeats a DESIGN §3 figure it is read the way `reports.metrics` reads it, and
the store's total comes from `store_figures` itself where §3 defines it (walk-in
conversion); the funnel's lead-to-visit and lead-to-deal, first-contact SLA, complaint SLA
and slow stock sum to `store_figures`' numerators and denominators (the tests hold them
equal). Every query reads the store through an index: a range on an indexed timestamp of
the store (leads created, surveys answered, complaints received), the store's stock in one
status, or, for lost reasons, the store's lost leads (index on store and status; `closed_at`
itself has no index yet). Each report costs a fixed number of queries (`*_QUERIES`),
whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.enums import LOW_SCORE_MAX, ComplaintCategory, ComplaintDepartment, SurveyKind
from aftersales.models import Complaint, SurveyAnswer
from aftersales.selectors.complaints import complaint_met_all_deadlines
from contracts.models import Contract, Quote
from dealership.enums import Role, StockStatus
from dealership.models import StockVehicle, Store, User
from dealership.templatetags.money_tags import cny
from leads.enums import ONLINE_CHANNELS, Channel, LeadStatus, LostReason
from leads.models import Lead
from leads.selectors.periods import period_for
from reports.metrics import (
    DRIVEN_STATUSES,
    FIGURES_QUERIES,
    FIRST_CONTACT_MINUTES,
    SLOW_STOCK_DAYS,
    Activity,
    Rate,
    activity_by_consultant,
    store_activity,
    store_figures,
)
from showroom.models import TestDrive, Visit

FUNNEL_QUERIES = 1
RANKING_QUERIES = 5 + 1 + FIGURES_QUERIES  # activity, the consultants, the store's §3 figures
LOST_REASONS_QUERIES = 1
FIRST_CONTACT_QUERIES = 1
COMPLAINT_SLA_QUERIES = 1
SATISFACTION_QUERIES = 1
STOCK_AGING_QUERIES = 1
DASH = "—"


# --- Tables and charts ------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """One table of a report, every cell already the text the page and the CSV show."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    total: tuple[str, ...] | None = None

    def labelled(self, cells: Sequence[str]) -> list[tuple[str, str]]:
        """(column heading, cell) pairs: the phone layout labels each cell."""
        return list(zip(self.header, cells, strict=True))

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        return [self.labelled(row) for row in self.rows]

    @property
    def labelled_total(self) -> list[tuple[str, str]] | None:
        return self.labelled(self.total) if self.total else None


@dataclass(frozen=True)
class Report:
    """What a report page shows: its tables (the truth) and one chart (an enhancement),
    plus, for pages and tests, the figures the totals were checked against."""

    tables: list[Table]
    chart: dict
    is_empty: bool
    totals: dict[str, object] = field(default_factory=dict)


def _chart(labels: Iterable[str], datasets: Iterable[tuple[str, list]], *,
           kind: str = "bar", stacked: bool = False, horizontal: bool = False,
           percent: bool = False, decimals: bool = False) -> dict:
    """The JSON static/js/charts.js draws with Chart.js (numbers only, no markup)."""
    return {"type": kind, "labels": list(labels), "stacked": stacked,
            "horizontal": horizontal, "percent": percent, "decimals": decimals,
            "datasets": [{"label": label, "data": data} for label, data in datasets]}


def _n(value: int) -> str:
    return str(value)


def _money(value: Decimal | None) -> str:
    return DASH if value is None else cny(value)


def _per(amount: Decimal, count: int) -> Decimal | None:
    """A budget per lead or per deal; None (shown "—") without a budget or a count."""
    if not amount or not count:
        return None
    return (amount / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _chart_value(rate: Rate) -> float | None:
    value = rate.value
    return None if value is None else float(value * 100)


def _person(names: dict[int, str], pk: int | None) -> str:
    return names.get(pk, "") if pk is not None else pgettext("consultant", "Not attributed")


# --- 1. The funnel by channel and by campaign ----------------------------------------------
@dataclass
class FunnelCounts:
    leads: int = 0
    visited: int = 0
    test_driven: int = 0
    quoted: int = 0
    won: int = 0
    delivered: int = 0

    STEPS = ("leads", "visited", "test_driven", "quoted", "won", "delivered")

    def add(self, other: FunnelCounts) -> None:
        for step in self.STEPS:
            setattr(self, step, getattr(self, step) + getattr(other, step))

    @property
    def to_visit(self) -> Rate:
        return Rate(self.visited, self.leads)

    @property
    def to_deal(self) -> Rate:
        return Rate(self.won, self.leads)

    def cells(self) -> tuple[str, ...]:
        return (*(_n(getattr(self, step)) for step in self.STEPS),
                self.to_visit.percent, self.to_deal.percent)


def _reached(model, moment: str, **extra) -> Exists:
    """The lead reached this step: a row naming the lead, or a row of its customer from
    after the lead was created (the rule `reports.metrics` reads "has a visit" with)."""
    return Exists(model.objects.filter(
        Q(lead=OuterRef("pk"))
        | Q(customer=OuterRef("customer"), **{f"{moment}__gte": OuterRef("created_at")}),
        **extra))


def funnel_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Leads created in the period → with a visit → a test drive (driven) → a quote → a deal
    (the lead won, as §3's lead-to-deal reads it) → a delivered contract; per channel and
    per campaign, with the campaign's budget per lead and per deal. One query."""
    period = period_for(store, first_day, last_day)
    groups = (
        Lead.objects.filter(store=store, created_at__gte=period.start,
                            created_at__lt=period.end)
        .values("channel", "campaign", "campaign__name", "campaign__budget").order_by()
        .annotate(
            leads=Count("pk"),
            visited=Count("pk", filter=_reached(Visit, "arrived_at")),
            test_driven=Count("pk", filter=_reached(TestDrive, "slot_start",
                                                    status__in=DRIVEN_STATUSES)),
            quoted=Count("pk", filter=_reached(Quote, "created_at")),
            won=Count("pk", filter=Q(status=LeadStatus.WON)),
            delivered=Count("pk", filter=_reached(Contract, "signed_at",
                                                  delivered_at__isnull=False)),
        )
    )
    by_channel: dict[str, FunnelCounts] = defaultdict(FunnelCounts)
    by_campaign: dict[int | None, FunnelCounts] = defaultdict(FunnelCounts)
    campaigns: dict[int, tuple[str, Decimal]] = {}
    total = FunnelCounts()
    for group in groups:
        counts = FunnelCounts(**{step: group[step] for step in FunnelCounts.STEPS})
        by_channel[group["channel"]].add(counts)
        by_campaign[group["campaign"]].add(counts)
        total.add(counts)
        if group["campaign"] is not None:
            campaigns[group["campaign"]] = (group["campaign__name"], group["campaign__budget"])
    labels = dict(Channel.choices)
    steps = (_("Leads"), _("Visited"), _("Test-driven"), _("Quoted"), _("Deals"),
             _("Delivered"), _("Lead to visit"), _("Lead to deal"))
    channel_rows = [(str(label), *by_channel[code].cells())
                    for code, label in Channel.choices if code in by_channel]
    campaign_rows = []
    for pk, (name, budget) in sorted(campaigns.items(), key=lambda kv: kv[1][0]):
        counts = by_campaign[pk]
        campaign_rows.append((name, *counts.cells(), _money(budget or None),
                              _money(_per(budget, counts.leads)),
                              _money(_per(budget, counts.won))))
    if None in by_campaign:
        campaign_rows.append((_("No campaign"), *by_campaign[None].cells(), DASH, DASH, DASH))
    tables = [
        Table("channel", _("By channel"), (_("Channel"), *steps), channel_rows,
              (_("Store"), *total.cells())),
        Table("campaign", _("By campaign"),
              (_("Campaign"), *steps, _("Budget"), _("Cost per lead"), _("Cost per deal")),
              campaign_rows, (_("Store"), *total.cells(), DASH, DASH, DASH)),
    ]
    chart = _chart(steps[:6], [(str(labels[code]), [getattr(c, s) for s in FunnelCounts.STEPS])
                               for code, c in by_channel.items()],
                   stacked=True)
    return Report(tables, chart, is_empty=not total.leads, totals={"funnel": total})


# --- 2. The consultants' ranking -----------------------------------------------------------
def ranking_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Per consultant: deals, walk-ins served, test drives, invitations made, new leads,
    and walk-in conversion (their deals ÷ the first visits they served); most deals first.
    Every active consultant of the store has a line, with nothing done too; the store's
    line takes §3's walk-in conversion (distinct customers) from `store_figures`."""
    activity = activity_by_consultant(store=store, first_day=first_day, last_day=last_day)
    names = {pk: name or username for pk, name, username in User.objects.filter(
        Q(pk__in=[pk for pk in activity if pk is not None])
        | Q(store=store, role=Role.CONSULTANT, is_active=True),
    ).values_list("pk", "name", "username")}
    lines = [(names[pk], activity.get(pk) or Activity()) for pk in names]
    lines.sort(key=lambda line: (-line[1].deals, -line[1].walk_ins, line[0]))
    if None in activity:  # walk-ins nobody served yet, pool leads
        lines.append((pgettext("consultant", "Not attributed"), activity[None]))
    figures = store_figures(store=store, first_day=first_day, last_day=last_day)
    total = store_activity(activity)

    def cells(name: str, row: Activity, conversion: Rate) -> tuple[str, ...]:
        return (name, _n(row.deals), _n(row.walk_ins), _n(row.first_visits),
                _n(row.test_drives), _n(row.invitations), _n(row.new_leads),
                conversion.percent)

    header = (_("Consultant"), _("Deals"), _("Walk-ins"), _("First visits"), _("Test drives"),
              _("Invitations"), _("New leads"), _("Walk-in conversion"))
    rows = [cells(name, row, Rate(row.deals, row.first_visits)) for name, row in lines]
    table = Table("consultant", _("Ranking"), header, rows,
                  cells(_("Store"), total, figures.walk_in_conversion))
    chart = _chart([name for name, _row in lines],
                   [(_("Deals"), [row.deals for _name, row in lines]),
                    (_("Test drives"), [row.test_drives for _name, row in lines])],
                   horizontal=True)
    return Report([table], chart, is_empty=total == Activity(),
                  totals={"activity": total, "figures": figures})


# --- 3. Lost reasons -------------------------------------------------------------------
def lost_reasons_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Leads closed lost in the period, by reason and by channel (reasons as rows, the
    channels that lost a lead as columns). One query."""
    period = period_for(store, first_day, last_day)
    reasons = dict(LostReason.choices)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for reason, channel, n in (
            Lead.objects.filter(store=store, status=LeadStatus.LOST,
                                closed_at__gte=period.start, closed_at__lt=period.end)
            .values("lost_reason", "channel").order_by().annotate(n=Count("pk"))
            .values_list("lost_reason", "channel", "n")):
        counts[reason if reason in reasons else "", channel] += n
    channels = [(code, str(label)) for code, label in Channel.choices
                if any(c == code for _r, c in counts)]
    lines = [(code, str(label)) for code, label in LostReason.choices]
    if any(r == "" for r, _c in counts):
        lines.append(("", pgettext("lost reason", "Not given")))
    total = sum(counts.values())
    rows, data = [], []
    for code, label in lines:
        by_reason = sum(n for (r, _c), n in counts.items() if r == code)
        rows.append((label, *(_n(counts.get((code, ch), 0)) for ch, _l in channels),
                     _n(by_reason), Rate(by_reason, total).percent))
        data.append(by_reason)
    footer = (_("Store"), *(_n(sum(n for (_r, c), n in counts.items() if c == ch))
                            for ch, _l in channels), _n(total), Rate(total, total).percent)
    header = (_("Reason"), *(label for _c, label in channels), pgettext("count", "Total"),
              _("Share"))
    table = Table("reason", _("By reason and channel"), header, rows, footer)
    chart = _chart([label for _c, label in lines], [(_("Lost leads"), data)],
                   horizontal=True)
    return Report([table], chart, is_empty=not total, totals={"lost": total})


# --- 4. First-contact SLA -------------------------------------------------------------
def first_contact_report(*, store: Store, first_day: dt.date, last_day: dt.date) -> Report:
    """Online leads created in the period first touched within 60 minutes (§3), by online
    channel and by consultant (the lead's owner). One query."""
    period = period_for(store, first_day, last_day)
    within = dt.timedelta(minutes=FIRST_CONTACT_MINUTES)
    groups = list(
        Lead.objects.filter(store=store, channel__in=ONLINE_CHANNELS,
                            created_at__gte=period.start, created_at__lt=period.end)
        .values("channel", "owner", "owner__name", "owner__username").order_by()
        .annotate(total=Count("pk"), met=Count("pk", filter=Q(
            first_touch_at__isnull=False, first_touch_at__lte=F("created_at") + within))))
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_owner: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for group in groups:
        for bucket in (by_channel[group["channel"]], by_owner[group["owner"]]):
            bucket[0] += group["met"]
            bucket[1] += group["total"]
        if group["owner"] is not None:
            names[group["owner"]] = group["owner__name"] or group["owner__username"]
    met = sum(m for m, _t in by_channel.values())
    total = sum(t for _m, t in by_channel.values())
    store_rate = Rate(met, total)

    def cells(label: str, counts: Sequence[int]) -> tuple[str, ...]:
        return (label, _n(counts[0]), _n(counts[1]), Rate(counts[0], counts[1]).percent)

    header = (_("Touched within 60 min"), _("Online leads"), _("SLA met"))
    channel_rows = [cells(str(label), by_channel[code]) for code, label in Channel.choices
                    if code in ONLINE_CHANNELS]
    owners = sorted(by_owner, key=lambda pk: (pk is None, names.get(pk, "")))
    owner_rows = [cells(_person(names, pk) if pk is not None
                        else pgettext("lead owner", "Unassigned"), by_owner[pk])
                  for pk in owners]
    footer = cells(_("Store"), (met, total))
    tables = [Table("channel", _("By channel"), (_("Channel"), *header), channel_rows, footer),
              Table("consultant", _("By consultant"), (_("Consultant"), *header), owner_rows,
                    footer)]
    chart = _chart([row[0] for row in channel_rows],
                   [(str(_("Within 60 min")),
                     [_chart_value(Rate(*by_channel[code])) for code in ONLINE_CHANNELS])],
                   percent=True)
    return Report(tables, chart, is_empty=not total, totals={"first_contact_sla": store_rate})


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
