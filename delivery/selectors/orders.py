"""Order progress (seed 003): where each signed contract stands on its way to the customer
— awaiting its car, car arrived, inspection, ready, delivered — with its promised date and
whether that date is at risk (no car allocated within the store's `at_risk_days`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from contracts.enums import ContractStatus
from contracts.models import Contract
from contracts.permissions import customer_scope_q
from dealership.enums import StockStatus
from dealership.models import Store, User
from delivery.enums import OrderStage
from delivery.models import Allocation, DeliverySettings
from delivery.selectors.allocation import open_allocations

DEFAULT_AT_RISK_DAYS = 14
# Delivered orders stay on the list this long, so the team sees what went out.
DELIVERED_SHOWN_DAYS = 30
# The contracts that have an order page (the contract page's "Delivery" card).
ORDER_STATUSES = (ContractStatus.SIGNED, ContractStatus.DELIVERED, ContractStatus.CLOSED)
DONE_STATUSES = (ContractStatus.DELIVERED, ContractStatus.CLOSED)
# The stages only the inspection's state tells apart (the car is allocated and on hand).
PDI_STAGES = (OrderStage.CAR_ARRIVED, OrderStage.PDI, OrderStage.READY)


@dataclass
class OrderRow:
    contract: Contract
    allocation: Allocation | None
    stage: str
    at_risk: bool
    days_left: int | None

    @property
    def stage_label(self) -> str:
        return OrderStage(self.stage).label

    @property
    def days_late(self) -> int:
        """How many days past the promised date an undelivered order is (0 when not)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def at_risk_days_of(store_id: int) -> int:
    """The store's warning distance in days (the default until its settings are saved)."""
    days = (DeliverySettings.objects.filter(store_id=store_id)
            .values_list("at_risk_days", flat=True).first())
    return days or DEFAULT_AT_RISK_DAYS


def _open_allocation(**extra) -> QuerySet[Allocation]:
    return Allocation.objects.filter(contract=OuterRef("pk"), released_at__isnull=True,
                                     **extra)


def has_car_q() -> Q:
    return Q(Exists(_open_allocation()))


def car_on_hand_q() -> Q:
    return Q(Exists(_open_allocation().exclude(vehicle__status=StockStatus.IN_TRANSIT)))


def at_risk_q(cutoff: dt.date) -> Q:
    """Signed, no car allocated, promised for `cutoff` or earlier."""
    return (Q(status=ContractStatus.SIGNED, promised_delivery_date__lte=cutoff)
            & ~has_car_q())


def order_stage(contract: Contract, allocation: Allocation | None, pdi_state,
                delivered: bool) -> OrderStage:
    """Where the order stands. `pdi_state` has `.started` and `.passed` (or is None when
    no inspection was begun); `allocation` is the open one, its vehicle loaded."""
    if delivered:
        return OrderStage.DELIVERED
    if allocation is None or allocation.vehicle.status == StockStatus.IN_TRANSIT:
        return OrderStage.AWAITING_CAR
    if pdi_state is None or not pdi_state.started:
        return OrderStage.CAR_ARRIVED
    if not pdi_state.passed:
        return OrderStage.PDI
    return OrderStage.READY


def _pdi_states(pairs: list[tuple[int, int]], store_id: int) -> Mapping:
    if not pairs:
        return {}
    from delivery.selectors.pdi import pdi_states

    return pdi_states(pairs=pairs, store_id=store_id)


def order_rows(contracts: list[Contract], *, today: dt.date,
               at_risk_days: int) -> list[OrderRow]:
    """The contracts with their car, stage, days left and risk: two queries (the open
    allocations, the inspections of the cars on hand) whatever the number of rows."""
    allocations = open_allocations(contract.pk for contract in contracts)
    on_hand = [(contract.pk, allocations[contract.pk].vehicle_id) for contract in contracts
               if contract.pk in allocations
               and allocations[contract.pk].vehicle.status != StockStatus.IN_TRANSIT
               and contract.status not in DONE_STATUSES]
    states = _pdi_states(on_hand, contracts[0].store_id) if on_hand else {}
    cutoff = today + dt.timedelta(days=at_risk_days)
    rows = []
    for contract in contracts:
        allocation = allocations.get(contract.pk)
        state = (states.get((contract.pk, allocation.vehicle_id))
                 if allocation is not None else None)
        promised = contract.promised_delivery_date
        delivered = contract.status in DONE_STATUSES
        rows.append(OrderRow(
            contract=contract, allocation=allocation,
            stage=order_stage(contract, allocation, state, delivered),
            at_risk=(not delivered and allocation is None and promised is not None
                     and promised <= cutoff),
            days_left=(promised - today).days if promised and not delivered else None))
    return rows


# --- Scope --------------------------------------------------------------------------------
def order_scope_for_user(user: User) -> QuerySet[Contract]:
    """The orders this user may open: the contracts with an order page whose customer the
    user may open (a consultant their own, a supervisor their team's, the manager and
    finance the store's)."""
    if user.store_id is None:
        return Contract.objects.none()
    return Contract.objects.filter(customer_scope_q(user), store_id=user.store_id,
                                   status__in=ORDER_STATUSES)


def order_get_for_user(*, user: User, pk: int) -> Contract:
    try:
        return order_scope_for_user(user).select_related(
            "store", "trim__series", "consultant__team", "customer__owner__team", "lead",
        ).get(pk=pk)
    except (Contract.DoesNotExist, ValueError):
        raise Http404 from None


def order_list_base(user: User, *, today: dt.date) -> QuerySet[Contract]:
    """The order list's contracts: signed, and delivered in the last 30 days, soonest
    promised first."""
    since = timezone.now() - dt.timedelta(days=DELIVERED_SHOWN_DAYS)
    return (order_scope_for_user(user)
            .filter(Q(status=ContractStatus.SIGNED)
                    | Q(status=ContractStatus.DELIVERED, delivered_at__gte=since))
            .select_related("consultant")
            .order_by(F("promised_delivery_date").asc(nulls_last=True), "signed_at", "pk"))


def order_list_for_user(*, user: User, store: Store, stage: str = "", at_risk: bool = False,
                        consultant: User | None = None,
                        ) -> tuple[QuerySet[Contract] | list[OrderRow], dt.date, int, int]:
    """(the filtered contracts as a queryset to paginate — or, for a stage only the
    inspection tells apart, the rows already made —, the store's today, its at-risk days,
    how many orders in scope are at risk). A page of contracts becomes rows through
    `order_rows`."""
    today = store.today()
    days = at_risk_days_of(store.pk)
    cutoff = today + dt.timedelta(days=days)
    base = order_list_base(user, today=today)
    at_risk_count = base.filter(at_risk_q(cutoff)).count()
    contracts = base
    if consultant is not None:
        contracts = contracts.filter(consultant=consultant)
    if at_risk:
        contracts = contracts.filter(at_risk_q(cutoff))
    if stage == OrderStage.DELIVERED:
        contracts = contracts.filter(status=ContractStatus.DELIVERED)
    elif stage == OrderStage.AWAITING_CAR:
        contracts = contracts.filter(~car_on_hand_q(), status=ContractStatus.SIGNED)
    elif stage in PDI_STAGES:
        # Told apart by the inspection: the cars on hand of signed contracts (a store's
        # handful), staged in Python.
        candidates = list(contracts.filter(car_on_hand_q(), status=ContractStatus.SIGNED))
        staged = order_rows(candidates, today=today, at_risk_days=days) if candidates else []
        return ([row for row in staged if row.stage == stage], today, days, at_risk_count)
    return contracts, today, days, at_risk_count
