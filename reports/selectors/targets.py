"""Monthly targets against a linear pace of the store's working days (issue 13 §2).

The pace of a month is the share of its working days that have begun by the end of `day`
(a store working every day is at 6/30 of the month's target on the 6th of a 30-day month).
Working days are the store's working weekdays (`ReportSettings`) minus its closed days.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dealership.enums import Role
from dealership.models import Store, User
from reports.enums import TargetMetric
from reports.metrics import Activity, activity_by_consultant, store_activity
from reports.models import ClosedDay, ReportSettings, Target

TARGET_BOARD_QUERIES = 4 + 5  # settings, closed days, targets, consultants + activity
# Given the month's activity (`activity=`, from `activity_span`): the four alone.
TARGET_BOARD_QUERIES_GIVEN_ACTIVITY = 4


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def report_settings_of(store: Store) -> ReportSettings:
    """The store's report settings, or the defaults (unsaved) when never set."""
    return (ReportSettings.objects.filter(store=store).first()
            or ReportSettings(store=store))


def working_days(*, store: Store, month: dt.date,
                 settings: ReportSettings | None = None) -> list[dt.date]:
    """The store's working days of `month`'s month, in order (one query, two without
    `settings`)."""
    settings = settings or report_settings_of(store)
    first, last = month_start(month), month_end(month)
    closed = set(ClosedDay.objects.filter(store=store, day__gte=first, day__lte=last)
                 .values_list("day", flat=True))
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if settings.is_working_weekday(d) and d not in closed]


@dataclass(frozen=True)
class Pace:
    """How far into the month's working days `day` is: `elapsed` of `total` (through the
    end of `day`). `share` is None for a month without a working day."""

    day: dt.date
    elapsed: int
    total: int

    @property
    def share(self) -> Decimal | None:
        return None if not self.total else Decimal(self.elapsed) / Decimal(self.total)


def pace_of(*, store: Store, day: dt.date, settings: ReportSettings | None = None) -> Pace:
    days = working_days(store=store, month=day, settings=settings)
    return Pace(day=day, elapsed=sum(1 for d in days if d <= day), total=len(days))


@dataclass(frozen=True)
class TargetLine:
    """One metric month to date: what was done, the target, where the pace says it should
    be by now. Without a target, only `actual` means anything."""

    metric: str
    actual: int | Decimal
    target: Decimal | None
    pace: Pace

    @property
    def label(self) -> str:
        return TargetMetric(self.metric).label

    @property
    def expected(self) -> Decimal | None:
        """The target times the pace's share, to one place (None without a target)."""
        if self.target is None or self.pace.share is None:
            return None
        return (self.target * self.pace.share).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def percent_of_target(self) -> Decimal | None:
        if not self.target:
            return None
        return (Decimal(self.actual) * 100 / self.target).quantize(Decimal("1"), ROUND_HALF_UP)

    @property
    def is_behind(self) -> bool:
        """Below the pace: a deviation the meetings highlight."""
        expected = self.expected
        return expected is not None and Decimal(self.actual) < expected


@dataclass
class ConsultantTargets:
    consultant: User
    activity: Activity
    lines: list[TargetLine] = field(default_factory=list)

    @property
    def behind(self) -> list[TargetLine]:
        return [line for line in self.lines if line.is_behind]


@dataclass
class TargetBoard:
    """Month to date of the store (`team`) and of each active consultant, by metric."""

    day: dt.date
    pace: Pace
    team: list[TargetLine]
    consultants: list[ConsultantTargets]


def _lines(activity: Activity, targets: dict[str, Decimal], pace: Pace) -> list[TargetLine]:
    return [TargetLine(metric=metric, actual=activity.get(metric), target=targets.get(metric),
                       pace=pace) for metric in TargetMetric.values]


def target_board(*, store: Store, day: dt.date,
                 activity: dict[int | None, Activity] | None = None) -> TargetBoard:
    """Month to date through the end of the store's `day`, against the month's targets.
    A fixed number of queries (TARGET_BOARD_QUERIES) whatever the number of consultants.
    `activity`: the month's activity through `day` when the caller has it already (the
    meetings read it with the day's, `reports.metrics.activity_span`)."""
    settings = report_settings_of(store)
    pace = pace_of(store=store, day=day, settings=settings)
    per_user: dict[int | None, dict[str, Decimal]] = {}
    for consultant_id, metric, value in Target.objects.filter(
            store=store, month=month_start(day)).values_list("consultant", "metric", "value"):
        per_user.setdefault(consultant_id, {})[metric] = value
    consultants = list(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
                       .select_related("team").order_by("team__name", "name", "username"))
    if activity is None:
        activity = activity_by_consultant(store=store, first_day=month_start(day),
                                          last_day=day)
    return TargetBoard(
        day=day, pace=pace,
        team=_lines(store_activity(activity), per_user.get(None, {}), pace),
        consultants=[
            ConsultantTargets(consultant=c, activity=activity.get(c.pk, Activity()),
                              lines=_lines(activity.get(c.pk, Activity()),
                                           per_user.get(c.pk, {}), pace))
            for c in consultants],
    )
