"""The handover: the ceremony's progress (photo, plate), the delivery gate and a manager's
override of one condition, completion (contract and car delivered in one transaction, the
vehicle_delivered hook after commit), and who may open it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.enums import ContractStatus
from contracts.selectors.ledger import balance_due
from contracts.services.contracts import contract_close
from dealership.enums import AuditAction, Role, StockStatus
from dealership.models import AuditEntry
from delivery.enums import HANDOVER_CHECKLIST, GateCondition, LeadEventKind
from delivery.models import Handover
from delivery.selectors.handover import gate_unmet
from delivery.services import handover as services
from delivery.signals import vehicle_delivered
from leads.enums import LeadStatus
from leads.models import LeadEvent
from tests.contracts.factories import pay_the_balance
from tests.delivery.test_handover_support import (
    allocate,
    items_of,
    pass_pdi,
    png,
    ready,
    signed,
    tick_all,
)
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import english
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.usefixtures("in_english")

CHECKLIST = [name for name, _label in HANDOVER_CHECKLIST]


def url(name: str, contract) -> str:
    return reverse(f"delivery:{name}", args=[contract.pk])


def snapshot(contract, vehicle=None) -> tuple:
    """What a refused completion must leave as it was."""
    contract.refresh_from_db()
    handover = Handover.objects.get(contract=contract)
    status = None
    if vehicle is not None:
        vehicle.refresh_from_db()
        status = vehicle.status
    return (contract.status, contract.delivered_at, status, handover.completed_at,
            handover.completed_by_id, handover.override_condition)


@pytest.fixture
def received(monkeypatch):
    """The vehicle_delivered signal's calls, as (kwargs) dicts."""
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    vehicle_delivered.connect(receiver, dispatch_uid="test-handover-receiver")
    yield calls
    vehicle_delivered.disconnect(dispatch_uid="test-handover-receiver")


# --- The gate ---------------------------------------------------------------------------------
def test_gate_met_for_a_ready_contract(consultant, manager):
    contract, _vehicle = ready(consultant, manager)

    assert gate_unmet(contract) == []


def test_gate_lists_every_unmet_condition_in_order(consultant, manager):
    contract = signed(consultant, manager)

    assert gate_unmet(contract) == [GateCondition.CAR, GateCondition.PDI, GateCondition.MONEY]


def test_gate_pdi_of_the_allocated_car_only(consultant, manager):
    contract = signed(consultant, manager)
    pay_the_balance(contract)
    allocate(contract, manager)

    assert gate_unmet(contract) == [GateCondition.PDI]


@pytest.mark.parametrize("unmet", ["car", "pdi", "money"])
def test_complete_refused_409_when_a_condition_is_unmet(client, consultant, manager, unmet,
                                                        received):
    contract = signed(consultant, manager)
    vehicle = None
    if unmet != "money":
        pay_the_balance(contract)
    if unmet != "car":
        vehicle = allocate(contract, manager)
        if unmet != "pdi":
            pass_pdi(contract, consultant)
    tick_all(contract, consultant)
    before = snapshot(contract, vehicle)
    client.force_login(english(consultant))

    response = client.post(url("handover_complete", contract))

    assert response.status_code == 409
    assert "cannot be handed over yet" in response.context["refusal"]
    assert str(GateCondition(unmet).label) in response.context["refusal"]
    assert snapshot(contract, vehicle) == before
    assert before[0] == ContractStatus.SIGNED
    assert received == []


def test_manager_overrides_the_one_unmet_condition_with_a_reason(client, consultant, manager,
                                                                 received):
    contract = signed(consultant, manager)       # the balance is not paid
    vehicle = allocate(contract, manager)
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)
    client.force_login(manager)

    response = client.post(url("handover_complete", contract),
                           {"override_condition": "money",
                            "override_reason": "贷款已批，银行下周放款"})

    assert response.status_code == 302
    handover = Handover.objects.get(contract=contract)
    assert (handover.override_condition, handover.override_reason, handover.override_by,
            handover.completed_by) == ("money", "贷款已批，银行下周放款", manager, manager)
    contract.refresh_from_db()
    vehicle.refresh_from_db()
    assert (contract.status, vehicle.status) == (ContractStatus.DELIVERED,
                                                 StockStatus.DELIVERED)
    entry = AuditEntry.objects.get(content_type=ContentType.objects.get_for_model(Handover),
                                   object_id=str(handover.pk),
                                   changes__has_key="override_condition")
    assert (entry.actor, entry.reason, entry.changes["override_condition"]) == (
        manager, "贷款已批，银行下周放款", ["", "money"])


