"""Order progress: each order's stage, the order list (scope, filters, at-risk flag, fixed
queries), the order page with its allocate / swap / release forms, the contract page's
"Delivery" card, and the at-risk job."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role, StockStatus
from delivery.enums import LeadEventKind, OrderStage, ReminderKind
from delivery.jobs_orders import flag_deliveries_at_risk
from delivery.models import Allocation, DeliveryReminder, DeliverySettings
from delivery.selectors.orders import order_rows
from delivery.services.allocation import allocation_create
from delivery.services.pdi import pdi_items_ensure, pdi_record
from leads.models import Notification
from tests.contracts.factories import make_contract
from tests.factories import ColourFactory, CustomerFactory, StockVehicleFactory, TrimFactory
from tests.helpers import english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def trim(db):
    return TrimFactory(name="2.5L 豪华版")


@pytest.fixture
def colour(trim):
    return ColourFactory(series=trim.series, name="铂金白")


@pytest.fixture
def order(consultant, customer, manager, trim, colour):
    return signed_for(consultant, customer, manager, trim, colour)


def signed_for(consultant, customer, manager, trim, colour, *, promised=None) -> Contract:
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED, trim=trim, colour=colour)
    if promised is not None:
        Contract.objects.filter(pk=contract.pk).update(promised_delivery_date=promised)
        contract.refresh_from_db()
    return contract


def give_car(contract, manager, trim, colour, **kwargs) -> Allocation:
    vehicle = StockVehicleFactory(store=contract.store, trim=trim, colour=colour, **kwargs)
    return allocation_create(actor=manager, contract=contract, vehicle=vehicle)


def stage_of(contract) -> str:
    [row] = order_rows([Contract.objects.get(pk=contract.pk)],
                       today=contract.store.today(), at_risk_days=14)
    return row.stage


# --- Stages -------------------------------------------------------------------------------
def test_stages_from_awaiting_car_to_ready(store, consultant, manager, order, trim, colour):
    assert stage_of(order) == OrderStage.AWAITING_CAR
    give_car(order, manager, trim, colour)
    assert stage_of(order) == OrderStage.CAR_ARRIVED
    items = pdi_items_ensure(store=store)
    pdi_record(actor=consultant, contract=order, results=[(items[0], True, "")])
    assert stage_of(order) == OrderStage.PDI
    pdi_record(actor=consultant, contract=order,
               results=[(item, True, "") for item in items[1:]])
    assert stage_of(order) == OrderStage.READY


def test_a_car_in_transit_is_still_awaited(manager, order, trim, colour):
    give_car(order, manager, trim, colour, status=StockStatus.IN_TRANSIT, arrival_date=None)

    assert stage_of(order) == OrderStage.AWAITING_CAR


def test_a_delivered_contract_is_delivered(consultant, customer, manager, trim, colour):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.DELIVERED, trim=trim, colour=colour)

    assert stage_of(contract) == OrderStage.DELIVERED


def test_at_risk_is_no_car_within_the_days_before_the_promised_date(
        store, consultant, customer, manager, trim, colour):
    today = store.today()
    near = signed_for(consultant, customer, manager, trim, colour,
                      promised=today + dt.timedelta(days=14))
    far = signed_for(consultant, customer, manager, trim, colour,
                     promised=today + dt.timedelta(days=15))
    late_with_car = signed_for(consultant, customer, manager, trim, colour,
                               promised=today - dt.timedelta(days=2))
    give_car(late_with_car, manager, trim, colour)

    rows = order_rows([near, far, late_with_car], today=today, at_risk_days=14)

    assert [(row.at_risk, row.days_left, row.days_late) for row in rows] == [
        (True, 14, 0), (False, 15, 0), (False, -2, 2)]


# --- The order list -----------------------------------------------------------------------
def list_rows(client) -> tuple[int, list[str]]:
    response = client.get(reverse("delivery:order_list"))
    return response.status_code, [row.contract.number for row in response.context["rows"]]


def test_a_consultant_lists_only_their_own_orders(store, login, consultant, teammate,
                                                  customer, manager, order, trim, colour):
    theirs = signed_for(teammate, CustomerFactory(store=store, owner=teammate), manager,
                        trim, colour)

    assert list_rows(login(consultant)) == (200, [order.number])
    assert list_rows(login(teammate)) == (200, [theirs.number])


def test_the_manager_and_the_supervisor_list_the_team(store, login, consultant, teammate,
                                                      supervisor, manager, order, trim,
                                                      colour):
    theirs = signed_for(teammate, CustomerFactory(store=store, owner=teammate), manager,
                        trim, colour, promised=store.today() + dt.timedelta(days=30))

    assert list_rows(login(manager)) == (200, [order.number, theirs.number])
    assert list_rows(login(supervisor)) == (200, [order.number, theirs.number])


def test_the_list_leaves_out_drafts_cancelled_and_old_deliveries(
        store, login, consultant, customer, manager, trim, colour):
    make_contract(consultant, customer, manager=manager, status=ContractStatus.APPROVED,
                  trim=trim, colour=colour)
    make_contract(consultant, customer, manager=manager, status=ContractStatus.CANCELLED,
                  trim=trim, colour=colour)
    recent = make_contract(consultant, customer, manager=manager,
                           status=ContractStatus.DELIVERED, trim=trim, colour=colour)
    old = make_contract(consultant, customer, manager=manager,
                        status=ContractStatus.DELIVERED, trim=trim, colour=colour)
    Contract.objects.filter(pk=old.pk).update(
        delivered_at=old.delivered_at - dt.timedelta(days=31))

    assert list_rows(login(manager)) == (200, [recent.number])


def test_filters_at_risk_stage_and_consultant(store, login, consultant, teammate, customer,
                                              manager, trim, colour):
    today = store.today()
    risky = signed_for(consultant, customer, manager, trim, colour,
                       promised=today + dt.timedelta(days=3))
    with_car = signed_for(consultant, customer, manager, trim, colour,
                          promised=today + dt.timedelta(days=4))
    give_car(with_car, manager, trim, colour)
    theirs = signed_for(teammate, CustomerFactory(store=store, owner=teammate), manager,
                        trim, colour, promised=today + dt.timedelta(days=40))
    client = login(manager)
    url = reverse("delivery:order_list")

    def numbers(**params):
        response = client.get(url, params)
        return [row.contract.number for row in response.context["rows"]]

    assert numbers(at_risk="on") == [risky.number]
    assert numbers(stage=OrderStage.CAR_ARRIVED) == [with_car.number]
    assert numbers(stage=OrderStage.AWAITING_CAR) == [risky.number, theirs.number]
    assert numbers(consultant=teammate.pk) == [theirs.number]
    assert numbers(stage=OrderStage.READY) == []
    response = client.get(url)
    assert response.context["at_risk_count"] == 1
    assert response.context["at_risk_days"] == 14


def test_the_stores_at_risk_days_are_used(store, login, consultant, customer, manager, trim,
                                          colour):
    DeliverySettings.objects.create(store=store, at_risk_days=30)
    order = signed_for(consultant, customer, manager, trim, colour,
                       promised=store.today() + dt.timedelta(days=20))

    response = login(manager).get(reverse("delivery:order_list"), {"at_risk": "on"})

    assert [row.contract.number for row in response.context["rows"]] == [order.number]


def test_a_bad_filter_is_a_400(login, manager):
    response = login(manager).get(reverse("delivery:order_list"), {"stage": "nowhere"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["stage"]


def test_a_consultant_has_no_consultant_filter(login, consultant):
    response = login(consultant).get(reverse("delivery:order_list"))

    assert list(response.context["form"].fields) == ["stage", "at_risk"]


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.ADMIN])
def test_roles_without_orders_are_refused(login, make_user, role):
    assert login(make_user(role)).get(reverse("delivery:order_list")).status_code == 403


def _orders(count, store, consultant, customer, manager, trim, colour):
    """`count` orders in every stage with a car, so each row's queries would show."""
    items = pdi_items_ensure(store=store)
    contracts = []
    for n in range(count):
        contract = signed_for(consultant, customer, manager, trim, colour,
                              promised=store.today() + dt.timedelta(days=n + 1))
        give_car(contract, manager, trim, colour)
        pdi_record(actor=consultant, contract=contract, results=[(items[0], True, "")])
        contracts.append(contract)
    return contracts


