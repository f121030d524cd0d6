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

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
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
    now = now or timezone.now()
    period = period_for(store, first_day, last_day)
    visits = _visit_counts(store, period)
    leads = _lead_counts(store, period)
    deals = _deal_count(store, period)
    return Figures(
        store_code=store.code, first_day=first_day, last_day=last_day,
        walk_ins_first=visits["first"], walk_ins_return=visits["returns"],
        deals=deals,
        walk_in_conversion=Rate(deals, visits["named"] + visits["anonymous"]),
        lead_to_visit_rate=Rate(leads["visited"], leads["created"]),
        lead_to_deal_rate=Rate(leads["won"], leads["created"]),
        invitation_show_rate=_invitation_show_rate(store, period),
        test_drive_rate=_test_drive_rate(store, period),
        activation_rate=_activation_rate(store, now),
        first_contact_sla=Rate(leads["online_in_time"], leads["online"]),
        slow_stock=_slow_stock(store, last_day),
        complaint_sla=_complaint_sla(store, period, now),
    )


def _visit_counts(store: Store, period: Period) -> dict[str, int]:
    is_first = Q(first_visit=True)
    return Visit.objects.filter(
        store=store, arrived_at__gte=period.start, arrived_at__lt=period.end,
    ).aggregate(
        first=Count("pk", filter=is_first),
        returns=Count("pk", filter=Q(first_visit=False)),
        named=Count("customer", filter=is_first, distinct=True),
        anonymous=Count("pk", filter=is_first & Q(customer__isnull=True)),
    )


def _deal_count(store: Store, period: Period) -> int:
    return Contract.objects.filter(store=store, signed_at__gte=period.start,
                                   signed_at__lt=period.end).count()


def _lead_counts(store: Store, period: Period) -> dict[str, int]:
    within = dt.timedelta(minutes=FIRST_CONTACT_MINUTES)
    visited = Visit.objects.filter(
        Q(lead=OuterRef("pk"))
        | Q(customer=OuterRef("customer"), arrived_at__gte=OuterRef("created_at")))
    online = Q(channel__in=ONLINE_CHANNELS)
    return (
        Lead.objects.filter(store=store, created_at__gte=period.start, created_at__lt=period.end)
        .annotate(has_visit=Exists(visited))
        .aggregate(
            created=Count("pk"),
            visited=Count("pk", filter=Q(has_visit=True)),
            won=Count("pk", filter=Q(status=LeadStatus.WON)),
            online=Count("pk", filter=online),
            online_in_time=Count("pk", filter=online & Q(
                first_touch_at__isnull=False,
                first_touch_at__lte=F("created_at") + within)),
        )
    )


def _invitation_show_rate(store: Store, period: Period) -> Rate:
    counts = Invitation.objects.filter(
        store=store, expected_at__gte=period.start, expected_at__lt=period.end,
        status__in=DUE_STATUSES,
    ).aggregate(due=Count("pk"), arrived=Count("pk", filter=Q(status=InvitationStatus.ARRIVED)))
    return Rate(counts["arrived"], counts["due"])


def _test_drive_rate(store: Store, period: Period) -> Rate:
    tz = store.tzinfo
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
    driven = sum(
        1 for pk, customer_id, arrived_at in first_visits
        if pk in by_visit
        or (customer_id and (customer_id, arrived_at.astimezone(tz).date()) in by_customer_day))
    return Rate(driven, len(first_visits))


def _activation_rate(store: Store, now: dt.datetime) -> Rate:
    counts = Lead.objects.filter(store=store, status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        meeting=Count("pk", filter=Q(status__in=ACTIVE_STATUSES) & (
            Q(follow_up_due_at__isnull=True) | Q(follow_up_due_at__gte=now))),
    )
    return Rate(counts["meeting"], counts["open"])


def _slow_stock(store: Store, last_day: dt.date) -> int:
    return StockVehicle.objects.filter(
        store=store, status=StockStatus.IN_STOCK,
        arrival_date__lt=last_day - dt.timedelta(days=SLOW_STOCK_DAYS),
    ).count()


def _complaint_sla(store: Store, period: Period, now: dt.datetime) -> Rate:
    complaints = list(Complaint.objects.filter(
        store=store, received_at__gte=period.start, received_at__lt=period.end))
    met = sum(1 for c in complaints if complaint_met_all_deadlines(c, now) is True)
    return Rate(met, len(complaints))


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
    period = period_for(store, first_day, last_day or first_day)
    rows: dict[int | None, Activity] = defaultdict(Activity)
    in_period = {"gte": period.start, "lt": period.end}
    for consultant, walk_ins, first in (
            Visit.objects.filter(store=store, arrived_at__gte=in_period["gte"],
                                 arrived_at__lt=in_period["lt"])
            .values("consultant").order_by()
            .annotate(n=Count("pk"), first=Count("pk", filter=Q(first_visit=True)))
            .values_list("consultant", "n", "first")):
        rows[consultant].walk_ins, rows[consultant].first_visits = walk_ins, first
    for consultant, deals, value_added in (
            Contract.objects.filter(store=store, signed_at__gte=in_period["gte"],
                                    signed_at__lt=in_period["lt"])
            .values("consultant").order_by()
            .annotate(n=Count("pk"), value=Coalesce(
                Sum(F("packages_total") + F("accessories_total")), ZERO))
            .values_list("consultant", "n", "value")):
        rows[consultant].deals = deals
        rows[consultant].value_added = Decimal(value_added).quantize(ZERO)
    for consultant, n in (
            TestDrive.objects.filter(store=store, status__in=DRIVEN_STATUSES,
                                     slot_start__gte=in_period["gte"],
                                     slot_start__lt=in_period["lt"])
            .values("consultant").order_by().annotate(n=Count("pk"))
            .values_list("consultant", "n")):
        rows[consultant].test_drives = n
    for consultant, n in (
            Invitation.objects.filter(store=store, created_at__gte=in_period["gte"],
                                      created_at__lt=in_period["lt"])
            .values("consultant").order_by().annotate(n=Count("pk"))
            .values_list("consultant", "n")):
        rows[consultant].invitations = n
    for owner, n in (
            Lead.objects.filter(store=store, created_at__gte=in_period["gte"],
                                created_at__lt=in_period["lt"])
            .values("owner").order_by().annotate(n=Count("pk"))
            .values_list("owner", "n")):
        rows[owner].new_leads = n
    return dict(rows)


def store_activity(activity: dict[int | None, Activity]) -> Activity:
    """The store's total of `activity_by_consultant` (no query)."""
    total = Activity()
    for row in activity.values():
        total = total + row
    return total