def test_manager_override_needs_a_reason(consultant, manager):
    contract = signed(consultant, manager)
    allocate(contract, manager)
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)

    with pytest.raises(ValidationError) as error:
        services.handover_complete(actor=manager, contract=contract,
                                   override_condition="money", override_reason="  ")

    assert list(error.value.message_dict) == ["override_reason"]
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED


def test_manager_override_refused_with_two_conditions_unmet(client, consultant, manager):
    contract = signed(consultant, manager)       # no money, and the PDI not passed
    vehicle = allocate(contract, manager)
    tick_all(contract, consultant)
    before = snapshot(contract, vehicle)
    client.force_login(english(manager))

    response = client.post(url("handover_complete", contract),
                           {"override_condition": "money", "override_reason": "客户是熟客"})

    assert response.status_code == 409
    assert "More than one condition is unmet" in response.context["refusal"]
    assert snapshot(contract, vehicle) == before


def test_manager_override_must_name_the_unmet_condition(consultant, manager):
    contract = signed(consultant, manager)
    allocate(contract, manager)
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)

    with pytest.raises(services.GateRefused) as error:
        services.handover_complete(actor=manager, contract=contract,
                                   override_condition="pdi", override_reason="检查过了")

    assert error.value.unmet == [GateCondition.MONEY]


def test_consultant_may_not_override(client, consultant, manager):
    contract = signed(consultant, manager)
    vehicle = allocate(contract, manager)
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)
    before = snapshot(contract, vehicle)
    client.force_login(english(consultant))

    response = client.post(url("handover_complete", contract),
                           {"override_condition": "money", "override_reason": "我担保"})

    assert response.status_code == 409
    assert "Only the store manager" in response.context["refusal"]
    assert snapshot(contract, vehicle) == before


# --- Completion -------------------------------------------------------------------------------
def _own(callbacks) -> list:
    """This stage's after-commit work (a higher stage may add its own, e.g. the reports'
    wall-screen freshness)."""
    return [c for c in callbacks if c.__module__.startswith("delivery.")]


def test_complete_marks_contract_and_car_delivered(client, store, consultant, manager,
                                                   received,
                                                   django_capture_on_commit_callbacks):
    lead = LeadFactory(store=store, owner=consultant, status=LeadStatus.NEGOTIATING,
                       customer=CustomerFactory(store=store, owner=consultant))
    contract, vehicle = ready(consultant, manager, customer=lead.customer, lead=lead)
    client.force_login(consultant)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("handover_complete", contract))

    assert response.status_code == 302
    contract.refresh_from_db()
    vehicle.refresh_from_db()
    handover = Handover.objects.get(contract=contract)
    assert (contract.status, vehicle.status) == (ContractStatus.DELIVERED,
                                                 StockStatus.DELIVERED)
    assert (handover.completed_by, handover.override_condition) == (consultant, "")
    assert handover.completed_at is not None and handover.completed_at == contract.delivered_at
    assert list(LeadEvent.objects.filter(lead=lead, kind=LeadEventKind.DELIVERED)
                .values_list("actor", flat=True)) == [consultant.pk]
    assert len(_own(callbacks)) == 1
    assert received == [{"signal": vehicle_delivered, "contract_id": contract.pk,
                         "vehicle_id": vehicle.pk, "store_id": store.pk,
                         "customer_id": lead.customer_id, "consultant_id": consultant.pk,
                         "delivered_at": contract.delivered_at}]


def test_vehicle_delivered_not_sent_before_commit(consultant, manager, received,
                                                  django_capture_on_commit_callbacks):
    contract, _vehicle = ready(consultant, manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.handover_complete(actor=consultant, contract=contract)

    assert (received, len(_own(callbacks))) == ([], 1)


def test_manager_completes_a_consultants_handover(consultant, manager):
    contract, vehicle = ready(consultant, manager)

    handover = services.handover_complete(actor=manager, contract=contract)

    vehicle.refresh_from_db()
    assert (handover.completed_by, vehicle.status) == (manager, StockStatus.DELIVERED)


def test_second_click_is_refused_409(client, consultant, manager, received,
                                     django_capture_on_commit_callbacks):
    contract, _vehicle = ready(consultant, manager)
    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("handover_complete", contract))
        second = client.post(url("handover_complete", contract))

    assert (first.status_code, second.status_code) == (302, 409)
    assert len(received) == 1


def test_close_after_an_override_needs_a_zero_balance(consultant, manager):
    contract = signed(consultant, manager)
    allocate(contract, manager)
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)
    services.handover_complete(actor=manager, contract=contract, override_condition="money",
                               override_reason="银行放款在途")
    contract.refresh_from_db()
    owed = balance_due(contract=contract)
    assert owed > Decimal("0")

    with pytest.raises(ValidationError):
        contract_close(actor=manager, contract=contract)
    pay_the_balance(contract)
    closed = contract_close(actor=manager, contract=contract)

    assert closed.status == ContractStatus.CLOSED


