"""The morning and the evening meeting boards (issue 13 §3; seed 003 清晨 and 傍晚).

Two read-only boards, each for one store-local `day`. The meeting pages, the wall screen
and the daily PDF are all built from `morning_board` and `evening_board`: every §3 figure in
them comes from `reports.metrics`, every month-to-date line from `reports.selectors.targets`.
People are `User` objects and customers `Customer` objects, unmasked: whoever shows them
masks them (the wall screen shows 张*伟, the pages show `customer.phone_masked` at most).

Both cost a fixed number of queries whatever the number of consultants or rows
(`MORNING_BOARD_QUERIES`, `EVENING_BOARD_QUERIES`; a store without an active consultant
skips the per-consultant queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from aftersales.enums import OPEN_CARE_STEP_STATUSES, CareChannel
from aftersales.models import CareStep
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import ON_HAND_STOCK_STATUSES, StockStatus
from dealership.models import StockVehicle, Store, User
from delivery.models import Handover
from leads.enums import ACTIVE_STATUSES, Channel, Grade
from leads.models import Lead
from leads.selectors.periods import period_for
from reports.enums import MeetingKind, NoteTopic, TargetMetric
from reports.metrics import (
    FIGURE_LABELS,
    FIGURES_QUERIES,
    Activity,
    Figures,
    Rate,
    activity_by_consultant,
    store_activity,
    store_figures,
)
from reports.models import MeetingNote
from reports.selectors.targets import (
    TARGET_BOARD_QUERIES,
    TargetBoard,
    TargetLine,
    target_board,
)
from showroom.enums import HOLDING_TEST_DRIVE_STATUSES
from showroom.models import Invitation, TestDrive
from showroom.selectors.invitations import DUE_STATUSES

MEETING_DAYS_BACK = 400  # a meeting page (and a note) reaches 400 days back …
MEETING_DAYS_AHEAD = 7  # … and a week ahead (the briefing prepared in advance)
AVERAGE_DAYS = 30  # the morning's "30-day average" (the 30 days ending yesterday)
NO_DEAL_DAYS = 3  # a consultant without a deal on the last three store days is flagged
TURNOVER_DAYS = 30
OLDEST_STOCK_ROWS = 10
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")

# The most overdue follow-ups listed per consultant (all of them are counted): a book of
# thousands of overdue leads must not be loaded to be counted.
FOLLOW_UP_ROWS = 5
# Two store_figures, an activity, a target board; channels, five plan lists (and the
# follow-ups' counts), notes, deals.
MORNING_BOARD_QUERIES = 2 * FIGURES_QUERIES + 5 + TARGET_BOARD_QUERIES + 1 + 6 + 1 + 1
# store_figures, a target board, the day's activity; notes, three plan lists, oldest stock,
# the two counts of the turnover.
EVENING_BOARD_QUERIES = FIGURES_QUERIES + TARGET_BOARD_QUERIES + 5 + 1 + 3 + 1 + 2



def meeting_day_range(store: Store, *, today: dt.date | None = None
                      ) -> tuple[dt.date, dt.date]:
    """The days a meeting can be opened (and a note written) for: 400 days back to 7 ahead
    of the store's today."""
    today = today or store.today()
    return (today - dt.timedelta(days=MEETING_DAYS_BACK),
            today + dt.timedelta(days=MEETING_DAYS_AHEAD))


def meeting_notes(*, store: Store, day: dt.date, meeting: str) -> list[MeetingNote]:
    """The notes of one meeting of `day` (not removed), oldest first, author loaded."""
    return list(MeetingNote.objects.filter(store=store, day=day, meeting=meeting,
                                           removed_at__isnull=True)
                .select_related("author").order_by("created_at", "pk"))


def meeting_note_get_for_user(*, user: User, pk: int) -> MeetingNote:
    """A note of the user's store (removed or not); Http404 for any other."""
    return get_object_or_404(MeetingNote.objects.select_related("store"),
                             pk=pk, store_id=user.store_id)