@pytest.mark.parametrize("count", [1, 3])
def test_the_order_list_runs_a_fixed_number_of_queries(
        count, store, login, consultant, customer, manager, trim, colour,
        django_assert_num_queries):
    _orders(count, store, consultant, customer, manager, trim, colour)
    client = login(manager)

    with django_assert_num_queries(11):
        response = client.get(reverse("delivery:order_list"))

    assert len(response.context["rows"]) == count
    assert {row.stage for row in response.context["rows"]} == {OrderStage.PDI}


# --- The order page -----------------------------------------------------------------------
def test_another_consultants_order_is_a_404(store, login, teammate, order):
    response = login(teammate).get(reverse("delivery:order_detail", args=[order.pk]))

    assert response.status_code == 404


def test_an_order_of_another_store_is_a_404(login, outsider, order):
    assert login(outsider).get(
        reverse("delivery:order_detail", args=[order.pk])).status_code == 404


def test_a_draft_has_no_order_page(login, consultant, customer, manager, trim, colour):
    draft = make_contract(consultant, customer, manager=manager, trim=trim, colour=colour)

    assert login(consultant).get(
        reverse("delivery:order_detail", args=[draft.pk])).status_code == 404


def test_the_order_page_shows_the_stage_and_the_car(login, consultant, manager, order,
                                                    trim, colour):
    allocation = give_car(order, manager, trim, colour)

    response = login(consultant).get(reverse("delivery:order_detail", args=[order.pk]))

    assert response.status_code == 200
    assert response.context["row"].stage == OrderStage.CAR_ARRIVED
    assert response.context["allocation"] == allocation
    body = response.content.decode()
    assert allocation.vehicle.vin in body
    assert reverse("delivery:stock_detail", args=[allocation.vehicle.pk]) in body
    assert reverse("delivery:allocation_release", args=[allocation.pk]) in body