def test_complete_needs_every_box_and_the_photo(client, consultant, manager):
    contract = signed(consultant, manager)
    pay_the_balance(contract)
    vehicle = allocate(contract, manager)
    pass_pdi(contract, consultant)
    services.handover_update(actor=consultant, contract=contract, keys_handed=True)
    before = snapshot(contract, vehicle)
    client.force_login(consultant)

    response = client.post(url("handover_complete", contract))

    assert response.status_code == 400
    form = response.context["form"]
    assert sorted(form.errors) == sorted([*CHECKLIST[1:], "photo"])
    assert snapshot(contract, vehicle) == before


def test_complete_refused_when_the_car_is_still_in_transit(consultant, manager):
    contract = signed(consultant, manager)
    pay_the_balance(contract)
    vehicle = allocate(contract, manager, status=StockStatus.IN_TRANSIT)
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)
    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.RESERVED

    services.handover_complete(actor=consultant, contract=contract)

    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.DELIVERED


# --- The ceremony: photo and plate -------------------------------------------------------------
def test_save_progress_with_photo_and_plate(client, consultant, manager):
    contract = signed(consultant, manager)
    client.force_login(consultant)
    today = contract.store.today()

    response = client.post(url("handover", contract), {
        "keys_handed": "on", "app_explained": "on", "plate_number": "粤b 12345",
        "plate_registered_on": today.isoformat(), "photo": png("合影.png")})

    assert response.status_code == 302
    handover = Handover.objects.get(contract=contract)
    assert (handover.keys_handed, handover.app_explained, handover.documents_handed,
            handover.plate_number, handover.plate_registered_on) == (
        True, True, False, "粤B12345", today)
    assert handover.photo.name.startswith(f"handovers/{contract.store_id}/{contract.pk}/")
    assert "合影" not in handover.photo.name


def test_a_jpg_that_is_not_an_image_is_a_field_error(client, consultant, manager):
    contract = signed(consultant, manager)
    client.force_login(consultant)
    fake = SimpleUploadedFile("photo.jpg", b"this is a text file, not a JPEG",
                              content_type="image/jpeg")

    response = client.post(url("handover", contract), {"keys_handed": "on", "photo": fake})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["photo"]
    assert not Handover.objects.filter(contract=contract).exists()


def test_a_photo_over_10_mb_is_refused(consultant, manager):
    contract = signed(consultant, manager)
    big = png()
    big.size = services.PHOTO_MAX_BYTES + 1

    with pytest.raises(ValidationError) as error:
        services.handover_update(actor=consultant, contract=contract, photo=big)

    assert list(error.value.message_dict) == ["photo"]


@pytest.mark.parametrize("plate", ["粤B12345", "京AD12345", "沪A12345F", "粤B·1234学"])
def test_plate_formats_accepted(plate):
    assert services.normalize_plate(plate) == plate.replace("·", "")


@pytest.mark.parametrize("plate", ["B12345", "粤B1234", "粤BI2345", "粤B123456", "ABC-123",
                                   "粤BX12345"])
def test_plate_formats_refused(plate):
    with pytest.raises(ValidationError):
        services.normalize_plate(plate)