# --- Pieces shared by both boards --------------------------------------------------------
@dataclass(frozen=True)
class FigureRow:
    """One §3 figure beside its 30-day average, for the morning's first card."""

    key: str
    """The §4 JSON key (`Figures.KEYS`), e.g. "walk_in_conversion"."""
    value: int | Rate
    """Yesterday's value: a count, or a `Rate` (show `.percent`)."""
    average: Decimal | Rate | None
    """Counts: the per-day average of the 30 days ending yesterday, to one place (Decimal).
    Rates: the `Rate` over those 30 days. None for slow stock, a count of vehicles on hand
    at the period's end rather than of events, which has no per-day average."""

    @property
    def label(self) -> str:
        return str(FIGURE_LABELS[self.key])

    @property
    def is_rate(self) -> bool:
        return isinstance(self.value, Rate)

    @property
    def value_display(self) -> str:
        """"12" or "37.5%" / "—"."""
        return self.value.percent if isinstance(self.value, Rate) else str(self.value)

    @property
    def average_display(self) -> str:
        """"12.3", "37.5%" or "—"."""
        if self.average is None:
            return "—"
        return self.average.percent if isinstance(self.average, Rate) else str(self.average)


@dataclass(frozen=True)
class ChannelCount:
    channel: str
    """The `leads.enums.Channel` value."""
    count: int

    @property
    def label(self) -> str:
        return Channel(self.channel).label


@dataclass
class ConsultantPlan:
    """What one consultant has on `day` (the morning: today's plan). Each list is the rows
    themselves; the counts are their lengths."""

    consultant: User
    follow_up_count: int = 0
    """How many of their active leads have their next touch due by the end of `day`
    (overdue included)."""
    follow_ups: list[Lead] = field(default_factory=list)
    """The most overdue of those (at most FOLLOW_UP_ROWS), first first; `lead.customer`
    is loaded."""
    invitations: list[Invitation] = field(default_factory=list)
    """Invitations they made for customers expected on `day` (not cancelled), by time;
    `invitation.lead.customer` is loaded."""
    test_drives: list[TestDrive] = field(default_factory=list)
    """Test drives of theirs booked on `day` (not cancelled), by slot; `customer` and
    `vehicle.trim` are loaded."""
    deliveries: list[Handover] = field(default_factory=list)
    """Handovers of their contracts scheduled on `day` (contract not cancelled), by time;
    `contract.customer` is loaded."""
    care_calls: list[CareStep] = field(default_factory=list)
    """After-sales care calls assigned to them, open and due on `day` or before."""

    @property
    def follow_ups_not_listed(self) -> int:
        return self.follow_up_count - len(self.follow_ups)

    @property
    def total(self) -> int:
        return (self.follow_up_count + len(self.invitations) + len(self.test_drives)
                + len(self.deliveries) + len(self.care_calls))


@dataclass(frozen=True)
class KeyCustomer:
    """A customer the whole team should know about on `day`."""

    kind: str
    """"invitation" (an A-grade lead expected in the showroom), "test_drive" (an A-grade
    lead's test drive) or "delivery"."""
    at: dt.datetime
    """When (aware): expected, slot, or the handover appointment."""
    customer: object
    """The `dealership.Customer` (unmasked: mask it where shown)."""
    model: str
    """The car: the lead's model of interest, the test-drive vehicle's trim, or the
    contract's vehicle description."""
    consultant: User | None


@dataclass(frozen=True)
class DayLine:
    """One metric for one day against the day's share of the month's target (the evening):
    `target` is the month's target ÷ the month's working days, to one place."""

    metric: str
    """A `reports.enums.TargetMetric` value."""
    actual: int | Decimal
    """What was done on the day (`reports.metrics.Activity`)."""
    target: Decimal | None
    """The day's share of the month's target (None without a target)."""

    @property
    def label(self) -> str:
        return TargetMetric(self.metric).label

    @property
    def is_behind(self) -> bool:
        """Below the day's share: a deviation the evening highlights."""
        return self.target is not None and Decimal(self.actual) < self.target

    @property
    def percent_of_target(self) -> Decimal | None:
        if not self.target:
            return None
        return (Decimal(self.actual) * 100 / self.target).quantize(Decimal("1"), ROUND_HALF_UP)


