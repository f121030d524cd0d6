"""Reads of the handover: who may open a contract's inspection, appointment and handover,
the delivery gate (what completing the handover still needs), the delivery calendar of a
store day and the consultant's deliveries on "my day"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from contracts.enums import ContractStatus
from contracts.models import Contract
from contracts.permissions import customer_scope_q
from dealership.enums import Role
from dealership.models import StockVehicle, User
from dealership.permissions import has_role
from delivery.enums import GateCondition
from delivery.models import Allocation, Handover
from delivery.selectors.pdi import PdiState, pdi_state, pdi_states

# Who works on a contract's car before and at the handover: its consultant (their own
# customers), the supervisor (the team's), the manager (the store's). No workshop role.
HANDOVER_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
# The store's inspection list is the manager's to edit.
PDI_ITEM_ROLES = (Role.MANAGER,)
# The calendar: the sellers, and the reception desk that welcomes the customers.
CALENDAR_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)
# A handover is prepared for a signed contract; a delivered one is shown as it was.
HANDOVER_STATUSES = (ContractStatus.SIGNED, ContractStatus.DELIVERED)
# How far ahead an appointment may be made, in store days.
APPOINTMENT_HORIZON_DAYS = 180
# How far the calendar may be paged from today, in store days.
CALENDAR_SPAN_DAYS = 366


def can_override_gate(user) -> bool:
    """Only the store's manager hands a car over with one condition of the gate unmet."""
    return has_role(user, Role.MANAGER)


def contract_for_handover(*, user: User, pk: int) -> Contract:
    """A signed (or delivered) contract of the user's store and scope, with what the PDI,
    appointment and handover pages read; 404 outside."""
    try:
        return (Contract.objects.filter(customer_scope_q(user), store_id=user.store_id,
                                        status__in=HANDOVER_STATUSES)
                .select_related("store", "customer__owner__team", "consultant", "lead")
                .get(pk=pk))
    except (Contract.DoesNotExist, ValueError):
        raise Http404 from None


def open_vehicle(contract: Contract) -> StockVehicle | None:
    """The car allocated to the contract now (its open allocation), or None."""
    allocation = (Allocation.objects.filter(contract_id=contract.pk, released_at__isnull=True)
                  .select_related("vehicle__trim__series__brand", "vehicle__colour").first())
    return allocation.vehicle if allocation is not None else None


def handover_of(contract: Contract) -> Handover | None:
    return Handover.objects.filter(contract_id=contract.pk).first()


@dataclass(frozen=True)
class GateView:
    """The gate as the handover page shows it."""

    vehicle: StockVehicle | None
    pdi: PdiState
    money_settled: bool
    unmet: list[str]


def gate_view(contract: Contract) -> GateView:
    """The car, its inspection and the money, and the conditions still unmet, in a fixed
    number of queries (allocation 1, inspection 2, money 2)."""
    from delivery.selectors.money import money_position  # helper C's module, read lazily

    vehicle = open_vehicle(contract)
    pdi = pdi_state(contract, vehicle)
    settled = money_position(contract).settled
    unmet = []
    if vehicle is None:
        unmet.append(GateCondition.CAR)
    if not pdi.passed:
        unmet.append(GateCondition.PDI)
    if not settled:
        unmet.append(GateCondition.MONEY)
    return GateView(vehicle=vehicle, pdi=pdi, money_settled=settled, unmet=unmet)


def gate_unmet(contract: Contract) -> list[str]:
    """The delivery gate's conditions (delivery.enums.GateCondition values) the contract
    does not meet yet, in GateCondition order: CAR (a car allocated), PDI (that car's
    inspection passed), MONEY (balance settled, or the loan granted and the customer's own
    part paid). Empty: the car may be handed over."""
    return gate_view(contract).unmet


# --- The calendar and "my day" --------------------------------------------------------------
def _calendar_scope(user: User) -> QuerySet[Handover]:
    """The store's appointments; a consultant's own contracts, a supervisor's team's."""
    handovers = Handover.objects.filter(store_id=user.store_id,
                                        contract__status__in=HANDOVER_STATUSES)
    if user.role == Role.CONSULTANT:
        return handovers.filter(contract__consultant=user)
    if user.role == Role.SUPERVISOR:
        return handovers.filter(customer_scope_q(user, "contract__customer"))
    return handovers


def _with_car(handovers: QuerySet[Handover]) -> QuerySet[Handover]:
    return handovers.select_related("contract__consultant").prefetch_related(Prefetch(
        "contract__allocations",
        queryset=Allocation.objects.filter(released_at__isnull=True)
        .select_related("vehicle__trim__series__brand", "vehicle__colour"),
        to_attr="open_allocations"))


@dataclass(frozen=True)
class CalendarRow:
    handover: Handover
    vehicle: StockVehicle | None
    ready: bool             # the gate is met: the car could be handed over now
    unmet: list[str]


def delivery_calendar_for_user(*, user: User, day: dt.date) -> list[CalendarRow]:
    """The store day's appointments in time order, each with its car and whether the gate
    is met: six queries whatever their number (appointments, cars, inspection 2, money 2)."""
    from delivery.selectors.money import money_positions

    start, end = user.store.day_bounds(day)
    handovers = list(_with_car(_calendar_scope(user))
                     .filter(scheduled_at__gte=start, scheduled_at__lt=end)
                     .order_by("scheduled_at", "id"))
    vehicles = {h.contract_id: (h.contract.open_allocations[0].vehicle
                                if h.contract.open_allocations else None)
                for h in handovers}
    states = pdi_states(pairs=[(cid, v.pk) for cid, v in vehicles.items() if v is not None],
                        store_id=user.store_id)
    money = money_positions([h.contract for h in handovers], today=user.store.today())
    rows = []
    for h in handovers:
        vehicle = vehicles[h.contract_id]
        unmet = []
        if vehicle is None:
            unmet.append(GateCondition.CAR)
        if vehicle is None or not states[(h.contract_id, vehicle.pk)].passed:
            unmet.append(GateCondition.PDI)
        if not money[h.contract_id].settled:
            unmet.append(GateCondition.MONEY)
        ready = h.completed_at is not None or not unmet
        rows.append(CalendarRow(handover=h, vehicle=vehicle, ready=ready, unmet=unmet))
    return rows


def deliveries_for_my_day(*, user: User, day: dt.date) -> dict:
    """The consultant's handovers still to do today and tomorrow ("my day" panel): one
    query."""
    start, tomorrow_start = user.store.day_bounds(day)
    _start, end = user.store.day_bounds(day + dt.timedelta(days=1))
    handovers = list(_calendar_scope(user)
                     .filter(scheduled_at__gte=start, scheduled_at__lt=end,
                             completed_at__isnull=True, contract__status=ContractStatus.SIGNED)
                     .select_related("contract__customer").order_by("scheduled_at", "id"))
    return {"delivery_handovers_today": [h for h in handovers
                                         if h.scheduled_at < tomorrow_start],
            "delivery_handovers_tomorrow": [h for h in handovers
                                            if h.scheduled_at >= tomorrow_start]}