def test_a_bad_plate_is_a_field_error_and_keeps_the_input(client, consultant, manager):
    contract = signed(consultant, manager)
    client.force_login(consultant)

    response = client.post(url("handover", contract),
                           {"keys_handed": "on", "plate_number": "粤B1234"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["plate_number"]
    assert 'value="粤B1234"' in response.content.decode()
    assert not Handover.objects.filter(contract=contract).exists()


def test_a_plate_already_on_another_car_is_refused(consultant, manager):
    first, second = signed(consultant, manager), signed(consultant, manager)
    services.handover_update(actor=consultant, contract=first, plate_number="粤B12345")

    with pytest.raises(ValidationError) as error:
        services.handover_update(actor=consultant, contract=second, plate_number="粤B12345")

    assert list(error.value.message_dict) == ["plate_number"]


def test_plate_date_in_the_future_is_a_field_error(consultant, manager):
    contract = signed(consultant, manager)
    tomorrow = contract.store.today() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        services.handover_update(actor=consultant, contract=contract,
                                 plate_registered_on=tomorrow)

    assert list(error.value.message_dict) == ["plate_registered_on"]


def test_photo_served_only_to_those_who_may_open_the_contract(client, consultant, teammate,
                                                              manager, outsider):
    contract = signed(consultant, manager)
    tick_all(contract, consultant)
    target = url("handover_photo", contract)

    allowed = [client.force_login(user) or client.get(target).status_code
               for user in (consultant, manager)]
    refused = [client.force_login(user) or client.get(target).status_code
               for user in (teammate, outsider)]

    assert (allowed, refused) == ([200, 200], [404, 404])
    client.force_login(consultant)
    response = client.get(target)
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_photo_404_when_there_is_none(client, consultant, manager):
    contract = signed(consultant, manager)
    client.force_login(consultant)

    assert client.get(url("handover_photo", contract)).status_code == 404


# --- Who may open the handover -----------------------------------------------------------------
@pytest.mark.parametrize("who", ["teammate", "outsider"])
def test_handover_404_outside_the_scope(client, consultant, manager, teammate, outsider, who):
    contract = signed(consultant, manager)
    client.force_login({"teammate": teammate, "outsider": outsider}[who])

    responses = [client.get(url("handover", contract)),
                 client.post(url("handover_complete", contract)),
                 client.get(url("appointment", contract))]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_handover_forbidden_to_finance(client, consultant, manager, store):
    contract = signed(consultant, manager)
    client.force_login(UserFactory(role=Role.FINANCE, store=store))

    assert client.get(url("handover", contract)).status_code == 403


def test_handover_page_phone_first_form(client, consultant, manager):
    contract = signed(consultant, manager)
    client.force_login(consultant)

    response = client.get(url("handover", contract))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert html.count('type="checkbox"') == len(CHECKLIST)
    assert response.context["gate"].unmet == ["car", "pdi", "money"]


@pytest.mark.parametrize("count", [1, 3])
def test_handover_page_query_count_is_constant(client, consultant, manager, count,
                                               django_assert_num_queries):
    contract = signed(consultant, manager)
    allocate(contract, manager)
    for n, item in enumerate(items_of(contract.store)):
        if n >= count:
            item.active = False
            item.save(update_fields=["active"])
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)
    assert len(items_of(contract.store)) == count
    client.force_login(consultant)

    # session, user, store (time zone), contract, handover, allocation, PDI items, PDI
    # checks, payments, loan
    with django_assert_num_queries(10):
        response = client.get(url("handover", contract))

    assert len(response.context["gate"].pdi.items) == count


# --- The appointment -------------------------------------------------------------------------
def test_appointment_saved_and_audited(client, consultant, manager):
    contract = signed(consultant, manager)
    client.force_login(consultant)
    day = contract.store.today() + dt.timedelta(days=3)

    response = client.post(url("appointment", contract),
                           {"scheduled_at": f"{day.isoformat()}T10:30", "place": "交车区2号"})

    assert response.status_code == 302
    handover = Handover.objects.get(contract=contract)
    expected = dt.datetime.combine(day, dt.time(10, 30), tzinfo=contract.store.tzinfo)
    assert (handover.scheduled_at, handover.place, handover.scheduled_by) == (
        expected, "交车区2号", consultant)
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Handover), object_id=str(handover.pk),
        action=AuditAction.UPDATE).count() == 1


@pytest.mark.parametrize("days", [-1, 181])
def test_appointment_out_of_range_is_a_field_error(client, consultant, manager, days):
    contract = signed(consultant, manager)
    client.force_login(consultant)
    day = contract.store.today() + dt.timedelta(days=days)

    response = client.post(url("appointment", contract),
                           {"scheduled_at": f"{day.isoformat()}T10:30", "place": "展厅"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["scheduled_at"]
    assert not Handover.objects.filter(contract=contract).exists()


def test_appointment_service_checks_the_range_too(consultant, manager):
    contract = signed(consultant, manager)
    start, _end = contract.store.day_bounds(contract.store.today() + dt.timedelta(days=200))

    with pytest.raises(ValidationError) as error:
        services.handover_schedule(actor=consultant, contract=contract, scheduled_at=start,
                                   place="")

    assert list(error.value.message_dict) == ["scheduled_at"]


def test_appointment_page_offers_the_range(client, consultant, manager):
    contract = signed(consultant, manager)
    client.force_login(consultant)

    response = client.get(url("appointment", contract))

    today = contract.store.today()
    last = today + dt.timedelta(days=180)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'min="{today.isoformat()}T00:00"' in html
    assert f'max="{last.isoformat()}T23:59"' in html


def test_delivered_handover_page_shows_the_completion(client, consultant, manager):
    contract, _vehicle = ready(consultant, manager)
    services.handover_complete(actor=consultant, contract=contract)
    client.force_login(consultant)

    response = client.get(url("handover", contract))

    assert response.status_code == 200
    assert 'data-testid="handover-done"' in response.content.decode()