@dataclass
class ConsultantDay:
    """One consultant's day against the day's share of their month's targets."""

    consultant: User
    activity: Activity
    """What they did on the day."""
    lines: list[DayLine]

    @property
    def behind(self) -> list[DayLine]:
        return [line for line in self.lines if line.is_behind]


@dataclass(frozen=True)
class Turnover:
    """Inventory turnover of the last 30 store days ending `day`: vehicles delivered in
    those days ÷ the average number on hand. On hand is the vehicles physically at the store
    (in stock, reserved, demo) now; on hand at the window's start is taken as on hand now +
    delivered in the window − arrived in the window; the average is the mean of the two.
    `value` is None (shown "—") when nothing was delivered or nothing was on hand."""

    delivered: int
    """Contracts delivered in the window (delivered_at within its store days)."""
    on_hand: int
    """Vehicles on hand now."""
    arrived: int
    """Vehicles whose arrival date is within the window."""

    @property
    def average_on_hand(self) -> Decimal:
        start = max(self.on_hand + self.delivered - self.arrived, 0)
        return (Decimal(start + self.on_hand) / 2).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def value(self) -> Decimal | None:
        average = self.average_on_hand
        if not self.delivered or not average:
            return None
        return (Decimal(self.delivered) / average).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def display(self) -> str:
        value = self.value
        return "—" if value is None else str(value)


# --- The boards ---------------------------------------------------------------------------
@dataclass
class MorningBoard:
    """The morning meeting of store-local `day`, about `yesterday`."""

    store: Store
    day: dt.date
    """The meeting's day (the store's today by default)."""
    yesterday: dt.date
    figures: Figures
    """Every §3 figure of yesterday (`store_figures(store, yesterday)`)."""
    average: Figures
    """The §3 figures of the 30 days ending yesterday (yesterday-29 … yesterday)."""
    figure_rows: list[FigureRow]
    """`figures` beside `average`, one row per §4 key, in `Figures.KEYS` order."""
    leads_by_channel: list[ChannelCount]
    """New leads created yesterday by channel, the most first (channels with none left
    out)."""
    yesterday_activity: dict[int | None, Activity]
    """Yesterday's activity per consultant id (`activity_by_consultant`)."""
    test_drives: int
    """Test drives on the road or done yesterday (the store's `Activity.test_drives`)."""
    deals: int
    """Contracts signed yesterday (`figures.deals`)."""
    targets: TargetBoard
    """Month to date through yesterday against target, team and per consultant."""
    plans: list[ConsultantPlan]
    """Today's plan of each active consultant (the target board's order)."""
    key_customers: list[KeyCustomer]
    """A-grade leads invited or booked for a test drive today, and deliveries today, by
    time."""
    notes: list[MeetingNote]
    """The manager's briefing notes for `day` (morning, not removed), oldest first;
    `note.author` loaded."""
    no_deal_consultants: list[User]
    """Active consultants without a contract signed by them on yesterday, the day before
    or the day before that."""
    no_deal_since: dt.date
    """The first of those three days (yesterday - 2)."""

    @property
    def new_leads(self) -> int:
        return sum(row.count for row in self.leads_by_channel)

    def plan_totals(self) -> dict[str, int]:
        """The team's counts of each plan list."""
        keys = ("invitations", "test_drives", "deliveries", "care_calls")
        return {"follow_ups": sum(plan.follow_up_count for plan in self.plans)} | {
            key: sum(len(getattr(plan, key)) for plan in self.plans) for key in keys}