@pytest.mark.parametrize("count", [1, 3])
def test_the_order_page_runs_a_fixed_number_of_queries(
        count, store, login, consultant, customer, manager, trim, colour,
        django_assert_num_queries):
    [*_, contract] = _orders(count, store, consultant, customer, manager, trim, colour)
    allocation = Allocation.objects.get(contract=contract)
    # Earlier cars released from this order, as many as the count.
    for n in range(count - 1):
        old = StockVehicleFactory(store=store, trim=trim, colour=colour)
        Allocation.objects.create(store=store, contract=contract, vehicle=old,
                                  allocated_by=manager, released_at=allocation.allocated_at,
                                  released_by=manager, release_reason=f"换车{n}")
    client = login(manager)

    with django_assert_num_queries(9):
        response = client.get(reverse("delivery:order_detail", args=[contract.pk]))

    assert len(response.context["history"]) == count - 1


# --- Allocating through the screens -------------------------------------------------------
def test_the_allocation_page_lists_the_candidates(store, login, consultant, order, trim,
                                                  colour):
    matching = StockVehicleFactory(store=store, trim=trim, colour=colour)
    StockVehicleFactory(store=store, trim=trim,
                        colour=ColourFactory(series=trim.series, name="曜石黑"))

    response = login(consultant).get(reverse("delivery:allocation_create", args=[order.pk]))

    assert (response.context["matching"], response.context["may_override"]) == (
        [matching], False)
    # A consultant is not offered the other colours (only the manager overrides).
    assert response.content.decode().count('data-testid="candidate-other"') == 0


def test_allocating_through_the_page(store, login, consultant, order, trim, colour):
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=colour)

    response = login(consultant).post(reverse("delivery:allocation_create", args=[order.pk]),
                                      {"vehicle": vehicle.pk})

    assert response.status_code == 302
    assert response.url == reverse("delivery:order_detail", args=[order.pk])
    assert list(Allocation.objects.values_list("contract", "vehicle")) == [
        (order.pk, vehicle.pk)]


def test_a_mismatched_car_without_a_reason_is_a_400_with_the_choice_kept(
        store, login, manager, order, trim):
    vehicle = StockVehicleFactory(store=store, trim=trim,
                                  colour=ColourFactory(series=trim.series, name="曜石黑"))

    response = login(manager).post(reverse("delivery:allocation_create", args=[order.pk]),
                                   {"vehicle": vehicle.pk, "override_reason": ""})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["vehicle"]
    assert response.context["chosen"] == str(vehicle.pk)
    assert Allocation.objects.count() == 0


