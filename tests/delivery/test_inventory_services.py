"""Inventory services and selectors: receiving one car and by CSV (idempotent on VIN,
row-by-row errors), the status moves only along MOVES, aging buckets in the store's days,
slow stock with the interested A/B leads, and the shortage rule."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.enums import ContractStatus
from dealership.demo import data
from dealership.enums import AuditAction, Role, StockStatus
from dealership.models import AuditEntry, StockVehicle
from delivery.models import Allocation, DeliverySettings, StockImport
from delivery.selectors.inventory import (
    delivery_settings_of,
    slow_stock,
    stock_board_figures,
    stock_list_for_user,
    stock_shortage,
)
from delivery.services.inventory import (
    delivery_settings_update,
    stock_arrive,
    stock_import,
    stock_receive,
    stock_set_demo,
    vehicle_move,
)
from leads.enums import Grade, LeadStatus
from tests.contracts.factories import make_contract
from tests.factories import (
    ColourFactory,
    CustomerFactory,
    SeriesFactory,
    StockVehicleFactory,
    TrimFactory,
    UserFactory,
)
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def make_vin(n: int) -> str:
    return data.vin(random.Random(10_000 + n), wmi="LVG", model_year=2025)


def bad_check_digit(vin: str) -> str:
    wrong = "0" if vin[8] != "0" else "1"
    return vin[:8] + wrong + vin[9:]


@pytest.fixture
def series(db):
    return SeriesFactory(name="凯美瑞")


@pytest.fixture
def trim(series):
    return TrimFactory(series=series, name="2.0E 精英版")


@pytest.fixture
def white(series):
    return ColourFactory(series=series, name="雪域白")


def receive(manager, store, trim, colour, **kwargs):
    args = {"vin": make_vin(1), "cost": Decimal("168000.00"),
            "list_price": Decimal("189800.00"), "status": StockStatus.IN_STOCK,
            "arrival_date": store.today() - dt.timedelta(days=2), "location": "A区-03"}
    return stock_receive(actor=manager, store=store, trim=trim, colour=colour,
                         **(args | kwargs))


def audit_rows(vehicle):
    return list(AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(StockVehicle),
        object_id=str(vehicle.pk)).order_by("id"))


# --- Receiving one car ----------------------------------------------------------------------
def test_receive_creates_the_car_and_audits_it(manager, store, trim, white):
    vehicle, received = receive(manager, store, trim, white, vin=make_vin(1).lower())

    assert received is True
    vehicle.refresh_from_db()
    assert (vehicle.vin, vehicle.store, vehicle.trim, vehicle.colour, vehicle.status,
            vehicle.arrival_date, vehicle.cost, vehicle.location) == (
        make_vin(1), store, trim, white, StockStatus.IN_STOCK,
        store.today() - dt.timedelta(days=2), Decimal("168000.00"), "A区-03")
    [entry] = audit_rows(vehicle)
    assert (entry.action, entry.actor, entry.changes["status"]) == (
        AuditAction.CREATE, manager, [None, "in_stock"])


def test_receive_refuses_a_wrong_check_digit_on_vin(manager, store, trim, white):
    with pytest.raises(ValidationError) as caught:
        receive(manager, store, trim, white, vin=bad_check_digit(make_vin(1)))

    assert list(caught.value.message_dict) == ["vin"]
    assert StockVehicle.objects.count() == 0


def test_receive_refuses_a_colour_of_another_series(manager, store, trim):
    other_colour = ColourFactory(series=SeriesFactory(name="卡罗拉"), name="雪域白")

    with pytest.raises(ValidationError) as caught:
        receive(manager, store, trim, other_colour)

    assert list(caught.value.message_dict) == ["colour"]
    assert StockVehicle.objects.count() == 0


def test_receive_refuses_an_arrival_date_in_the_future(manager, store, trim, white):
    with pytest.raises(ValidationError) as caught:
        receive(manager, store, trim, white, arrival_date=store.today() + dt.timedelta(days=1))

    assert list(caught.value.message_dict) == ["arrival_date"]
    assert StockVehicle.objects.count() == 0


def test_receive_refuses_an_arrival_date_over_three_years_ago(manager, store, trim, white):
    with pytest.raises(ValidationError) as caught:
        receive(manager, store, trim, white,
                arrival_date=store.today() - dt.timedelta(days=3 * 365 + 1))

    assert list(caught.value.message_dict) == ["arrival_date"]


def test_receive_again_is_idempotent(manager, store, trim, white):
    first, _received = receive(manager, store, trim, white)

    again, received = receive(manager, store, trim, white, cost=Decimal("1.00"))

    assert (again.pk, received) == (first.pk, False)
    assert StockVehicle.objects.count() == 1
    assert StockVehicle.objects.get().cost == Decimal("168000.00")
    assert len(audit_rows(first)) == 1


def test_receive_in_stock_of_a_car_in_transit_arrives_it(manager, store, trim, white):
    vehicle, _received = receive(manager, store, trim, white, status=StockStatus.IN_TRANSIT,
                                 arrival_date=None)

    again, received = receive(manager, store, trim, white, arrival_date=store.today())

    vehicle.refresh_from_db()
    assert (again.pk, received, vehicle.status, vehicle.arrival_date) == (
        vehicle.pk, True, StockStatus.IN_STOCK, store.today())
    assert StockVehicle.objects.count() == 1


@pytest.mark.parametrize("status", [StockStatus.IN_TRANSIT, StockStatus.IN_STOCK,
                                    StockStatus.RESERVED, StockStatus.DEMO])
def test_receive_refuses_a_vin_another_store_still_holds(manager, store, other_store, trim,
                                                         white, status):
    StockVehicleFactory(store=other_store, trim=trim, colour=white, vin=make_vin(1),
                        status=status)

    with pytest.raises(ValidationError) as caught:
        receive(manager, store, trim, white)

    assert caught.value.message_dict == {"vin": ["This VIN is in another store's stock."]}
    assert StockVehicle.objects.filter(store=store).count() == 0


@pytest.mark.parametrize("status", [StockStatus.SOLD, StockStatus.DELIVERED])
def test_receive_takes_a_vin_another_store_sold(manager, store, other_store, trim, white,
                                                status):
    theirs = StockVehicleFactory(store=other_store, trim=trim, colour=white, vin=make_vin(1),
                                 status=status)

    vehicle, received = receive(manager, store, trim, white)

    assert (vehicle.store_id, vehicle.vin, received) == (store.pk, make_vin(1), True)
    assert sorted(StockVehicle.objects.filter(vin=make_vin(1))
                  .values_list("pk", "store_id")) == sorted([(theirs.pk, other_store.pk),
                                                             (vehicle.pk, store.pk)])


def test_receive_is_refused_to_a_supervisor(supervisor, store, trim, white):
    with pytest.raises(PermissionDenied):
        receive(supervisor, store, trim, white)
    assert StockVehicle.objects.count() == 0


# --- Moves ----------------------------------------------------------------------------------
def test_arrive_puts_an_unallocated_car_in_stock(manager, store, trim, white):
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=white,
                                  status=StockStatus.IN_TRANSIT, arrival_date=None)

    stock_arrive(actor=manager, vehicle=vehicle, arrival_date=store.today(), location="B-1")

    vehicle.refresh_from_db()
    assert (vehicle.status, vehicle.arrival_date, vehicle.location) == (
        StockStatus.IN_STOCK, store.today(), "B-1")
    assert audit_rows(vehicle)[-1].changes["status"] == ["in_transit", "in_stock"]


def test_arrive_reserves_an_allocated_car(manager, consultant, customer, store, trim, white):
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED, trim=trim, colour=white)
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=white,
                                  status=StockStatus.IN_TRANSIT, arrival_date=None)
    Allocation.objects.create(store=store, contract=contract, vehicle=vehicle,
                              allocated_by=manager)

    stock_arrive(actor=manager, vehicle=vehicle, arrival_date=store.today())

    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.RESERVED


def test_arrive_of_the_car_of_a_paid_contract_makes_it_sold(manager, consultant, customer,
                                                           store, trim, white):
    from tests.contracts.factories import pay_the_balance

    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED, trim=trim, colour=white)
    pay_the_balance(contract)  # paid in full while the car is still on its way
    vehicle = StockVehicleFactory(store=store, trim=trim, colour=white,
                                  status=StockStatus.IN_TRANSIT, arrival_date=None)
    Allocation.objects.create(store=store, contract=contract, vehicle=vehicle,
                              allocated_by=manager)

    returned = stock_arrive(actor=manager, vehicle=vehicle, arrival_date=store.today())

    vehicle.refresh_from_db()
    assert vehicle.status == returned.status == StockStatus.SOLD
    assert [row.changes["status"] for row in audit_rows(vehicle)][-2:] == [
        ["in_transit", "reserved"], ["reserved", "sold"]]


def test_arrive_of_a_car_in_stock_is_refused_and_changes_nothing(manager, store, trim):
    arrived = store.today() - dt.timedelta(days=5)
    vehicle = StockVehicleFactory(store=store, trim=trim, arrival_date=arrived)

    with pytest.raises(ValidationError):
        stock_arrive(actor=manager, vehicle=vehicle, arrival_date=store.today())

    vehicle.refresh_from_db()
    assert (vehicle.status, vehicle.arrival_date) == (StockStatus.IN_STOCK, arrived)
    assert audit_rows(vehicle) == []


def test_demo_switch_goes_both_ways(manager, store, trim):
    vehicle = StockVehicleFactory(store=store, trim=trim)

    stock_set_demo(actor=manager, vehicle=vehicle, demo=True)
    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.DEMO
    stock_set_demo(actor=manager, vehicle=vehicle, demo=False)
    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.IN_STOCK


@pytest.mark.parametrize(("start", "to"), [
    (StockStatus.IN_TRANSIT, StockStatus.DEMO),
    (StockStatus.IN_STOCK, StockStatus.DELIVERED),
    (StockStatus.DELIVERED, StockStatus.IN_STOCK),
    (StockStatus.DEMO, StockStatus.RESERVED),
    (StockStatus.RESERVED, StockStatus.DEMO),
])
def test_moves_outside_moves_are_refused_and_change_nothing(manager, store, trim, start, to):
    vehicle = StockVehicleFactory(store=store, trim=trim, status=start,
                                  arrival_date=None if start == StockStatus.IN_TRANSIT
                                  else store.today())

    with pytest.raises(ValidationError):
        vehicle_move(actor=manager, vehicle=vehicle, to=to)

    vehicle.refresh_from_db()
    assert vehicle.status == start
    assert audit_rows(vehicle) == []


def test_demo_of_a_reserved_car_is_refused(manager, store, trim):
    vehicle = StockVehicleFactory(store=store, trim=trim, status=StockStatus.RESERVED)

    with pytest.raises(ValidationError):
        stock_set_demo(actor=manager, vehicle=vehicle, demo=True)

    vehicle.refresh_from_db()
    assert vehicle.status == StockStatus.RESERVED


# --- CSV import -----------------------------------------------------------------------------
HEADER = "vin,series,trim,colour,status,arrival_date,cost,list_price,location\n"


def csv_of(store, *lines: str) -> str:
    day = (store.today() - dt.timedelta(days=3)).isoformat()
    return HEADER + "".join(line.replace("{day}", day) + "\n" for line in lines)


def test_import_reports_every_row_with_its_spreadsheet_number(manager, store, trim, white):
    text = csv_of(
        store,
        f"{make_vin(1)},凯美瑞,2.0E 精英版,雪域白,in_stock,{{day}},168000,189800,A区-01",
        f"{bad_check_digit(make_vin(2))},凯美瑞,2.0E 精英版,雪域白,in_stock,{{day}},1,2,",
        f"{make_vin(3)},凯美瑞,不存在,雪域白,in_transit,,168000,189800,",
        f"{make_vin(4)},凯美瑞,2.0E 精英版,,in_transit,,168000,189800,",
        f"{make_vin(1)},凯美瑞,2.0E 精英版,雪域白,in_stock,{{day}},168000,189800,",
        f"{make_vin(5)},凯美瑞,2.0E 精英版,雪域白,in_stock,2999-01-01,168000,189800,",
    )

    batch = stock_import(actor=manager, store=store, file=text.encode("utf-8"),
                         filename="arrivals.csv")

    results = [(row["row"], row["result"]) for row in batch.rows]
    assert results == [(2, "received"), (3, "error"), (4, "error"), (5, "received"),
                       (6, "unchanged"), (7, "error")]
    assert "check digit" in batch.rows[1]["message"]
    assert "No trim “不存在” in series “凯美瑞”." in batch.rows[2]["message"]
    assert batch.rows[4]["message"] == "Same VIN as row 2."
    assert (batch.received, batch.unchanged, batch.errors, batch.filename) == (
        2, 1, 3, "arrivals.csv")
    assert set(StockVehicle.objects.values_list("vin", flat=True)) == {make_vin(1), make_vin(4)}


def test_import_twice_receives_nothing_the_second_time(manager, store, trim, white):
    text = csv_of(store,
                  f"{make_vin(1)},凯美瑞,2.0E 精英版,雪域白,in_stock,{{day}},168000,189800,",
                  f"{make_vin(2)},凯美瑞,2.0E 精英版,雪域白,in_transit,,168000,189800,")
    stock_import(actor=manager, store=store, file=text.encode(), filename="a.csv")
    audits = AuditEntry.objects.count()

    second = stock_import(actor=manager, store=store, file=text.encode(), filename="a.csv")

    assert (second.received, second.unchanged, second.errors) == (0, 2, 0)
    assert StockVehicle.objects.count() == 2
    assert AuditEntry.objects.count() == audits


def test_import_reads_utf8_with_bom_and_gb18030(manager, store, trim, white):
    first = csv_of(store, f"{make_vin(1)},凯美瑞,2.0E 精英版,雪域白,in_stock,{{day}},1,2,")
    second = csv_of(store, f"{make_vin(2)},凯美瑞,2.0E 精英版,雪域白,已在库,{{day}},1,2,")

    with_bom = stock_import(actor=manager, store=store, file=b"\xef\xbb\xbf" + first.encode())
    gb = stock_import(actor=manager, store=store, file=second.encode("gb18030"))

    assert (with_bom.received, with_bom.errors) == (1, 0)
    assert [row["result"] for row in gb.rows] == ["error"]  # 已在库 is no status label
    third = csv_of(store, f"{make_vin(3)},凯美瑞,2.0E 精英版,雪域白,in_stock,{{day}},1,2,")
    gb_ok = stock_import(actor=manager, store=store, file=third.encode("gb18030"))
    assert (gb_ok.received, gb_ok.errors) == (1, 0)
    assert StockVehicle.objects.get(vin=make_vin(3)).colour == white


def test_import_without_a_required_column_is_refused_on_file(manager, store):
    with pytest.raises(ValidationError) as caught:
        stock_import(actor=manager, store=store, file=b"vin,series\nX,Y\n")

    assert list(caught.value.message_dict) == ["file"]
    assert StockImport.objects.count() == 0


# --- Thresholds -----------------------------------------------------------------------------
def test_settings_read_defaults_without_writing(store):
    settings = delivery_settings_of(store)

    assert (settings.pk, settings.slow_stock_days, settings.at_risk_days) == (None, 60, 14)
    assert DeliverySettings.objects.count() == 0


def test_settings_update_is_audited(manager, store):
    delivery_settings_update(actor=manager, store=store, slow_stock_days=45, at_risk_days=10)

    row = DeliverySettings.objects.get(store=store)
    assert (row.slow_stock_days, row.at_risk_days, row.updated_by) == (45, 10, manager)
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(DeliverySettings)).get()
    assert entry.changes == {"slow_stock_days": [60, 45], "at_risk_days": [14, 10]}


def test_settings_update_refuses_a_supervisor(supervisor, store):
    with pytest.raises(PermissionDenied):
        delivery_settings_update(actor=supervisor, store=store, slow_stock_days=45,
                                 at_risk_days=10)
    assert DeliverySettings.objects.count() == 0


# --- Aging in the store's days --------------------------------------------------------------
def test_aging_buckets_count_in_the_store_time_zone(monkeypatch, store, trim):
    # 23:30 UTC on 31 March is already 1 April in Shanghai.
    monkeypatch.setattr(timezone, "now",
                        lambda: dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
    assert store.timezone == "Asia/Shanghai"
    today = store.today()
    assert today == dt.date(2026, 4, 1)
    StockVehicleFactory(store=store, trim=trim, arrival_date=dt.date(2026, 3, 1))  # 31 days
    StockVehicleFactory(store=store, trim=trim, arrival_date=dt.date(2026, 1, 1))  # 90 days
    StockVehicleFactory(store=store, trim=trim, arrival_date=dt.date(2025, 12, 31))  # 91
    StockVehicleFactory(store=store, trim=trim, status=StockStatus.SOLD,
                        arrival_date=dt.date(2025, 1, 1))  # sold: not on hand

    figures = stock_board_figures(store=store, today=today)

    assert [(b["key"], b["count"]) for b in figures["buckets"]] == [
        ("0-30", 0), ("31-60", 1), ("61-90", 1), ("90+", 1)]
    counts = {s["key"]: s["count"] for s in figures["statuses"]}
    assert (counts["in_stock"], counts["sold"], counts["in_transit"]) == (3, 1, 0)


def test_board_filter_by_bucket_and_series(manager, store, trim):
    today = store.today()
    old = StockVehicleFactory(store=store, trim=trim, arrival_date=today - dt.timedelta(days=70))
    StockVehicleFactory(store=store, trim=trim, arrival_date=today - dt.timedelta(days=10))
    StockVehicleFactory(store=store, trim=TrimFactory(series=SeriesFactory(name="卡罗拉")),
                        arrival_date=today - dt.timedelta(days=70))

    _filter, rows = stock_list_for_user(user=manager, params={"age": "61-90",
                                                              "series": trim.series_id},
                                        today=today)

    assert list(rows) == [old]


# --- Slow stock -----------------------------------------------------------------------------
def test_slow_stock_uses_the_store_threshold_and_matches_open_a_b_leads(
        manager, consultant, store, other_store, trim, white):
    DeliverySettings.objects.create(store=store, slow_stock_days=30)
    today = store.today()
    slow = StockVehicleFactory(store=store, trim=trim, colour=white,
                               arrival_date=today - dt.timedelta(days=31))
    StockVehicleFactory(store=store, trim=trim, arrival_date=today - dt.timedelta(days=30))
    StockVehicleFactory(store=other_store, trim=trim,
                        arrival_date=today - dt.timedelta(days=45))
    lead_a = LeadFactory(store=store, owner=consultant, grade=Grade.A,
                         model_interest="丰田凯美瑞 双擎")
    lead_b = LeadFactory(store=store, owner=consultant, grade=Grade.B,
                         model_interest="凯美瑞", status=LeadStatus.CONTACTED)
    LeadFactory(store=store, owner=consultant, grade=Grade.C, model_interest="凯美瑞")
    LeadFactory(store=store, owner=consultant, grade=Grade.A, model_interest="凯美瑞",
                status=LeadStatus.LOST, lost_reason="买了别的")
    LeadFactory(store=store, owner=consultant, grade=Grade.A, model_interest="卡罗拉")
    LeadFactory(store=other_store, grade=Grade.A, model_interest="凯美瑞",
                customer=CustomerFactory(store=other_store))

    items = slow_stock(user=manager, store=store, today=today)

    assert [(item.vehicle, item.age) for item in items] == [(slow, 31)]
    assert {lead.pk for lead in items[0].leads} == {lead_a.pk, lead_b.pk}
    # The other store keeps the default 60 days: its 45-day car is not slow there.
    assert slow_stock(user=UserFactory(role=Role.MANAGER, store=other_store),
                      store=other_store, today=today) == []


def test_slow_stock_shows_a_consultant_only_their_leads(consultant, teammate, store, trim):
    today = store.today()
    StockVehicleFactory(store=store, trim=trim, arrival_date=today - dt.timedelta(days=61))
    mine = LeadFactory(store=store, owner=consultant, grade=Grade.A, model_interest="凯美瑞")
    LeadFactory(store=store, owner=teammate, grade=Grade.A, model_interest="凯美瑞")

    [item] = slow_stock(user=consultant, store=store, today=today)

    assert [lead.pk for lead in item.leads] == [mine.pk]


def test_slow_stock_query_count_is_fixed(django_assert_num_queries, manager, consultant, store,
                                         trim):
    today = store.today()
    for n in range(3):
        series = SeriesFactory(name=f"系列{n}")
        StockVehicleFactory(store=store, trim=TrimFactory(series=series),
                            arrival_date=today - dt.timedelta(days=70 + n))
        LeadFactory(store=store, owner=consultant, grade=Grade.A, model_interest=f"系列{n}")

    with django_assert_num_queries(3):
        items = slow_stock(user=manager, store=store, today=today)
        assert [len(item.leads) for item in items] == [1, 1, 1]


# --- Shortage -------------------------------------------------------------------------------
def test_shortage_is_signed_unallocated_minus_free_stock_and_transit(manager, consultant,
                                                                      store, trim, white):
    black = ColourFactory(series=trim.series, name="曜石黑")

    def signed(colour):
        return make_contract(consultant, CustomerFactory(store=store, owner=consultant),
                             manager=manager, status=ContractStatus.SIGNED, trim=trim,
                             colour=colour)

    white_contracts = [signed(white) for _ in range(4)]
    signed(black)
    allocated_car = StockVehicleFactory(store=store, trim=trim, colour=white,
                                        status=StockStatus.RESERVED)
    Allocation.objects.create(store=store, contract=white_contracts[0], vehicle=allocated_car,
                              allocated_by=manager)
    StockVehicleFactory(store=store, trim=trim, colour=white)  # free in stock
    StockVehicleFactory(store=store, trim=trim, colour=white, status=StockStatus.IN_TRANSIT,
                        arrival_date=None)  # free in transit
    StockVehicleFactory(store=store, trim=trim, colour=white, status=StockStatus.DEMO)
    StockVehicleFactory(store=store, trim=trim, colour=black)

    [item] = stock_shortage(store=store)

    # white: 3 signed without a car − (1 in stock + 1 in transit) = 1; black: 1 − 1 = 0.
    assert (item.colour_name, item.signed, item.available, item.short) == ("雪域白", 3, 2, 1)
    assert item.trim_label == f"凯美瑞 2025 {trim.name}"