@dataclass
class EveningBoard:
    """The evening meeting of store-local `day`: the day against target, problems, and
    tomorrow."""

    store: Store
    day: dt.date
    tomorrow: dt.date
    figures: Figures
    """Every §3 figure of `day` (`store_figures(store, day)`)."""
    activity: Activity
    """What the store did on `day` (all consultants and nobody's rows summed)."""
    team_day: list[DayLine]
    """The store's day against the day's share of the store's month targets."""
    consultants_day: list[ConsultantDay]
    """Each active consultant's day against their share (the target board's order)."""
    month: TargetBoard
    """Month to date through `day` (`target_board(store, day)`)."""
    notes: list[MeetingNote]
    """All evening notes of `day` (not removed), oldest first; `note.author` loaded."""
    invitations_tomorrow: list[Invitation]
    """Invitations expected tomorrow (not cancelled), by time; lead.customer and consultant
    loaded."""
    test_drives_tomorrow: list[TestDrive]
    """Test drives booked tomorrow with their vehicle (the cars to reserve), by slot."""
    deliveries_tomorrow: list[Handover]
    """Handovers scheduled tomorrow (contract not cancelled), by time; contract.customer and
    contract.consultant loaded."""
    slow_stock: int
    """Vehicles in stock more than 60 days (`figures.slow_stock`)."""
    oldest_stock: list[StockVehicle]
    """The 10 in-stock vehicles that arrived first (trim and colour loaded)."""
    turnover: Turnover

    @property
    def problems(self) -> list[MeetingNote]:
        """The notes about problems (topic "problem")."""
        return [note for note in self.notes if note.topic == NoteTopic.PROBLEM]

    @property
    def deviations(self) -> int:
        """How many of the team's and the consultants' day lines are behind."""
        return (sum(1 for line in self.team_day if line.is_behind)
                + sum(len(c.behind) for c in self.consultants_day))


# --- Morning ------------------------------------------------------------------------------
def morning_board(*, store: Store, day: dt.date, now: dt.datetime | None = None) -> MorningBoard:
    """The morning meeting of `day` (store-local). `now` is for the "right now" figures
    (activation); the plan is the rows of `day` whatever the hour."""
    now = now or timezone.now()
    yesterday = day - dt.timedelta(days=1)
    figures = store_figures(store=store, first_day=yesterday, now=now)
    average = store_figures(store=store, first_day=yesterday - dt.timedelta(days=AVERAGE_DAYS - 1),
                            last_day=yesterday, now=now)
    activity = activity_by_consultant(store=store, first_day=yesterday)
    targets = target_board(store=store, day=yesterday)
    consultants = [row.consultant for row in targets.consultants]
    plans = _plans(store=store, day=day, consultants=consultants)
    since = yesterday - dt.timedelta(days=NO_DEAL_DAYS - 1)
    return MorningBoard(
        store=store, day=day, yesterday=yesterday, figures=figures, average=average,
        figure_rows=_figure_rows(figures, average),
        leads_by_channel=_leads_by_channel(store=store, day=yesterday),
        yesterday_activity=activity,
        test_drives=sum(row.test_drives for row in activity.values()),
        deals=figures.deals, targets=targets, plans=plans,
        key_customers=_key_customers(plans),
        notes=meeting_notes(store=store, day=day, meeting=MeetingKind.MORNING),
        no_deal_consultants=_without_deal(store=store, consultants=consultants,
                                          first_day=since, last_day=yesterday),
        no_deal_since=since,
    )


def _figure_rows(figures: Figures, average: Figures) -> list[FigureRow]:
    days = (average.last_day - average.first_day).days + 1
    rows = []
    for key in Figures.KEYS:
        value, over = getattr(figures, key), getattr(average, key)
        if isinstance(value, Rate):
            mean: Decimal | Rate | None = over
        elif key == "slow_stock":
            mean = None
        else:
            mean = (Decimal(over) / days).quantize(ONE_PLACE, ROUND_HALF_UP)
        rows.append(FigureRow(key=key, value=value, average=mean))
    return rows


