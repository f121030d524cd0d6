"""Issue 11's journey: from a signed contract to the keys in the customer's hands. Finance
records the balance; the consultant, on a phone next to the car, allocates the car in
stock, books the delivery, fills in the ceremony (checklist, photo with the customer,
plate), is stopped by the delivery gate while the inspection is still to do, passes every
inspection item and completes the handover: the contract and the car are delivered."""

from __future__ import annotations

import base64
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from contracts.enums import ContractStatus
from dealership.enums import Role, StockStatus
from delivery.enums import HANDOVER_CHECKLIST, GateCondition
from delivery.models import Allocation, Handover, PdiCheck
from delivery.services.pdi import pdi_items_ensure
from tests.contracts.factories import make_contract
from tests.e2e.helpers import assert_accessible, log_in, watch
from tests.factories import (
    ColourFactory,
    CustomerFactory,
    StockVehicleFactory,
    StoreFactory,
    TeamFactory,
    TrimFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# A 1×1 red PNG, as a phone's camera would send a (much larger) picture.
ONE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5E"
    "rkJggg==")


def signed_in(page: Page, base: str, username: str) -> None:
    log_in(page, base, username)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def in_english(label) -> str:
    """A label as the English interface shows it (the test thread's language is Chinese)."""
    with translation.override("en"):
        return str(label)


def local_minute(store, moment: dt.datetime) -> str:
    """A datetime-local input's value, in the store's time."""
    return f"{timezone.localtime(moment, store.tzinfo):%Y-%m-%dT%H:%M}"


