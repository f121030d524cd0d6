"""Every figure of DESIGN §3, for one store and one store-local day or period (inclusive).

This module is the only place a §3 figure is computed: the meeting pages, the wall screen,
the daily PDF, the charts' CSV exports and `manage.py report_figures` all read it. It only
reads, and it costs a fixed number of queries whatever the store's history: every query is
a range on an indexed timestamp of the store (or the store's open rows, for the figures
that are "right now"), never a cast of a column.

How §3's words are read, where they leave a choice:
- A *first visit* is a `Visit` marked `first_visit`; the others are returns. A first visit
  of nobody registered (an anonymous walk-in) is one distinct customer.
- A *deal* is a contract whose `signed_at` falls in the period, whatever became of it
  since (a later cancellation does not unsign it; commission reverses it, §3 does not).
- A lead *has a visit* when a visit names it, or a visit of its customer came after it
  was created.
- A first visit has *a test drive the same day* when a test drive of that customer (or
  booked from that visit) was on the road or done, starting on the visit's store day.
- A lead *meets its cadence* while it is actively worked (not dormant) and its next touch
  is not overdue; dormant leads are open but do not meet it.
- *First touched within 60 min*: the first touch at most 60 minutes after creation. The
  60 is §3's, not the store's escalation setting.
- *Slow stock*: vehicles `in_stock` now whose arrival is more than 60 store days before
  the period's last day.
- *Complaint SLA*: a complaint counts as meeting its deadlines once all three clocks of
  its current round stopped in time; one still running (in time) does not count yet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import Complaint
from aftersales.selectors.complaints import complaint_met_all_deadlines
from contracts.models import Contract
from dealership.enums import StockStatus
from dealership.models import StockVehicle, Store
from leads.enums import ACTIVE_STATUSES, ONLINE_CHANNELS, OPEN_STATUSES, LeadStatus
from leads.models import Lead
from leads.selectors.periods import Period, period_for
from showroom.enums import InvitationStatus, TestDriveStatus
from showroom.models import Invitation, TestDrive, Visit
from showroom.selectors.invitations import DUE_STATUSES

FIRST_CONTACT_MINUTES = 60  # DESIGN §3
SLOW_STOCK_DAYS = 60  # DESIGN §3
DRIVEN_STATUSES = (TestDriveStatus.IN_PROGRESS, TestDriveStatus.DONE)
FOUR_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")
FIGURES_QUERIES = 9
ACTIVITY_QUERIES = 5


# Each §3 figure's one name, by its §4 key: every page, the wall screen and the PDF use it.
FIGURE_LABELS = {
    "walk_ins_first": _("First visits"),
    "walk_ins_return": _("Return visits"),
    "deals": _("Deals"),
    "walk_in_conversion": _("Walk-in conversion"),
    "lead_to_visit_rate": _("Lead-to-visit rate"),
    "lead_to_deal_rate": _("Lead-to-deal rate"),
    "invitation_show_rate": _("Invitation show rate"),
    "test_drive_rate": _("Test-drive rate"),
    "activation_rate": _("Activation rate"),
    "first_contact_sla": _("First-contact SLA"),
    "slow_stock": _("Slow stock (over 60 days)"),
    "complaint_sla": _("Complaint SLA"),
}


@dataclass(frozen=True)
class Rate:
    """numerator ÷ denominator; `value` is None (shown "—") for a zero denominator."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(
            FOUR_PLACES, rounding=ROUND_HALF_UP)

    @property
    def percent(self) -> str:
        """For pages: "37.5%", or "—" for a zero denominator."""
        value = self.value
        return "—" if value is None else f"{(value * 100).quantize(Decimal('0.1'))}%"

    def __str__(self) -> str:
        return self.percent


@dataclass(frozen=True)
class Figures:
    """The §3 figures of one store for one period. Field names are §4's JSON keys."""

    store_code: str
    first_day: dt.date
    last_day: dt.date
    walk_ins_first: int
    walk_ins_return: int
    deals: int
    walk_in_conversion: Rate
    lead_to_visit_rate: Rate
    lead_to_deal_rate: Rate
    invitation_show_rate: Rate
    test_drive_rate: Rate
    activation_rate: Rate
    first_contact_sla: Rate
    slow_stock: int
    complaint_sla: Rate

    COUNTS = ("walk_ins_first", "walk_ins_return", "deals", "slow_stock")
    RATES = ("walk_in_conversion", "lead_to_visit_rate", "lead_to_deal_rate",
             "invitation_show_rate", "test_drive_rate", "activation_rate",
             "first_contact_sla", "complaint_sla")
    KEYS = ("walk_ins_first", "walk_ins_return", "deals", "walk_in_conversion",
            "lead_to_visit_rate", "lead_to_deal_rate", "invitation_show_rate",
            "test_drive_rate", "activation_rate", "first_contact_sla", "slow_stock",
            "complaint_sla")

    @property
    def walk_ins(self) -> int:
        return self.walk_ins_first + self.walk_ins_return

    def as_json(self) -> dict[str, int | str | None]:
        """§4's object: counts as integers, rates as 4-place decimals (strings keep the
        places exactly; the command prints them as JSON numbers) or None."""
        out: dict[str, int | Decimal | None] = {}
        for key in self.KEYS:
            value = getattr(self, key)
            out[key] = value.value if isinstance(value, Rate) else value
        return out