def _leads_by_channel(*, store: Store, day: dt.date) -> list[ChannelCount]:
    start, end = store.day_bounds(day)
    rows = (Lead.objects.filter(store=store, created_at__gte=start, created_at__lt=end)
            .values("channel").order_by().annotate(n=Count("pk"))
            .values_list("channel", "n"))
    return sorted((ChannelCount(channel=c, count=n) for c, n in rows),
                  key=lambda row: (-row.count, row.channel))


def _plans(*, store: Store, day: dt.date, consultants: list[User]) -> list[ConsultantPlan]:
    plans = {c.pk: ConsultantPlan(consultant=c) for c in consultants}
    ids = list(plans)
    _start, end = store.day_bounds(day)
    due = Lead.objects.filter(store=store, owner__in=ids, status__in=ACTIVE_STATUSES,
                              follow_up_due_at__lt=end)
    for owner, count in due.values("owner").order_by().annotate(n=Count("pk")).values_list(
            "owner", "n"):
        plans[owner].follow_up_count = count
    most_overdue = Window(RowNumber(), partition_by=[F("owner")],
                          order_by=[F("follow_up_due_at").asc(), F("pk").asc()])
    for lead in (due.annotate(rank=most_overdue).filter(rank__lte=FOLLOW_UP_ROWS)
                 .select_related("customer").order_by("follow_up_due_at", "pk")):
        plans[lead.owner_id].follow_ups.append(lead)
    for invitation in _invitations(store=store, day=day).filter(consultant__in=ids):
        plans[invitation.consultant_id].invitations.append(invitation)
    for drive in _test_drives(store=store, day=day).filter(consultant__in=ids):
        plans[drive.consultant_id].test_drives.append(drive)
    for handover in _handovers(store=store, day=day).filter(contract__consultant__in=ids):
        plans[handover.contract.consultant_id].deliveries.append(handover)
    for step in (CareStep.objects.filter(store=store, assignee__in=ids, channel=CareChannel.CALL,
                                         status__in=OPEN_CARE_STEP_STATUSES, due_on__lte=day)
                 .select_related("customer").order_by("due_on", "pk")):
        plans[step.assignee_id].care_calls.append(step)
    return [plans[c.pk] for c in consultants]


def _invitations(*, store: Store, day: dt.date):
    start, end = store.day_bounds(day)
    return (Invitation.objects.filter(store=store, expected_at__gte=start, expected_at__lt=end,
                                      status__in=DUE_STATUSES)
            .select_related("lead__customer", "consultant").order_by("expected_at", "pk"))


def _test_drives(*, store: Store, day: dt.date):
    start, end = store.day_bounds(day)
    return (TestDrive.objects.filter(store=store, slot_start__gte=start, slot_start__lt=end,
                                     status__in=HOLDING_TEST_DRIVE_STATUSES)
            .select_related("customer", "consultant", "lead", "vehicle__trim__series__brand",
                            "vehicle__colour")
            .order_by("slot_start", "pk"))


def _handovers(*, store: Store, day: dt.date):
    start, end = store.day_bounds(day)
    return (Handover.objects.filter(store=store, scheduled_at__gte=start, scheduled_at__lt=end)
            .exclude(contract__status=ContractStatus.CANCELLED)
            .select_related("contract__customer", "contract__consultant")
            .order_by("scheduled_at", "pk"))


def _key_customers(plans: list[ConsultantPlan]) -> list[KeyCustomer]:
    rows: list[KeyCustomer] = []
    for plan in plans:
        for invitation in plan.invitations:
            if invitation.lead.grade == Grade.A:
                rows.append(KeyCustomer(
                    kind="invitation", at=invitation.expected_at,
                    customer=invitation.lead.customer, model=invitation.lead.model_interest,
                    consultant=plan.consultant))
        for drive in plan.test_drives:
            if drive.lead is not None and drive.lead.grade == Grade.A:
                rows.append(KeyCustomer(kind="test_drive", at=drive.slot_start,
                                        customer=drive.customer, model=str(drive.vehicle.trim),
                                        consultant=plan.consultant))
        for handover in plan.deliveries:
            rows.append(KeyCustomer(kind="delivery", at=handover.scheduled_at,
                                    customer=handover.contract.customer,
                                    model=handover.contract.vehicle_description,
                                    consultant=plan.consultant))
    return sorted(rows, key=lambda row: row.at)