def test_balance_recorded_car_allocated_inspected_and_handed_over_on_a_phone(
        live_server, page: Page, new_context, tmp_path):
    base = live_server.url
    store = StoreFactory(code="DLV", name="交车店")
    supervisor = UserFactory(username="sup", name="赵主管", role=Role.SUPERVISOR, store=store,
                             language="en")
    team = TeamFactory(store=store, name="一组", supervisor=supervisor)
    # English interface: the assertions read the msgids, whatever the translations say.
    consultant = UserFactory(username="con", name="王芳", role=Role.CONSULTANT, store=store,
                             team=team, language="en")
    manager = UserFactory(username="mgr", name="周经理", role=Role.MANAGER, store=store,
                          language="en")
    UserFactory(username="fin", name="钱会计", role=Role.FINANCE, store=store, language="en")
    trim = TrimFactory(name="2.5L 豪华版", msrp=Decimal("209800.00"))
    colour = ColourFactory(series=trim.series, name="铂金白")
    customer = CustomerFactory(store=store, owner=consultant, name="张三丰")
    # Signed with the factories' ¥2,000 discount and ¥5,000 deposit.
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED, trim=trim, colour=colour)
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=colour,
                                  status=StockStatus.IN_STOCK, location="交车区-03")
    items = [item for item in pdi_items_ensure(store=store) if item.active]
    assert items, "the store's inspection list is the defaults, copied on first use"
    # Worked out by hand: ¥209,800 − ¥2,000 discount = ¥207,800 due; less the ¥5,000
    # deposit taken at signing, ¥202,800 is the balance.
    balance = contract.amount_due - contract.deposit_amount
    assert balance == Decimal("202800.00")
    photo = tmp_path / "with-the-customer.png"
    photo.write_bytes(ONE_PIXEL_PNG)
    problems: list[str] = []
    watch(page, problems, timeout_ms=20_000)

    # 1. Finance opens the order, records the balance by transfer: nothing is left to pay.
    signed_in(page, base, "fin")
    page.goto(f"{base}/delivery/orders/{contract.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a payment").click()
    expect(page).to_have_url(f"{base}/delivery/orders/{contract.pk}/payments/new/")
    assert_accessible(page)
    expect(page.get_by_test_id("balance-due")).to_have_text("¥202,800.00")
    page.locator("input[name=kind][value=balance]").check()
    page.locator("#id_channel").select_option("transfer")
    page.locator("#id_amount").fill(f"{balance}")
    page.locator("#id_receipt_number").fill("TR-20261206-0042")
    page.locator("#id_received_at").fill(local_minute(store, timezone.now()))
    page.get_by_test_id("record-payment").click()
    expect(page).to_have_url(f"{base}/contracts/{contract.pk}/")
    assert_accessible(page)
    panel = page.get_by_test_id("money-panel")
    expect(panel.get_by_test_id("balance-due")).to_have_text("¥0.00")
    expect(panel.get_by_test_id("money-settled")).to_be_visible()
    payment = contract.payments.get(kind="balance")
    assert (payment.amount, payment.channel, payment.receipt_number) == (
        balance, "transfer", "TR-20261206-0042")

    # 2. The consultant, on a phone, opens the order and allocates the car in stock.
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    watch(phone, problems, timeout_ms=20_000)
    signed_in(phone, base, "con")
    phone.goto(f"{base}/delivery/orders/{contract.pk}/")
    assert_accessible(phone)
    phone.get_by_role("link", name="Allocate a car").click()
    expect(phone).to_have_url(f"{base}/delivery/orders/{contract.pk}/allocate/")
    assert_accessible(phone)
    candidate = phone.get_by_test_id("candidate-matching").filter(has_text=vehicle.vin)
    expect(candidate).to_have_count(1)
    candidate.locator("input[type=radio]").check()
    phone.get_by_test_id("allocate").click()
    expect(phone).to_have_url(f"{base}/delivery/orders/{contract.pk}/")
    assert_accessible(phone)
    expect(phone.get_by_test_id("order-car")).to_contain_text(vehicle.vin)
    vehicle.refresh_from_db()
    # Allocated to a contract already paid for: the car is sold, not merely reserved.
    assert vehicle.status == StockStatus.SOLD

    # 3. Books the delivery for tomorrow at 10:00, store time.
    phone.get_by_role("link", name="Delivery appointment").click()
    tomorrow = store.today() + dt.timedelta(days=1)
    phone.locator("#id_scheduled_at").fill(f"{tomorrow:%Y-%m-%d}T10:00")
    phone.locator("#id_place").fill("交车区 3 号位")
    phone.get_by_role("button", name="Save the appointment").click()
    expect(phone).to_have_url(f"{base}/delivery/orders/{contract.pk}/handover/")
    assert_accessible(phone)
    expect(phone.get_by_test_id("handover-appointment")).to_have_text(
        f"{tomorrow:%Y-%m-%d} 10:00 · 交车区 3 号位")

    # 4. Next to the car: the ceremony ticked, the photo taken, the plate entered.
    for name, _label in HANDOVER_CHECKLIST:
        phone.locator(f"#id_{name}").check()
    phone.locator("#id_photo").set_input_files(str(photo))
    phone.locator("#id_plate_number").fill("粤B·12345")
    phone.locator("#id_plate_registered_on").fill(f"{store.today():%Y-%m-%d}")
    phone.locator("form.handover-form button[type=submit]").click()
    expect(phone.locator(".messages")).to_contain_text("Handover saved.")
    expect(phone.locator("img.handover-photo")).to_be_visible()
    expect(phone.locator("#id_plate_number")).to_have_value("粤B12345")

    # 5. The inspection is still to do: completing is refused, saying what is missing.
    phone.get_by_test_id("complete-handover").click()
    refusal = phone.get_by_test_id("handover-refusal")
    expect(refusal).to_contain_text("The car cannot be handed over yet")
    expect(refusal).to_contain_text(in_english(GateCondition.PDI.label))
    expect(refusal).not_to_contain_text(in_english(GateCondition.CAR.label))
    expect(refusal).not_to_contain_text(in_english(GateCondition.MONEY.label))
    contract.refresh_from_db()
    vehicle.refresh_from_db()
    handover = Handover.objects.get(contract=contract)
    assert (contract.status, contract.delivered_at) == (ContractStatus.SIGNED, None)
    assert vehicle.status == StockStatus.SOLD
    assert (handover.completed_at, handover.completed_by) == (None, None)

    # 6. Every inspection item passed, from the gate's link.
    phone.get_by_test_id("handover-gate").get_by_role(
        "link", name="Pre-delivery inspection").click()
    expect(phone).to_have_url(f"{base}/delivery/orders/{contract.pk}/inspection/")
    assert_accessible(phone)
    for item in items:
        phone.locator(f"input[name=result_{item.pk}][value=pass]").check()
    phone.get_by_role("button", name="Save the checks").click()
    expect(phone.get_by_test_id("pdi-status")).to_contain_text("Passed")
    assert PdiCheck.objects.filter(vehicle=vehicle, passed=True).count() == len(items)

    # 7. Back on the handover: the gate is met, the car is handed over.
    phone.locator(".page-head").get_by_role("link", name="Handover").click()
    expect(phone.locator(".handover-unmet")).to_have_count(0)
    phone.get_by_test_id("complete-handover").click()
    expect(phone.get_by_test_id("handover-done")).to_be_visible()
    expect(phone.get_by_test_id("handover-done")).to_contain_text("粤B12345")
    expect(phone.locator(".messages")).to_contain_text(
        "Handed over: the contract and the car are delivered.")

    contract.refresh_from_db()
    vehicle.refresh_from_db()
    handover.refresh_from_db()
    assert contract.status == ContractStatus.DELIVERED
    assert contract.delivered_at is not None
    assert vehicle.status == StockStatus.DELIVERED
    allocation = Allocation.objects.get(contract=contract, released_at__isnull=True)
    assert allocation.vehicle == vehicle
    assert (handover.completed_by, handover.completed_at) == (consultant,
                                                              contract.delivered_at)
    assert handover.plate_number == "粤B12345"
    assert handover.plate_registered_on == store.today()
    assert handover.scheduled_at == timezone.make_aware(
        dt.datetime.combine(tomorrow, dt.time(10, 0)), store.tzinfo)
    assert all(getattr(handover, name) for name, _label in HANDOVER_CHECKLIST)
    assert handover.photo

    # 8. The contract page says delivered.
    phone.goto(f"{base}/contracts/{contract.pk}/")
    assert_accessible(phone)
    expect(phone.get_by_test_id("contract-status")).to_have_class(
        re.compile("contract-delivered"))
    expect(phone.get_by_test_id("contract-status")).to_have_text("Delivered")
    assert problems == []