# --- The figures --------------------------------------------------------------------------
def store_figures(*, store: Store, first_day: dt.date, last_day: dt.date | None = None,
                  now: dt.datetime | None = None) -> Figures:
    """Every §3 figure of `store` for its local days `first_day` … `last_day` (inclusive).
    "Right now" figures (activation) are as of `now`. Nine queries, whatever the size.
    (`FIGURES_QUERIES`: the query-count tests and the wall screen's budget name it.)"""
    last_day = last_day or first_day
    return _figures(store=store, first_day=first_day, last_day=last_day,
                    now=now or timezone.now(), with_last_day=False)[0]


def store_figures_span(*, store: Store, first_day: dt.date, last_day: dt.date,
                       now: dt.datetime | None = None) -> tuple[Figures, Figures]:
    """(the figures of `last_day` alone, the figures of `first_day` … `last_day`), in the
    nine queries of one `store_figures`: the last day's rows are a part of the period's, so
    each query counts both (the morning's yesterday beside its 30-day average)."""
    figures = _figures(store=store, first_day=first_day, last_day=last_day,
                       now=now or timezone.now(), with_last_day=True)
    return figures[1], figures[0]


def _figures(*, store: Store, first_day: dt.date, last_day: dt.date, now: dt.datetime,
             with_last_day: bool) -> list[Figures]:
    """The period's figures, then (with_last_day) the last day's: each query reads the
    period's rows once and counts the last day's among them (a filter on the same indexed
    timestamp), so the second set costs no query."""
    periods = [period_for(store, first_day, last_day)]
    if with_last_day:
        periods.append(period_for(store, last_day, last_day))
    visits = _visit_counts(store, periods)
    leads = _lead_counts(store, periods)
    deals = _deal_counts(store, periods)
    invitations = _invitation_show_rates(store, periods)
    drives = _test_drive_rates(store, periods)
    activation = _activation_rate(store, now)
    slow = _slow_stock(store, last_day)
    complaints = _complaint_slas(store, periods, now)
    return [
        Figures(
            store_code=store.code, first_day=period.first_day, last_day=last_day,
            walk_ins_first=visits[n]["first"], walk_ins_return=visits[n]["returns"],
            deals=deals[n],
            walk_in_conversion=Rate(deals[n], visits[n]["named"] + visits[n]["anonymous"]),
            lead_to_visit_rate=Rate(leads[n]["visited"], leads[n]["created"]),
            lead_to_deal_rate=Rate(leads[n]["won"], leads[n]["created"]),
            invitation_show_rate=invitations[n],
            test_drive_rate=drives[n],
            activation_rate=activation,
            first_contact_sla=Rate(leads[n]["online_in_time"], leads[n]["online"]),
            slow_stock=slow,
            complaint_sla=complaints[n],
        )
        for n, period in enumerate(periods)]