def _without_deal(*, store: Store, consultants: list[User], first_day: dt.date,
                  last_day: dt.date) -> list[User]:
    period = period_for(store, first_day, last_day)
    dealt = set(Contract.objects.filter(store=store, signed_at__gte=period.start,
                                        signed_at__lt=period.end)
                .values_list("consultant", flat=True).distinct())
    return [c for c in consultants if c.pk not in dealt]


# --- Evening ------------------------------------------------------------------------------
def evening_board(*, store: Store, day: dt.date, now: dt.datetime | None = None) -> EveningBoard:
    """The evening meeting of `day` (store-local): the day's figures against the day's share
    of the month's targets, month to date, the notes, tomorrow's plan, and the stock."""
    now = now or timezone.now()
    tomorrow = day + dt.timedelta(days=1)
    figures = store_figures(store=store, first_day=day, now=now)
    month = target_board(store=store, day=day)
    activity = activity_by_consultant(store=store, first_day=day)
    team_activity = store_activity(activity)
    total_days = month.pace.total
    return EveningBoard(
        store=store, day=day, tomorrow=tomorrow, figures=figures, activity=team_activity,
        team_day=_day_lines(team_activity, month.team, total_days),
        consultants_day=[
            ConsultantDay(consultant=row.consultant,
                          activity=activity.get(row.consultant.pk, Activity()),
                          lines=_day_lines(activity.get(row.consultant.pk, Activity()),
                                           row.lines, total_days))
            for row in month.consultants],
        month=month,
        notes=meeting_notes(store=store, day=day, meeting=MeetingKind.EVENING),
        invitations_tomorrow=list(_invitations(store=store, day=tomorrow)),
        test_drives_tomorrow=list(_test_drives(store=store, day=tomorrow)),
        deliveries_tomorrow=list(_handovers(store=store, day=tomorrow)),
        slow_stock=figures.slow_stock,
        oldest_stock=list(
            StockVehicle.objects.filter(store=store, status=StockStatus.IN_STOCK)
            .select_related("trim__series__brand", "colour")
            .order_by("arrival_date", "pk")[:OLDEST_STOCK_ROWS]),
        turnover=_turnover(store=store, day=day),
    )


def _day_lines(activity: Activity, month_lines: list[TargetLine], working_days: int
               ) -> list[DayLine]:
    lines = []
    for line in month_lines:
        target = None
        if line.target is not None and working_days:
            target = (line.target / working_days).quantize(ONE_PLACE, ROUND_HALF_UP)
        lines.append(DayLine(metric=line.metric, actual=activity.get(line.metric),
                             target=target))
    return lines


def _turnover(*, store: Store, day: dt.date) -> Turnover:
    first = day - dt.timedelta(days=TURNOVER_DAYS - 1)
    period = period_for(store, first, day)
    stock = StockVehicle.objects.filter(store=store).aggregate(
        on_hand=Count("pk", filter=Q(status__in=ON_HAND_STOCK_STATUSES)),
        arrived=Count("pk", filter=Q(arrival_date__gte=first, arrival_date__lte=day)))
    delivered = Contract.objects.filter(store=store, delivered_at__gte=period.start,
                                        delivered_at__lt=period.end).count()
    return Turnover(delivered=delivered, on_hand=stock["on_hand"], arrived=stock["arrived"])


__all__ = [
    "EVENING_BOARD_QUERIES", "MORNING_BOARD_QUERIES", "ChannelCount", "ConsultantDay",
    "ConsultantPlan", "DayLine", "EveningBoard", "FigureRow",
    "KeyCustomer", "MorningBoard", "Turnover", "evening_board", "meeting_day_range",
    "meeting_note_get_for_user", "meeting_notes", "morning_board",
]
