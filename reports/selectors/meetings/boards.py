"""What both meeting boards are made of (dataclasses), their constants, and the
day's plan rows both read (invitations, test drives, handovers of a store day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from aftersales.models import CareStep
from contracts.enums import ContractStatus
from dealership.models import StockVehicle, Store, User
from delivery.models import Handover
from leads.enums import Channel
from leads.models import Lead
from reports.enums import NoteTopic, TargetMetric
from reports.metrics import (
    FIGURE_LABELS,
    FIGURES_QUERIES,
    Activity,
    Figures,
    Rate,
)
from reports.models import MeetingNote
from reports.selectors.targets import (
    TARGET_BOARD_QUERIES_GIVEN_ACTIVITY,
    TargetBoard,
)
from showroom.enums import HOLDING_TEST_DRIVE_STATUSES
from showroom.models import Invitation, TestDrive
from showroom.selectors.invitations import DUE_STATUSES

AVERAGE_DAYS = 30  # the morning's "30-day average" (the 30 days ending yesterday)
NO_DEAL_DAYS = 3  # a consultant without a deal on the last three store days is flagged
TURNOVER_DAYS = 30
OLDEST_STOCK_ROWS = 10
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")

# The most overdue follow-ups listed per consultant (all of them are counted): a book of
# thousands of overdue leads must not be loaded to be counted.
FOLLOW_UP_ROWS = 5
# The figures of yesterday and of the 30 days ending yesterday (one store_figures_span),
# the activity of yesterday and of the month (one activity_span, 5) and the rest of a
# target board; channels, five plan lists (the follow-ups: their counts, the most overdue
# ids, those leads), notes, deals.
MORNING_BOARD_QUERIES = (FIGURES_QUERIES + 5 + TARGET_BOARD_QUERIES_GIVEN_ACTIVITY
                         + 1 + 7 + 1 + 1)
# store_figures; the day's and the month's activity (one activity_span, 5) and the rest of
# a target board; notes, three plan lists, oldest stock, the two counts of the turnover.
EVENING_BOARD_QUERIES = (FIGURES_QUERIES + 5 + TARGET_BOARD_QUERIES_GIVEN_ACTIVITY
                         + 1 + 3 + 1 + 2)



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




# --- Rows of a store day, for the plans (today's and tomorrow's) ----------------------------
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