def _in(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _split(field: str, periods: list[Period], counts: dict[str, tuple[str, Q | None]],
           queryset) -> list[dict[str, int]]:
    """Aggregate `counts` (name: (expression's field, filter)) over the first period's rows
    of `queryset`, and again for each further period (a part of the first) by filtering
    the same rows on `field`: one query."""
    aggregates = {}
    for n, period in enumerate(periods):
        within = _in(field, period) if n else None
        for name, (source, condition, *distinct) in counts.items():
            combined = condition if within is None else (
                within if condition is None else within & condition)
            aggregates[f"{name}_{n}"] = Count(source, filter=combined, distinct=bool(distinct))
    row = queryset.filter(_in(field, periods[0])).aggregate(**aggregates)
    return [{name: row[f"{name}_{n}"] for name in counts} for n in range(len(periods))]


def _visit_counts(store: Store, periods: list[Period]) -> list[dict[str, int]]:
    is_first = Q(first_visit=True)
    return _split("arrived_at", periods, {
        "first": ("pk", is_first),
        "returns": ("pk", Q(first_visit=False)),
        "named": ("customer", is_first, "distinct"),
        "anonymous": ("pk", is_first & Q(customer__isnull=True)),
    }, Visit.objects.filter(store=store))


def _deal_counts(store: Store, periods: list[Period]) -> list[int]:
    rows = _split("signed_at", periods, {"deals": ("pk", None)},
                  Contract.objects.filter(store=store))
    return [row["deals"] for row in rows]


def _lead_counts(store: Store, periods: list[Period]) -> list[dict[str, int]]:
    within = dt.timedelta(minutes=FIRST_CONTACT_MINUTES)
    # Two probes, each on one index of the visits (its lead; its customer), rather than one
    # OR of both that the database answers with a bitmap of the two for every lead.
    has_visit = (Exists(Visit.objects.filter(lead=OuterRef("pk")))
                 | Exists(Visit.objects.filter(customer=OuterRef("customer"),
                                               arrived_at__gte=OuterRef("created_at"))))
    online = Q(channel__in=ONLINE_CHANNELS)
    counts = {
        "created": Count("pk"),
        "visited": Count("pk", filter=Q(has_visit=True)),
        "won": Count("pk", filter=Q(status=LeadStatus.WON)),
        "online": Count("pk", filter=online),
        "online_in_time": Count("pk", filter=online & Q(
            first_touch_at__isnull=False, first_touch_at__lte=F("created_at") + within)),
    }
    leads = (Lead.objects.filter(_in("created_at", periods[0]), store=store)
             .annotate(has_visit=has_visit))
    if len(periods) == 1:
        return [leads.aggregate(**counts)]
    # The last day's leads are a group of the period's (grouped, not counted twice with a
    # filter each): every lead's visits are probed once.
    rows = (leads.annotate(part=ExpressionWrapper(_in("created_at", periods[1]),
                                                  output_field=BooleanField()))
            .values("part").order_by().annotate(**counts))
    period, part = dict.fromkeys(counts, 0), dict.fromkeys(counts, 0)
    for row in rows:
        for name in counts:
            period[name] += row[name]
            if row["part"]:
                part[name] += row[name]
    return [period, part]


def _invitation_show_rates(store: Store, periods: list[Period]) -> list[Rate]:
    rows = _split("expected_at", periods, {
        "due": ("pk", None), "arrived": ("pk", Q(status=InvitationStatus.ARRIVED)),
    }, Invitation.objects.filter(store=store, status__in=DUE_STATUSES))
    return [Rate(row["arrived"], row["due"]) for row in rows]


def _test_drive_rates(store: Store, periods: list[Period]) -> list[Rate]:
    tz = store.tzinfo
    period = periods[0]
    first_visits = list(
        Visit.objects.filter(store=store, first_visit=True, arrived_at__gte=period.start,
                             arrived_at__lt=period.end)
        .values_list("pk", "customer_id", "arrived_at"))
    # A drive may start a little off its slot: read a day either side, match on the day.
    drives = TestDrive.objects.filter(
        store=store, status__in=DRIVEN_STATUSES,
        slot_start__gte=period.start - dt.timedelta(days=1),
        slot_start__lt=period.end + dt.timedelta(days=1),
    ).values_list("visit_id", "customer_id", "started_at", "slot_start")
    by_visit: set[int] = set()
    by_customer_day: set[tuple[int, dt.date]] = set()
    for visit_id, customer_id, started_at, slot_start in drives:
        if visit_id:
            by_visit.add(visit_id)
        by_customer_day.add((customer_id, (started_at or slot_start).astimezone(tz).date()))
    rates = []
    for part in periods:
        visits = [(pk, customer_id, arrived_at) for pk, customer_id, arrived_at in first_visits
                  if part.start <= arrived_at < part.end]
        driven = sum(
            1 for pk, customer_id, arrived_at in visits
            if pk in by_visit
            or (customer_id
                and (customer_id, arrived_at.astimezone(tz).date()) in by_customer_day))
        rates.append(Rate(driven, len(visits)))
    return rates


def _activation_rate(store: Store, now: dt.datetime) -> Rate:
    # The store's open rows only, read from the (store, status, follow_up_due_at) index
    # alone: every column counted is in it (status is never null; the id is not in it).
    counts = Lead.objects.filter(store=store, status__in=OPEN_STATUSES).aggregate(
        open=Count("status"),
        meeting=Count("status", filter=Q(status__in=ACTIVE_STATUSES) & (
            Q(follow_up_due_at__isnull=True) | Q(follow_up_due_at__gte=now))),
    )
    return Rate(counts["meeting"], counts["open"])


def _slow_stock(store: Store, last_day: dt.date) -> int:
    return StockVehicle.objects.filter(
        store=store, status=StockStatus.IN_STOCK,
        arrival_date__lt=last_day - dt.timedelta(days=SLOW_STOCK_DAYS),
    ).count()


def _complaint_slas(store: Store, periods: list[Period], now: dt.datetime) -> list[Rate]:
    period = periods[0]
    complaints = list(Complaint.objects.filter(
        store=store, received_at__gte=period.start, received_at__lt=period.end))
    rates = []
    for part in periods:
        mine = [c for c in complaints if part.start <= c.received_at < part.end]
        met = sum(1 for c in mine if complaint_met_all_deadlines(c, now) is True)
        rates.append(Rate(met, len(mine)))
    return rates


# --- Activity per consultant (targets, meetings, ranking) ---------------------------------
@dataclass
class Activity:
    """What one consultant (or, summed, the store) did in a period: the counts monthly
    targets are set on. `walk_ins` are the visits they served, `invitations` those they
    made in the period (邀约), `new_leads` the leads created in the period they own,
    `value_added` the packages and accessories on their deals (CNY)."""

    walk_ins: int = 0
    first_visits: int = 0
    deals: int = 0
    test_drives: int = 0
    invitations: int = 0
    new_leads: int = 0
    value_added: Decimal = field(default_factory=lambda: ZERO)

    def __add__(self, other: Activity) -> Activity:
        return Activity(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                           for f in dataclasses.fields(self)})

    def get(self, metric: str) -> int | Decimal:
        """The count a target of `metric` (reports.enums.TargetMetric) is measured on."""
        return getattr(self, metric)


