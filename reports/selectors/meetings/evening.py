"""The evening meeting's board (seed 003 傍晚)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP

from django.db.models import Count, Q
from django.utils import timezone

from contracts.models import Contract
from dealership.enums import ON_HAND_STOCK_STATUSES, StockStatus
from dealership.models import StockVehicle, Store
from leads.selectors.periods import period_for
from reports.enums import MeetingKind
from reports.metrics import (
    Activity,
    activity_span,
    store_activity,
    store_figures,
)
from reports.selectors.meetings.boards import (
    OLDEST_STOCK_ROWS,
    ONE_PLACE,
    TURNOVER_DAYS,
    ConsultantDay,
    DayLine,
    EveningBoard,
    Turnover,
    _handovers,
    _invitations,
    _test_drives,
)
from reports.selectors.meetings.notes import meeting_notes
from reports.selectors.targets import (
    TargetLine,
    month_start,
    target_board,
)


# --- Evening ------------------------------------------------------------------------------
def evening_board(*, store: Store, day: dt.date, now: dt.datetime | None = None) -> EveningBoard:
    """The evening meeting of `day` (store-local): the day's figures against the day's share
    of the month's targets, month to date, the notes, tomorrow's plan, and the stock."""
    now = now or timezone.now()
    tomorrow = day + dt.timedelta(days=1)
    figures = store_figures(store=store, first_day=day, now=now)
    # The day is the last of the month to date: both are read in one set of queries.
    activity, month_activity = activity_span(store=store, first_day=month_start(day),
                                             last_day=day)
    month = target_board(store=store, day=day, activity=month_activity)
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
