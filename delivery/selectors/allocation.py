"""Which car a contract has, and which cars it could have."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from contracts.models import Contract
from dealership.enums import StockStatus
from dealership.models import StockVehicle, Trim
from delivery.models import Allocation
from delivery.services.allocation import ALLOCATABLE_STATUSES, is_matching_car


def _open() -> QuerySet[Allocation]:
    return Allocation.objects.filter(released_at__isnull=True).select_related(
        "vehicle__trim__series__brand", "vehicle__colour")


def open_allocation(contract: Contract) -> Allocation | None:
    """The contract's allocated car (one query), or None."""
    return _open().filter(contract_id=contract.pk).first()


def open_allocations(contract_ids: Iterable[int]) -> dict[int, Allocation]:
    """The open allocations of these contracts by contract id, in one query."""
    ids = list(contract_ids)
    if not ids:
        return {}
    return {allocation.contract_id: allocation
            for allocation in _open().filter(contract_id__in=ids)}


def allocation_history(contract: Contract) -> list[Allocation]:
    """Every allocation of the contract, the open one included, newest first."""
    return list(Allocation.objects.filter(contract_id=contract.pk).select_related(
        "vehicle", "allocated_by", "released_by"))


def allocation_candidates(contract: Contract) -> tuple[list[StockVehicle], list[StockVehicle]]:
    """The store's free cars of the contract's series, in one query: (the ones matching
    the contract's trim and colour, the others — a manager's override). Cars on hand
    before those in transit, the oldest first (slow stock goes out first)."""
    taken = Allocation.objects.filter(vehicle=OuterRef("pk"), released_at__isnull=True)
    cars = (StockVehicle.objects
            .filter(store_id=contract.store_id, status__in=ALLOCATABLE_STATUSES,
                    trim__series__in=Trim.objects.filter(pk=contract.trim_id)
                    .values("series"))
            .exclude(Exists(taken))
            .select_related("trim__series__brand", "colour")
            .annotate(in_transit=Case(When(status=StockStatus.IN_TRANSIT, then=Value(1)),
                                      default=Value(0), output_field=IntegerField()))
            .order_by("in_transit", "arrival_date", "vin"))
    matching, others = [], []
    for car in cars:
        (matching if is_matching_car(contract, car) else others).append(car)
    return matching, others
