"""Reads of the pre-delivery inspection (PDI): a store's checklist and where the
inspection of one car for one contract stands. An item's latest check counts; the PDI has
passed when every item still in use has a latest check that passed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from delivery.models import PdiCheck, PdiItem


@dataclass(frozen=True)
class PdiLine:
    """One item of the checklist with its latest check on the car (None: not checked)."""

    item: PdiItem
    check: PdiCheck | None


@dataclass(frozen=True)
class PdiState:
    started: bool                                   # at least one item checked
    passed: bool                                    # every item's latest check passed
    failed: list[PdiItem] = field(default_factory=list)   # latest check failed
    items: list[PdiLine] = field(default_factory=list)    # the store's list, in order

    @property
    def checked_count(self) -> int:
        return sum(1 for line in self.items if line.check is not None)


NOT_STARTED = PdiState(started=False, passed=False)


def pdi_items_for_store(*, store_id: int, include_retired: bool = False
                        ) -> QuerySet[PdiItem]:
    """The store's checklist in its order; the retired items too for the editing screen."""
    items = PdiItem.objects.filter(store_id=store_id)
    if not include_retired:
        items = items.filter(active=True)
    return items.order_by("order", "id")


def _state(items: list[PdiItem], latest: dict[int, PdiCheck]) -> PdiState:
    lines = [PdiLine(item=item, check=latest.get(item.pk)) for item in items]
    failed = [line.item for line in lines if line.check is not None and not line.check.passed]
    started = any(line.check is not None for line in lines)
    # A store without a list has nothing to pass: it is not "passed".
    passed = bool(lines) and all(line.check is not None and line.check.passed
                                 for line in lines)
    return PdiState(started=started, passed=passed, failed=failed, items=lines)


def pdi_states(*, pairs: Iterable[tuple[int, int]], store_id: int
               ) -> dict[tuple[int, int], PdiState]:
    """{(contract id, vehicle id): PdiState} for many cars at once, in two queries whatever
    their number (the store's items in use, the checks of those pairs)."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}
    items = list(pdi_items_for_store(store_id=store_id))
    condition = Q()
    for contract_id, vehicle_id in pairs:
        condition |= Q(contract_id=contract_id, vehicle_id=vehicle_id)
    checks = (PdiCheck.objects.filter(condition, store_id=store_id, item__active=True)
              .select_related("checked_by").order_by("-checked_at", "-id"))
    latest: dict[tuple[int, int], dict[int, PdiCheck]] = {pair: {} for pair in pairs}
    for check in checks:
        # Newest first: the first check met for an item is its latest.
        latest[(check.contract_id, check.vehicle_id)].setdefault(check.item_id, check)
    return {pair: _state(items, latest[pair]) for pair in pairs}


def pdi_state(contract, vehicle) -> PdiState:
    """Where the inspection of `vehicle` for `contract` stands (two queries); without a
    car there is nothing to inspect."""
    if vehicle is None:
        return NOT_STARTED
    pair = (contract.pk, vehicle.pk)
    return pdi_states(pairs=[pair], store_id=contract.store_id)[pair]
