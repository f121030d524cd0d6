"""seed_demo's delivery stage (delivery.demo.seed_delivery): stock of every age and status,
and the money stage's signed contracts played on through the delivery services.

The invariants are the product's: nothing is delivered without a delivered car allocated
to it, a passed inspection, the ceremony's checklist and a zero balance; nothing is closed
before it was delivered; one car, one open contract. Seeded once for the module, in a
transaction rolled back when the module ends.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentKind
from contracts.models import Contract, Payment
from contracts.selectors.ledger import balance_due
from dealership.enums import StockStatus
from dealership.models import StockVehicle, Store, User
from delivery.enums import HANDOVER_CHECKLIST, OrderStage
from delivery.models import Allocation, Handover, PdiCheck, PdiItem
from delivery.selectors.inventory import delivery_settings_of, slow_stock
from delivery.selectors.orders import at_risk_days_of, order_rows
from delivery.selectors.pdi import pdi_states
from tests.helpers import demo_seeded_once

pytestmark = pytest.mark.django_db
DONE = (ContractStatus.DELIVERED, ContractStatus.CLOSED)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, seeded once for the module; rolled back after its last test."""
    with demo_seeded_once(django_db_blocker, tmp_path_factory.mktemp("delivery-demo-media")):
        yield


@pytest.fixture
def demo(seeded) -> Store:
    return Store.objects.get(code="DEMO")


def done_contracts(store: Store):
    return Contract.objects.filter(store=store, status__in=DONE)


def test_demo_delivers_and_closes_some_contracts(demo):
    counts = dict(Contract.objects.filter(store=demo).values_list("status")
                  .annotate(n=Count("id")))

    assert counts.get(ContractStatus.DELIVERED, 0) >= 1
    assert counts.get(ContractStatus.CLOSED, 0) >= 1
    assert counts.get(ContractStatus.SIGNED, 0) >= 1  # work still on the order board


def test_every_delivered_contract_has_its_delivered_car_allocated(demo):
    for contract in done_contracts(demo):
        allocation = Allocation.objects.get(contract=contract, released_at=None)
        assert allocation.vehicle.status == StockStatus.DELIVERED, contract.number
        assert allocation.vehicle.store_id == demo.pk


def test_every_delivered_contract_is_paid_in_full(demo):
    for contract in done_contracts(demo):
        assert balance_due(contract=contract) == 0, contract.number
        received = sum(Payment.objects.filter(contract=contract)
                       .exclude(kind=PaymentKind.REFUND).values_list("amount", flat=True))
        assert received == contract.amount_due, contract.number


def test_every_delivered_contract_passed_its_inspection_before_the_handover(demo):
    contracts = list(done_contracts(demo))
    allocations = {a.contract_id: a for a in Allocation.objects.filter(
        contract__in=contracts, released_at=None)}
    pairs = [(c.pk, allocations[c.pk].vehicle_id) for c in contracts]
    states = pdi_states(pairs=pairs, store_id=demo.pk)

    assert PdiItem.objects.filter(store=demo, active=True).exists()
    for contract in contracts:
        assert states[(contract.pk, allocations[contract.pk].vehicle_id)].passed, contract.number
        handover = Handover.objects.get(contract=contract)
        last_check = (PdiCheck.objects.filter(contract=contract)
                      .order_by("-checked_at").first())
        assert last_check.checked_at <= handover.completed_at


def test_every_handover_ticked_the_ceremony_with_a_photo_and_a_plate(demo):
    handovers = Handover.objects.filter(contract__in=done_contracts(demo))

    assert handovers.count() == done_contracts(demo).count()
    for handover in handovers:
        ticked = [getattr(handover, name) for name, *_rest in HANDOVER_CHECKLIST]
        assert all(ticked), handover.contract_id
        assert handover.photo and handover.plate_number
        assert handover.completed_at is not None and handover.completed_by is not None
        assert handover.contract.delivered_at == handover.completed_at


def test_nothing_closed_before_it_was_delivered_and_nothing_in_the_future(demo):
    now = timezone.now()
    for contract in done_contracts(demo):
        assert contract.signed_at < contract.delivered_at <= now, contract.number
        if contract.status == ContractStatus.CLOSED:
            assert contract.delivered_at <= contract.closed_at <= now, contract.number
    assert not Payment.objects.filter(contract__store=demo, received_at__gt=now).exists()
    assert not Handover.objects.filter(store=demo, completed_at__gt=now).exists()


def test_one_car_one_open_contract_and_reserved_cars_are_allocated(demo):
    open_allocations = Allocation.objects.filter(store=demo, released_at=None)
    vehicles = list(open_allocations.values_list("vehicle_id", flat=True))

    assert len(vehicles) == len(set(vehicles))
    reserved = StockVehicle.objects.filter(store=demo, status=StockStatus.RESERVED)
    assert reserved.exists()
    for car in reserved:
        allocation = open_allocations.get(vehicle=car)
        assert allocation.contract.status == ContractStatus.SIGNED
    cancelled = Allocation.objects.filter(store=demo, released_at=None,
                                          contract__status=ContractStatus.CANCELLED)
    assert not cancelled.exists()


def test_stock_of_every_working_status_and_some_slow_cars(demo):
    statuses = set(StockVehicle.objects.filter(store=demo).values_list("status", flat=True))
    today = demo.today()
    threshold = delivery_settings_of(demo).slow_stock_days
    manager = User.objects.get(username="manager")

    assert {StockStatus.IN_TRANSIT, StockStatus.IN_STOCK, StockStatus.RESERVED,
            StockStatus.DEMO, StockStatus.DELIVERED} <= statuses
    slow = slow_stock(user=manager, store=demo, today=today)
    assert slow
    assert all((today - car.vehicle.arrival_date).days > threshold for car in slow)
    on_hand = StockVehicle.objects.filter(store=demo, status=StockStatus.IN_STOCK,
                                          arrival_date__gte=today - dt.timedelta(days=threshold))
    assert on_hand.exists()  # young stock too, not only slow cars


def test_signed_contracts_stand_at_several_stages_of_the_order_board(demo):
    signed = list(Contract.objects.filter(store=demo, status=ContractStatus.SIGNED)
                  .order_by("signed_at"))
    rows = order_rows(signed, today=demo.today(), at_risk_days=at_risk_days_of(demo.pk))
    stages = {row.stage for row in rows}

    assert {OrderStage.AWAITING_CAR, OrderStage.PDI, OrderStage.READY} <= stages
    assert any(row.at_risk for row in rows)
    overdue = [c for c in signed if c.promised_payment_date is not None
               and c.promised_payment_date < demo.today() and balance_due(contract=c) > 0]
    assert overdue  # finance's receivables list has an overdue balance


def test_seed_demo_again_changes_no_delivery_row(demo):
    before = (Allocation.objects.count(), Handover.objects.count(), PdiCheck.objects.count(),
              Payment.objects.count(), StockVehicle.objects.count())

    call_command("seed_demo", force=True, stdout=StringIO())

    assert (Allocation.objects.count(), Handover.objects.count(), PdiCheck.objects.count(),
            Payment.objects.count(), StockVehicle.objects.count()) == before
