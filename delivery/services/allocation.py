"""Allocating a stock vehicle (VIN) to a signed contract, releasing it, swapping it.

One car, one open contract, and one car per contract: the database's partial unique
constraints (`allocation_one_open_per_vehicle`, `allocation_one_open_per_contract`) decide,
so two people allocating at once get one winner and a clear refusal. A car of another
trim or colour than the contract's is the manager's override, with a reason, audited. The
car's status follows through `vehicle_move` (in stock → reserved, back to in stock on
release); a car still in transit stays in transit and arrives reserved.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import AuditAction, StockStatus
from dealership.models import StockVehicle, User
from dealership.services.audit import audit_log
from dealership.text import join_list
from delivery.enums import LeadEventKind
from delivery.models import Allocation
from delivery.permissions import can_allocate, can_override_allocation
from delivery.services.inventory import vehicle_locked, vehicle_move
from leads.services.events import event as lead_event
from leads.services.notifications import notification_send

# A car that may be given to a contract: on hand and free, or still on its way.
ALLOCATABLE_STATUSES = (StockStatus.IN_STOCK, StockStatus.IN_TRANSIT)
# The refusals that mean "someone else acted first" (409 in views), not input to fix.
CONFLICT = "conflict"


def _contract_locked(contract: Contract) -> Contract:
    return (Contract.objects.select_for_update(of=("self",))
            .select_related("store", "trim", "consultant", "customer__owner__team", "lead")
            .get(pk=contract.pk))


def _mismatches(contract: Contract, car: StockVehicle) -> list[str]:
    """What differs between the car and the contract (empty when the car matches)."""
    differences = []
    if car.trim_id != contract.trim_id:
        differences.append(_("trim %(car)s instead of %(contract)s")
                           % {"car": car.trim, "contract": contract.trim})
    colour = car.colour.name if car.colour_id else ""
    if contract.colour_name and colour != contract.colour_name:
        differences.append(_("colour %(car)s instead of %(contract)s")
                           % {"car": colour or "—", "contract": contract.colour_name})
    return differences


def is_matching_car(contract: Contract, car: StockVehicle) -> bool:
    """The car's trim and colour are the contract's (no query: the car's colour loaded)."""
    colour = car.colour.name if car.colour_id else ""
    return car.trim_id == contract.trim_id and (
        not contract.colour_name or colour == contract.colour_name)


def _refuse_taken(contract: Contract, car: StockVehicle) -> None:
    """After the constraint refused the row: say which side was taken, and by whom."""
    mine = (Allocation.objects.filter(store_id=contract.store_id, contract=contract,
                                      released_at__isnull=True)
            .select_related("vehicle").first())
    if mine is not None:
        raise ValidationError(
            {"vehicle": [ValidationError(
                _("This contract already has a car (%(vin)s); release it or swap it.")
                % {"vin": mine.vehicle.vin}, code=CONFLICT)]})
    other = (Allocation.objects.filter(store_id=car.store_id, vehicle=car,
                                       released_at__isnull=True)
             .select_related("contract").first())
    number = other.contract.number if other is not None else "—"
    raise ValidationError(
        {"vehicle": [ValidationError(
            _("This car was just allocated to contract %(number)s.") % {"number": number},
            code=CONFLICT)]})


def allocation_create(*, actor: User, contract: Contract, vehicle: StockVehicle,
                      override_reason: str = "") -> Allocation:
    """Give the car to the signed contract. Side effects: the car reserved (when in
    stock), the allocation audited, a "car allocated" event on the lead's timeline, the
    consultant notified (unless they did it), the car marked sold when the contract's
    money is already settled."""
    if not can_allocate(actor, contract):
        raise PermissionDenied
    override_reason = override_reason.strip()
    with transaction.atomic():
        locked = _contract_locked(contract)
        if locked.status != ContractStatus.SIGNED:
            raise ValidationError(
                _("Only a signed contract gets a car; this contract is %(status)s.")
                % {"status": locked.get_status_display()}, code=CONFLICT)
        car = vehicle_locked(vehicle)
        if car.store_id != locked.store_id:
            raise ValidationError({"vehicle": _("This car is not in your store's stock.")})
        if car.status not in ALLOCATABLE_STATUSES:
            raise ValidationError({"vehicle": [ValidationError(
                _("The car %(vin)s is %(status)s; only a car in stock or in transit can "
                  "be allocated.") % {"vin": car.vin, "status": car.get_status_display()},
                code=CONFLICT)]})
        if car.trim.series_id != locked.trim.series_id:
            raise ValidationError({"vehicle": _(
                "This car is a %(series)s; the contract is for a %(contract)s.")
                % {"series": car.trim.series, "contract": locked.trim.series}})
        differences = _mismatches(locked, car)
        if differences and not override_reason:
            raise ValidationError({"vehicle": _(
                "This car does not match the contract (%(differences)s). Choose a matching "
                "car, or give the reason for a different one.")
                % {"differences": join_list(differences)}})
        if differences and not can_override_allocation(actor):
            raise ValidationError({"override_reason": _(
                "Only the manager may allocate a car of another trim or colour.")})
        try:
            # The savepoint keeps the transaction usable when the constraint refuses.
            with transaction.atomic():
                allocation = Allocation.objects.create(
                    store_id=locked.store_id, contract=locked, vehicle=car,
                    allocated_by=actor, override_reason=override_reason if differences
                    else "")
        except IntegrityError:
            _refuse_taken(locked, car)
        if car.status == StockStatus.IN_STOCK:
            vehicle_move(actor=actor, vehicle=car, to=StockStatus.RESERVED,
                         reason=_("Allocated to contract %(number)s")
                         % {"number": locked.number})
        audit_log(actor=actor, instance=allocation, action=AuditAction.CREATE,
                  changes={"contract": [None, locked.number], "vehicle": [None, car.vin],
                           "override": [None, "; ".join(differences)] if differences
                           else [None, ""]},
                  reason=allocation.override_reason)
        if locked.lead_id:
            lead_event(locked.lead, LeadEventKind.CAR_ALLOCATED, actor=actor,
                       note=_("%(vin)s allocated to contract %(number)s")
                       % {"vin": car.vin, "number": locked.number},
                       contract=locked.pk, vehicle=car.pk)
        if locked.consultant_id != actor.pk:
            notification_send(store=locked.store, user=locked.consultant,
                              kind=LeadEventKind.CAR_ALLOCATED, lead=locked.lead)
        vehicle_sync_sold(actor=actor, contract=locked)
    return allocation


def vehicle_sync_sold(*, actor: User | None, contract: Contract) -> bool:
    """The contract's reserved car becomes sold once its money is settled (called after
    an allocation and after each payment). Returns whether the car moved."""
    from delivery.selectors.money import money_position

    with transaction.atomic():
        allocation = (Allocation.objects.filter(contract_id=contract.pk,
                                                released_at__isnull=True)
                      .select_related("vehicle").first())
        if allocation is None or allocation.vehicle.status != StockStatus.RESERVED:
            return False
        if not money_position(contract).settled:
            return False
        vehicle_move(actor=actor, vehicle=allocation.vehicle, to=StockStatus.SOLD,
                     reason=_("Contract %(number)s paid") % {"number": contract.number})
    return True


def _release(*, actor: User | None, allocation: Allocation, reason: str) -> Allocation:
    """Release the (locked) open allocation and put its car back in stock."""
    allocation.released_at = timezone.now()
    allocation.released_by = actor
    allocation.release_reason = reason[:300]
    allocation.save(update_fields=["released_at", "released_by", "release_reason"])
    car = vehicle_locked(allocation.vehicle_id)
    if car.status in (StockStatus.RESERVED, StockStatus.SOLD):
        vehicle_move(actor=actor, vehicle=car, to=StockStatus.IN_STOCK, reason=reason)
    audit_log(actor=actor, instance=allocation, action=AuditAction.UPDATE,
              changes={"released_at": [None, allocation.released_at.isoformat()],
                       "vehicle": [car.vin, None]},
              reason=reason)
    allocation.vehicle = car
    return allocation


def _allocation_locked(allocation: Allocation) -> Allocation:
    return (Allocation.objects.select_for_update(of=("self",))
            .select_related("released_by", "contract").get(pk=allocation.pk))


def allocation_release(*, actor: User, allocation: Allocation, reason: str) -> Allocation:
    """Take the car back from the contract, with a reason. Side effects: the car back in
    stock (a car in transit stays in transit), the release audited."""
    contract = allocation.contract
    if not can_allocate(actor, contract):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the car is released.")})
    with transaction.atomic():
        _contract_locked(contract)
        locked = _allocation_locked(allocation)
        if locked.released_at is not None:
            raise ValidationError(
                _("This car was already released by %(who)s at %(when)s.")
                % {"who": locked.released_by.name if locked.released_by else "—",
                   "when": timezone.localtime(locked.released_at).strftime("%Y-%m-%d %H:%M")},
                code=CONFLICT)
        if locked.contract.status != ContractStatus.SIGNED:
            raise ValidationError(
                _("The contract is %(status)s; its car can no longer be released.")
                % {"status": locked.contract.get_status_display()}, code=CONFLICT)
        return _release(actor=actor, allocation=locked, reason=reason)


def allocation_swap(*, actor: User, allocation: Allocation, vehicle: StockVehicle,
                    reason: str, override_reason: str = "") -> Allocation:
    """Another car for the contract: the release and the new allocation in one
    transaction (when the new car is refused, the old one stays allocated)."""
    with transaction.atomic():
        allocation_release(actor=actor, allocation=allocation, reason=reason)
        return allocation_create(actor=actor, contract=allocation.contract, vehicle=vehicle,
                                 override_reason=override_reason)


def allocation_release_on_cancel(*, actor: User | None, contract: Contract) -> None:
    """The contracts stage cancelled the contract (inside its transaction): its car goes
    back to stock, with the cancellation's reason."""
    open_allocation = (Allocation.objects.select_for_update(of=("self",))
                       .filter(contract_id=contract.pk, released_at__isnull=True).first())
    if open_allocation is None:
        return
    reason = _("Contract cancelled: %(reason)s") % {"reason": contract.cancel_reason}
    _release(actor=actor, allocation=open_allocation, reason=reason)
