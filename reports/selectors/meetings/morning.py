"""The morning meeting's board (seed 003 清晨)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from aftersales.enums import OPEN_CARE_STEP_STATUSES, CareChannel
from aftersales.models import CareStep
from contracts.models import Contract
from dealership.models import Store, User
from leads.enums import ACTIVE_STATUSES, Grade
from leads.models import Lead
from leads.selectors.periods import period_for
from reports.enums import MeetingKind
from reports.metrics import (
    Figures,
    Rate,
    activity_span,
    store_figures_span,
)
from reports.selectors.meetings.boards import (
    AVERAGE_DAYS,
    FOLLOW_UP_ROWS,
    NO_DEAL_DAYS,
    ONE_PLACE,
    ChannelCount,
    ConsultantPlan,
    FigureRow,
    KeyCustomer,
    MorningBoard,
    _handovers,
    _invitations,
    _test_drives,
)
from reports.selectors.meetings.notes import meeting_notes
from reports.selectors.targets import (
    month_start,
    target_board,
)


# --- Morning ------------------------------------------------------------------------------
def morning_board(*, store: Store, day: dt.date, now: dt.datetime | None = None) -> MorningBoard:
    """The morning meeting of `day` (store-local). `now` is for the "right now" figures
    (activation); the plan is the rows of `day` whatever the hour."""
    now = now or timezone.now()
    yesterday = day - dt.timedelta(days=1)
    # Yesterday is the last day of both the 30-day average and the month to date: each
    # pair is read in one set of queries.
    figures, average = store_figures_span(
        store=store, first_day=yesterday - dt.timedelta(days=AVERAGE_DAYS - 1),
        last_day=yesterday, now=now)
    activity, month = activity_span(store=store, first_day=month_start(yesterday),
                                    last_day=yesterday)
    targets = target_board(store=store, day=yesterday, activity=month)
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
    # The ranking reads the due rows from the index alone; then only the few listed are
    # read with their customers (as one query, the planner would size the join by every
    # due row and join them all to the customers).
    listed = list(due.annotate(rank=most_overdue).filter(rank__lte=FOLLOW_UP_ROWS)
                  .values_list("pk", flat=True))
    for lead in (Lead.objects.filter(pk__in=listed).select_related("customer")
                 .order_by("follow_up_due_at", "pk")):
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
