"""Allocating a car (VIN) to a signed contract: matching trim and colour or the manager's
override with a reason, one car per contract and one contract per car, release (by hand
and on cancellation) and swap."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.enums import ContractStatus, NotificationKind
from contracts.services.contracts import contract_cancel
from dealership.enums import AuditAction, StockStatus
from dealership.models import AuditEntry, StockVehicle
from delivery.enums import LeadEventKind
from delivery.models import Allocation
from delivery.selectors.allocation import (
    allocation_candidates,
    open_allocation,
    open_allocations,
)
from delivery.services.allocation import (
    allocation_create,
    allocation_release,
    allocation_swap,
    vehicle_sync_sold,
)
from leads.models import Notification
from tests.contracts.factories import make_contract, pay_the_balance
from tests.factories import ColourFactory, StockVehicleFactory, TrimFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def trim(db):
    return TrimFactory(name="2.5L 豪华版")


@pytest.fixture
def colour(trim):
    return ColourFactory(series=trim.series, name="铂金白")


@pytest.fixture
def signed(consultant, customer, manager, trim, colour):
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED,
                         trim=trim, colour=colour)


def car(store, trim, colour, **kwargs) -> StockVehicle:
    return StockVehicleFactory(store=store, trim=trim, colour=colour, **kwargs)


def audit_rows(instance) -> list[tuple[str, str]]:
    return list(AuditEntry.objects.filter(
        content_type__model=instance._meta.model_name, object_id=str(instance.pk))
        .order_by("pk").values_list("action", "reason"))


# --- Allocating ---------------------------------------------------------------------------
def test_allocating_a_matching_car_reserves_it_and_tells_the_consultant(
        store, manager, consultant, signed, trim, colour):
    vehicle = car(store, trim, colour)

    allocation = allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    vehicle.refresh_from_db()
    assert (allocation.contract, allocation.vehicle, allocation.allocated_by,
            allocation.override_reason, allocation.released_at) == (
        signed, vehicle, manager, "", None)
    assert vehicle.status == StockStatus.RESERVED
    assert audit_rows(allocation) == [(AuditAction.CREATE, "")]
    # The manager's approval of the contract (arranging `signed`), then the allocation.
    assert list(Notification.objects.order_by("id").values_list("user", "kind")) == [
        (consultant.pk, NotificationKind.CONTRACT_APPROVED),
        (consultant.pk, LeadEventKind.CAR_ALLOCATED)]
    assert open_allocation(signed) == allocation


def test_the_consultant_allocating_their_own_contract_is_not_notified(
        store, consultant, signed, trim, colour):
    allocation_create(actor=consultant, contract=signed, vehicle=car(store, trim, colour))

    # Only the manager's approval of the contract, from arranging `signed`.
    assert list(Notification.objects.values_list("kind", flat=True)) == [
        NotificationKind.CONTRACT_APPROVED]
    assert Allocation.objects.get().allocated_by == consultant


def test_a_car_in_transit_is_allocated_and_stays_in_transit(store, manager, signed, trim,
                                                             colour):
    vehicle = car(store, trim, colour, status=StockStatus.IN_TRANSIT, arrival_date=None)

    allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.IN_TRANSIT
    assert Allocation.objects.get().vehicle == vehicle


def test_a_car_of_another_colour_is_refused_without_a_reason(store, manager, signed, trim):
    vehicle = car(store, trim, ColourFactory(series=trim.series, name="曜石黑"))

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    assert refused.value.message_dict == {"vehicle": [
        "This car does not match the contract (colour 曜石黑 instead of 铂金白). Choose a "
        "matching car, or give the reason for a different one."]}
    vehicle.refresh_from_db()
    assert (Allocation.objects.count(), vehicle.status) == (0, StockStatus.IN_STOCK)


def test_a_car_of_another_trim_is_refused_without_a_reason(store, manager, signed, trim,
                                                           colour):
    other_trim = TrimFactory(series=trim.series, name="2.0L 舒适版")
    vehicle = car(store, other_trim, colour)

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    assert refused.value.message_dict == {"vehicle": [
        f"This car does not match the contract (trim {other_trim} instead of {trim}). "
        "Choose a matching car, or give the reason for a different one."]}
    assert Allocation.objects.count() == 0


def test_the_manager_overrides_with_a_reason_which_is_audited(store, manager, signed, trim):
    vehicle = car(store, trim, ColourFactory(series=trim.series, name="曜石黑"))

    allocation = allocation_create(actor=manager, contract=signed, vehicle=vehicle,
                                   override_reason="  客户同意改黑色  ")

    assert allocation.override_reason == "客户同意改黑色"
    assert audit_rows(allocation) == [(AuditAction.CREATE, "客户同意改黑色")]
    entry = AuditEntry.objects.get(content_type__model="allocation")
    assert entry.changes["override"] == [None, "colour 曜石黑 instead of 铂金白"]


def test_a_consultant_may_not_override(store, consultant, signed, trim):
    vehicle = car(store, trim, ColourFactory(series=trim.series, name="曜石黑"))

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=consultant, contract=signed, vehicle=vehicle,
                          override_reason="客户同意")

    assert refused.value.message_dict == {"override_reason": [
        "Only the manager may allocate a car of another trim or colour."]}
    vehicle.refresh_from_db()
    assert (Allocation.objects.count(), vehicle.status) == (0, StockStatus.IN_STOCK)


def test_a_car_of_another_series_is_refused_even_with_a_reason(store, manager, signed):
    other = TrimFactory(series__name="汉兰达", name="2.0T 四驱")
    vehicle = car(store, other, None)

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=signed, vehicle=vehicle,
                          override_reason="客户同意")

    assert list(refused.value.message_dict) == ["vehicle"]
    assert Allocation.objects.count() == 0


@pytest.mark.parametrize("status", [ContractStatus.APPROVED, ContractStatus.DELIVERED])
def test_a_contract_not_signed_gets_no_car(store, consultant, customer, manager, trim,
                                           colour, status):
    contract = make_contract(consultant, customer, manager=manager, status=status,
                             trim=trim, colour=colour)
    vehicle = car(store, trim, colour)

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=contract, vehicle=vehicle)

    assert refused.value.messages == [
        f"Only a signed contract gets a car; this contract is {contract.get_status_display()}."]
    vehicle.refresh_from_db()
    assert (Allocation.objects.count(), vehicle.status) == (0, StockStatus.IN_STOCK)


@pytest.mark.parametrize("status", [StockStatus.RESERVED, StockStatus.SOLD,
                                    StockStatus.DEMO, StockStatus.DELIVERED])
def test_a_car_not_free_is_refused(store, manager, signed, trim, colour, status):
    vehicle = car(store, trim, colour, status=status)

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    assert refused.value.message_dict == {"vehicle": [
        f"The car {vehicle.vin} is {vehicle.get_status_display()}; only a car in stock or "
        "in transit can be allocated."]}
    vehicle.refresh_from_db()
    assert (Allocation.objects.count(), vehicle.status) == (0, status)


def test_a_car_of_another_store_is_refused(other_store, manager, signed, trim, colour):
    vehicle = car(other_store, trim, colour)

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    assert refused.value.message_dict == {"vehicle": ["This car is not in your store's stock."]}
    assert Allocation.objects.count() == 0


def test_another_consultants_contract_is_not_theirs_to_allocate(store, teammate, signed,
                                                                trim, colour):
    with pytest.raises(PermissionDenied):
        allocation_create(actor=teammate, contract=signed, vehicle=car(store, trim, colour))
    assert Allocation.objects.count() == 0


def test_finance_may_not_allocate(store, make_user, signed, trim, colour):
    with pytest.raises(PermissionDenied):
        allocation_create(actor=make_user("finance"), contract=signed,
                          vehicle=car(store, trim, colour))


# --- One car, one contract (the database decides) -----------------------------------------
def test_a_car_in_transit_already_allocated_is_refused_by_the_constraint(
        store, consultant, customer, manager, signed, trim, colour):
    """The in-transit car's status does not change on allocation: only the database's
    unique open allocation per vehicle stops the second contract."""
    vehicle = car(store, trim, colour, status=StockStatus.IN_TRANSIT, arrival_date=None)
    allocation_create(actor=manager, contract=signed, vehicle=vehicle)
    second = make_contract(consultant, customer, manager=manager,
                           status=ContractStatus.SIGNED, trim=trim, colour=colour)

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=second, vehicle=vehicle)

    assert refused.value.message_dict == {"vehicle": [
        f"This car was just allocated to contract {signed.number}."]}
    assert list(Allocation.objects.values_list("contract", flat=True)) == [signed.pk]


def test_a_contract_with_a_car_gets_no_second_one(store, manager, signed, trim, colour):
    first, second = car(store, trim, colour), car(store, trim, colour)
    allocation_create(actor=manager, contract=signed, vehicle=first)

    with pytest.raises(ValidationError) as refused:
        allocation_create(actor=manager, contract=signed, vehicle=second)

    assert refused.value.message_dict == {"vehicle": [
        f"This contract already has a car ({first.vin}); release it or swap it."]}
    second.refresh_from_db()
    assert (Allocation.objects.count(), second.status) == (1, StockStatus.IN_STOCK)


# --- Sold once the money is settled -------------------------------------------------------
def test_allocating_to_a_paid_contract_marks_the_car_sold(store, manager, signed, trim,
                                                          colour):
    pay_the_balance(signed)
    vehicle = car(store, trim, colour)

    allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.SOLD


def test_sync_sold_leaves_an_unpaid_contracts_car_reserved(store, manager, signed, trim,
                                                            colour):
    vehicle = car(store, trim, colour)
    allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    assert vehicle_sync_sold(actor=manager, contract=signed) is False
    pay_the_balance(signed)
    assert vehicle_sync_sold(actor=manager, contract=signed) is True

    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.SOLD


# --- Release, cancellation, swap ----------------------------------------------------------
def test_release_puts_the_car_back_in_stock_with_the_reason(store, manager, signed, trim,
                                                            colour):
    vehicle = car(store, trim, colour)
    allocation = allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    allocation_release(actor=manager, allocation=allocation, reason="车辆有划痕")

    allocation.refresh_from_db()
    vehicle.refresh_from_db()
    assert (allocation.released_by, allocation.release_reason) == (manager, "车辆有划痕")
    assert allocation.released_at is not None
    assert vehicle.status == StockStatus.IN_STOCK
    assert audit_rows(allocation) == [(AuditAction.CREATE, ""),
                                      (AuditAction.UPDATE, "车辆有划痕")]
    assert open_allocation(signed) is None


def test_release_needs_a_reason(store, manager, signed, trim, colour):
    vehicle = car(store, trim, colour)
    allocation = allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    with pytest.raises(ValidationError) as refused:
        allocation_release(actor=manager, allocation=allocation, reason="  ")

    assert refused.value.message_dict == {"reason": ["Say why the car is released."]}
    vehicle.refresh_from_db()
    assert (open_allocation(signed), vehicle.status) == (allocation, StockStatus.RESERVED)


def test_releasing_twice_is_refused(store, manager, signed, trim, colour):
    allocation = allocation_create(actor=manager, contract=signed,
                                   vehicle=car(store, trim, colour))
    allocation_release(actor=manager, allocation=allocation, reason="换车")

    with pytest.raises(ValidationError) as refused:
        allocation_release(actor=manager, allocation=allocation, reason="再次")

    assert refused.value.messages[0].startswith(
        f"This car was already released by {manager.name} at ")
    allocation.refresh_from_db()
    assert allocation.release_reason == "换车"


def test_cancelling_the_contract_releases_its_car(store, manager, signed, trim, colour):
    vehicle = car(store, trim, colour)
    allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    contract_cancel(actor=manager, contract=signed, reason="客户放弃购买")

    allocation = Allocation.objects.get()
    vehicle.refresh_from_db()
    assert (allocation.released_by, allocation.release_reason) == (
        manager, "Contract cancelled: 客户放弃购买")
    assert vehicle.status == StockStatus.IN_STOCK


def test_cancelling_releases_a_sold_car_too(store, manager, signed, trim, colour):
    pay_the_balance(signed)
    vehicle = car(store, trim, colour)
    allocation_create(actor=manager, contract=signed, vehicle=vehicle)

    contract_cancel(actor=manager, contract=signed, reason="客户放弃购买")

    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.IN_STOCK
    assert open_allocation(signed) is None


def test_swap_releases_the_old_car_and_allocates_the_new_one(store, manager, signed, trim,
                                                             colour):
    old, new = car(store, trim, colour), car(store, trim, colour)
    allocation = allocation_create(actor=manager, contract=signed, vehicle=old)

    swapped = allocation_swap(actor=manager, allocation=allocation, vehicle=new,
                              reason="原车漆面问题")

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (StockStatus.IN_STOCK, StockStatus.RESERVED)
    assert open_allocation(signed) == swapped
    assert list(Allocation.objects.order_by("pk").values_list(
        "vehicle", "release_reason")) == [(old.pk, "原车漆面问题"), (new.pk, "")]


def test_a_refused_swap_keeps_the_old_car(store, manager, signed, trim, colour):
    old = car(store, trim, colour)
    taken = car(store, trim, colour, status=StockStatus.DEMO)
    allocation = allocation_create(actor=manager, contract=signed, vehicle=old)

    with pytest.raises(ValidationError) as refused:
        allocation_swap(actor=manager, allocation=allocation, vehicle=taken, reason="换车")

    assert list(refused.value.message_dict) == ["vehicle"]
    old.refresh_from_db()
    assert (open_allocation(signed), old.status) == (allocation, StockStatus.RESERVED)


# --- Selectors ----------------------------------------------------------------------------
def test_candidates_list_matching_cars_first_then_the_series_others(
        store, other_store, manager, consultant, customer, signed, trim, colour,
        django_assert_num_queries):
    black = ColourFactory(series=trim.series, name="曜石黑")
    on_hand = car(store, trim, colour)
    coming = car(store, trim, colour, status=StockStatus.IN_TRANSIT, arrival_date=None)
    other_colour = car(store, trim, black)
    car(store, trim, colour, status=StockStatus.DEMO)
    car(other_store, trim, colour)
    car(store, TrimFactory(series__name="汉兰达"), None)
    other_contract = make_contract(consultant, customer, manager=manager,
                                   status=ContractStatus.SIGNED, trim=trim, colour=colour)
    allocation_create(actor=manager, contract=other_contract,
                      vehicle=car(store, trim, colour, status=StockStatus.IN_TRANSIT,
                                  arrival_date=None))

    with django_assert_num_queries(1):
        matching, others = allocation_candidates(signed)

    assert (matching, others) == ([on_hand, coming], [other_colour])


def test_open_allocations_in_one_query(store, manager, consultant, customer, signed, trim,
                                       colour, django_assert_num_queries):
    second = make_contract(consultant, customer, manager=manager,
                           status=ContractStatus.SIGNED, trim=trim, colour=colour)
    first = allocation_create(actor=manager, contract=signed, vehicle=car(store, trim, colour))

    with django_assert_num_queries(1):
        found = open_allocations([signed.pk, second.pk])
        vins = [a.vehicle.trim.name for a in found.values()]

    assert found == {signed.pk: first}
    assert vins == [trim.name]