def test_a_car_taken_meanwhile_is_a_409(store, login, consultant, customer, manager, order,
                                        trim, colour):
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=colour,
                                  status=StockStatus.IN_TRANSIT, arrival_date=None)
    other = signed_for(consultant, customer, manager, trim, colour)
    allocation_create(actor=manager, contract=other, vehicle=vehicle)

    response = login(english(consultant)).post(
        reverse("delivery:allocation_create", args=[order.pk]), {"vehicle": vehicle.pk})

    assert response.status_code == 409
    assert response.context["form"].errors == {"vehicle": [
        f"This car was just allocated to contract {other.number}."]}
    assert list(Allocation.objects.values_list("contract", flat=True)) == [other.pk]


def test_swapping_through_the_page_needs_a_reason(store, login, manager, order, trim,
                                                  colour):
    first = give_car(order, manager, trim, colour)
    second = StockVehicleFactory(store=store, trim=trim, colour=colour)
    client = login(manager)
    url = reverse("delivery:allocation_create", args=[order.pk])

    refused = client.post(url, {"vehicle": second.pk, "reason": ""})
    done = client.post(url, {"vehicle": second.pk, "reason": "客户要求换车"})

    assert (refused.status_code, list(refused.context["form"].errors)) == (400, ["reason"])
    assert done.status_code == 302
    assert list(Allocation.objects.order_by("pk").values_list(
        "vehicle", "release_reason")) == [(first.vehicle_id, "客户要求换车"), (second.pk, "")]


def test_another_consultant_cannot_allocate(store, login, teammate, order, trim, colour):
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=colour)

    response = login(teammate).post(reverse("delivery:allocation_create", args=[order.pk]),
                                    {"vehicle": vehicle.pk})

    assert response.status_code == 404
    assert Allocation.objects.count() == 0


def test_finance_cannot_allocate(store, login, make_user, order, trim, colour):
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=colour)

    response = login(make_user(Role.FINANCE)).post(
        reverse("delivery:allocation_create", args=[order.pk]), {"vehicle": vehicle.pk})

    assert response.status_code == 403
    assert Allocation.objects.count() == 0


def test_releasing_through_the_page(store, login, manager, order, trim, colour):
    allocation = give_car(order, manager, trim, colour)
    client = login(manager)
    url = reverse("delivery:allocation_release", args=[allocation.pk])

    refused = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "车辆调拨"})
    again = client.post(url, {"reason": "再次"})

    assert (refused.status_code, list(refused.context["release_form"].errors)) == (
        400, ["reason"])
    assert done.status_code == 302
    assert again.status_code == 409
    allocation.refresh_from_db()
    allocation.vehicle.refresh_from_db()
    assert (allocation.release_reason, allocation.vehicle.status) == (
        "车辆调拨", StockStatus.IN_STOCK)


def test_another_consultant_cannot_release(login, teammate, manager, order, trim, colour):
    allocation = give_car(order, manager, trim, colour)

    response = login(teammate).post(
        reverse("delivery:allocation_release", args=[allocation.pk]), {"reason": "x"})

    assert response.status_code == 404
    allocation.refresh_from_db()
    assert allocation.released_at is None


# --- The contract page's card -------------------------------------------------------------
def test_the_contract_page_shows_the_delivery_card(login, consultant, manager, order, trim,
                                                   colour):
    allocation = give_car(order, manager, trim, colour)

    body = login(consultant).get(order.get_absolute_url()).content.decode()

    assert 'data-testid="order-panel"' in body
    assert allocation.vehicle.vin in body
    assert reverse("delivery:order_detail", args=[order.pk]) in body


def test_a_draft_contract_page_has_no_delivery_card(login, consultant, customer, manager,
                                                    trim, colour):
    draft = make_contract(consultant, customer, manager=manager, trim=trim, colour=colour)

    body = login(consultant).get(draft.get_absolute_url()).content.decode()

    assert 'data-testid="order-panel"' not in body


def test_the_delivery_card_reads_in_three_queries(login, consultant, manager, order, trim,
                                                colour):
    give_car(order, manager, trim, colour)
    client = login(consultant)
    url = order.get_absolute_url()
    from dealership import slots

    with CaptureQueriesContext(connection) as with_card:
        client.get(url)
    registered = list(slots._slot_actions)
    try:
        slots._slot_actions[:] = [a for a in registered
                                  if a.template != "delivery/components/order_panel.html"]
        with CaptureQueriesContext(connection) as without_card:
            client.get(url)
    finally:
        slots._slot_actions[:] = registered

    # The open allocation, and the inspection of the car on hand (its items, its checks).
    assert len(with_card) - len(without_card) == 3