def activity_by_consultant(*, store: Store, first_day: dt.date,
                           last_day: dt.date | None = None) -> dict[int | None, Activity]:
    """Per consultant id (None: nobody's, e.g. pool leads or walk-ins not yet served): the
    period's activity. Five grouped queries, whatever the number of consultants."""
    return _activity(store=store, first_day=first_day, last_day=last_day or first_day,
                     with_last_day=False)[0]


def activity_span(*, store: Store, first_day: dt.date, last_day: dt.date
                  ) -> tuple[dict[int | None, Activity], dict[int | None, Activity]]:
    """(the activity of `last_day` alone, the activity of `first_day` … `last_day`) per
    consultant id, in the five queries of one `activity_by_consultant` (the meetings' day
    beside the month to date)."""
    period, day = _activity(store=store, first_day=first_day, last_day=last_day,
                            with_last_day=True)
    return day, period


def _activity(*, store: Store, first_day: dt.date, last_day: dt.date,
              with_last_day: bool) -> list[dict[int | None, Activity]]:
    periods = [period_for(store, first_day, last_day)]
    if with_last_day:
        periods.append(period_for(store, last_day, last_day))
    rows: list[dict[int | None, Activity]] = [defaultdict(Activity) for _ in periods]

    def grouped(queryset, field: str, by: str, **counts):
        """`counts` (name: aggregate factory of a filter) per `by`, for each period."""
        aggregates = {}
        for n, period in enumerate(periods):
            within = _in(field, period) if n else Q()
            for name, make in counts.items():
                aggregates[f"{name}_{n}"] = make(within)
        for row in (queryset.filter(_in(field, periods[0])).values(by).order_by()
                    .annotate(**aggregates)):
            for n in range(len(periods)):
                values = {name: row[f"{name}_{n}"] for name in counts}
                if any(values.values()):
                    yield n, row[by], values

    def count(extra: Q | None = None):
        return lambda within: Count("pk", filter=within & (extra or Q()))

    def value_added(within: Q):
        return Coalesce(Sum(F("packages_total") + F("accessories_total"), filter=within), ZERO)

    for n, consultant, v in grouped(Visit.objects.filter(store=store), "arrived_at",
                                    "consultant", n=count(),
                                    first=count(Q(first_visit=True))):
        rows[n][consultant].walk_ins, rows[n][consultant].first_visits = v["n"], v["first"]
    for n, consultant, v in grouped(Contract.objects.filter(store=store), "signed_at",
                                    "consultant", n=count(), value=value_added):
        rows[n][consultant].deals = v["n"]
        rows[n][consultant].value_added = Decimal(v["value"]).quantize(ZERO)
    for n, consultant, v in grouped(
            TestDrive.objects.filter(store=store, status__in=DRIVEN_STATUSES), "slot_start",
            "consultant", n=count()):
        rows[n][consultant].test_drives = v["n"]
    for n, consultant, v in grouped(Invitation.objects.filter(store=store), "created_at",
                                    "consultant", n=count()):
        rows[n][consultant].invitations = v["n"]
    for n, owner, v in grouped(Lead.objects.filter(store=store), "created_at", "owner",
                               n=count()):
        rows[n][owner].new_leads = v["n"]
    return [dict(r) for r in rows]


def store_activity(activity: dict[int | None, Activity]) -> Activity:
    """The store's total of `activity_by_consultant` (no query)."""
    total = Activity()
    for row in activity.values():
        total = total + row
    return total