# --- The at-risk job ----------------------------------------------------------------------
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_job_flags_once_and_notifies_the_consultant_once(
        store, consultant, customer, manager, trim, colour):
    today = store.today()
    risky = signed_for(consultant, customer, manager, trim, colour,
                       promised=today + dt.timedelta(days=10))
    signed_for(consultant, customer, manager, trim, colour,
               promised=today + dt.timedelta(days=20))
    with_car = signed_for(consultant, customer, manager, trim, colour,
                          promised=today + dt.timedelta(days=5))
    give_car(with_car, manager, trim, colour)
    Notification.objects.all().delete()

    first = flag_deliveries_at_risk()
    second = flag_deliveries_at_risk()

    assert (first, second) == (1, 0)
    assert list(DeliveryReminder.objects.values_list("contract", "kind", "day")) == [
        (risky.pk, ReminderKind.DELIVERY_AT_RISK, today)]
    assert list(Notification.objects.values_list("user", "kind")) == [
        (consultant.pk, LeadEventKind.DELIVERY_AT_RISK)]


def test_the_job_counts_in_the_stores_day(store, consultant, customer, manager, trim,
                                          colour):
    promised = dt.date(2030, 3, 20)
    signed_for(consultant, customer, manager, trim, colour, promised=promised)
    # 15:30 UTC on 5 March is 23:30 in Shanghai: 15 days before, not yet at risk.
    evening = dt.datetime(2030, 3, 5, 15, 30, tzinfo=dt.UTC)
    # 16:30 UTC the same UTC day is 00:30 on 6 March in Shanghai: 14 days before.
    after_midnight = dt.datetime(2030, 3, 5, 16, 30, tzinfo=dt.UTC)
    assert store.timezone == "Asia/Shanghai"

    assert flag_deliveries_at_risk(now=evening) == 0
    assert flag_deliveries_at_risk(now=after_midnight) == 1

    assert list(DeliveryReminder.objects.values_list("day", flat=True)) == [
        dt.date(2030, 3, 6)]


def test_the_job_flags_again_on_the_next_store_day(store, consultant, customer, manager,
                                                   trim, colour):
    signed_for(consultant, customer, manager, trim, colour, promised=dt.date(2030, 3, 20))
    day_one = dt.datetime(2030, 3, 10, 2, 0, tzinfo=dt.UTC)

    assert flag_deliveries_at_risk(now=day_one) == 1
    assert flag_deliveries_at_risk(now=day_one + dt.timedelta(hours=1)) == 0
    assert flag_deliveries_at_risk(now=day_one + dt.timedelta(days=1)) == 1
    assert Notification.objects.filter(kind=LeadEventKind.DELIVERY_AT_RISK).count() == 2


def test_the_job_ignores_cancelled_and_delivered_contracts(consultant, customer, manager,
                                                           trim, colour):
    make_contract(consultant, customer, manager=manager, status=ContractStatus.CANCELLED,
                  trim=trim, colour=colour)
    make_contract(consultant, customer, manager=manager, status=ContractStatus.DELIVERED,
                  trim=trim, colour=colour)

    assert flag_deliveries_at_risk() == 0
    assert DeliveryReminder.objects.count() == 0


def test_the_manager_allocates_another_colour_with_a_reason_through_the_page(
        store, login, manager, order, trim):
    black = StockVehicleFactory(store=store, trim=trim,
                                colour=ColourFactory(series=trim.series, name="曜石黑"))
    client = login(manager)
    url = reverse("delivery:allocation_create", args=[order.pk])

    page = client.get(url)
    done = client.post(url, {"vehicle": black.pk, "override_reason": "客户同意改黑色"})

    assert (page.context["matching"], page.context["others"]) == ([], [black])
    assert page.content.decode().count('data-testid="candidate-other"') == 1
    assert done.status_code == 302
    assert list(Allocation.objects.values_list("vehicle", "override_reason")) == [
        (black.pk, "客户同意改黑色")]
