"""Inventory screens: who sees what (no purchase cost for consultants' and supervisors'
eyes, another store's car a 404), receiving and importing through the pages, refused
POSTs changing nothing, and query counts fixed at 1 and 3 rows."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dealership.demo import data
from dealership.enums import Role, StockStatus
from dealership.models import StockVehicle
from delivery.models import DeliverySettings, StockImport
from delivery.services.inventory import stock_set_demo
from tests.factories import ColourFactory, SeriesFactory, StockVehicleFactory, TrimFactory
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db

BOARD = "/delivery/stock/"
COST = "¥123,456.78"


def vin_of(n: int) -> str:
    return data.vin(random.Random(20_000 + n), wmi="LVG", model_year=2025)


@pytest.fixture
def trim(db):
    return TrimFactory(series=SeriesFactory(name="凯美瑞"), name="2.0E 精英版")


@pytest.fixture
def white(trim):
    return ColourFactory(series=trim.series, name="雪域白")


@pytest.fixture
def car(store, trim, white):
    return StockVehicleFactory(store=store, trim=trim, colour=white, cost=Decimal("123456.78"),
                               list_price=Decimal("189800.00"))


def detail(vehicle) -> str:
    return f"/delivery/stock/{vehicle.pk}/"


# --- Seeing -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_cost_is_shown_to_manager_and_finance(login, make_user, car, role):
    client = login(make_user(role))

    for url in (BOARD, detail(car)):
        response = client.get(url)
        assert response.status_code == 200
        assert COST in response.content.decode()


def test_supervisor_sees_the_list_price_and_no_cost(login, supervisor, car):
    client = login(supervisor)

    for url in (BOARD, detail(car)):
        page = client.get(url).content.decode()
        assert "¥189,800.00" in page
        assert COST not in page and "123456" not in page and "123,456" not in page


def test_consultant_has_no_inventory_pages(login, consultant, car):
    client = login(consultant)

    assert client.get(BOARD).status_code == 403
    assert client.get(detail(car)).status_code == 403


def test_another_stores_car_is_a_404(login, manager, other_store, trim):
    theirs = StockVehicleFactory(store=other_store, trim=trim)

    assert login(manager).get(detail(theirs)).status_code == 404


def test_detail_shows_age_in_store_days_and_the_history(login, manager, store, trim):
    vehicle = StockVehicleFactory(store=store, trim=trim,
                                  arrival_date=store.today() - dt.timedelta(days=12))

    response = login(english(manager)).get(detail(vehicle))

    assert response.context["age"] == 12
    assert "12 days" in response.content.decode()


def test_board_htmx_filter_swaps_the_rows(login, manager, car, store, trim):
    StockVehicleFactory(store=store, trim=trim, status=StockStatus.IN_TRANSIT,
                        arrival_date=None)

    response = login(manager).get(BOARD, {"status": "in_transit"},
                                  HTTP_HX_TARGET="stock-rows", **HTMX)

    page = response.content.decode()
    assert page.lstrip().startswith('<div id="stock-rows">')
    assert page.count('data-testid="stock-row"') == 1


def test_board_lists_delivered_cars_only_when_asked(login, manager, car, store, trim):
    delivered = StockVehicleFactory(store=store, trim=trim, vin=vin_of(99),
                                    status=StockStatus.DELIVERED)
    client = login(manager)

    default = client.get(BOARD)
    asked = client.get(BOARD, {"status": "delivered"})

    assert [row.pk for row in default.context["page"].object_list] == [car.pk]
    assert [row.pk for row in asked.context["page"].object_list] == [delivered.pk]
    counts = {item["key"]: item["count"] for item in default.context["figures"]["statuses"]}
    assert (counts["in_stock"], counts["delivered"]) == (1, None)


# --- Query counts -------------------------------------------------------------------------
def _cars(store, trim, count):
    for n in range(count):
        StockVehicleFactory(store=store, trim=trim, vin=vin_of(n),
                            arrival_date=store.today() - dt.timedelta(days=70 + n))


@pytest.mark.parametrize("count", [1, 3])
def test_board_query_count_is_fixed(login, manager, store, trim, count,
                                    django_assert_num_queries):
    _cars(store, trim, count)
    client = login(manager)

    with django_assert_num_queries(13):
        response = client.get(BOARD)
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_detail_query_count_is_fixed(login, manager, store, trim, car, count,
                                     django_assert_num_queries):
    for n in range(count):  # history rows: demo, back in stock, demo
        stock_set_demo(actor=manager, vehicle=car, demo=n % 2 == 0)
    client = login(manager)

    with django_assert_num_queries(8):
        response = client.get(detail(car))
    assert len(response.context["history"]) == count


# --- Writing ------------------------------------------------------------------------------
def test_manager_receives_a_car(login, manager, store, trim, white):
    form = {"vin": vin_of(1), "trim": trim.pk, "colour": white.pk, "status": "in_stock",
            "arrival_date": store.today().isoformat(), "cost": "168000",
            "list_price": "189800", "location": "A-1"}

    response = login(manager).post("/delivery/stock/receive/", form)

    vehicle = StockVehicle.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(vehicle)
    assert (vehicle.vin, vehicle.status, vehicle.cost) == (vin_of(1), "in_stock",
                                                           Decimal("168000.00"))


def test_receive_with_a_bad_vin_re_renders_with_the_input(login, manager, store, trim, white):
    bad = vin_of(1)[:8] + ("0" if vin_of(1)[8] != "0" else "1") + vin_of(1)[9:]
    form = {"vin": bad, "trim": trim.pk, "colour": white.pk, "status": "in_stock",
            "arrival_date": store.today().isoformat(), "cost": "168000",
            "list_price": "189800", "location": "A-1"}

    response = login(english(manager)).post("/delivery/stock/receive/", form)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["vin"]
    assert bad in response.content.decode()
    assert StockVehicle.objects.count() == 0


def test_supervisor_cannot_receive(login, supervisor, store, trim, white):
    form = {"vin": vin_of(1), "trim": trim.pk, "colour": white.pk, "status": "in_stock",
            "arrival_date": store.today().isoformat(), "cost": "1", "list_price": "2"}

    assert login(supervisor).post("/delivery/stock/receive/", form).status_code == 403
    assert StockVehicle.objects.count() == 0


def test_import_redirects_to_its_report(login, manager, store, trim, white):
    day = store.today().isoformat()
    text = ("vin,series,trim,colour,status,arrival_date,cost,list_price,location\n"
            f"{vin_of(1)},凯美瑞,2.0E 精英版,雪域白,in_stock,{day},1,2,\n"
            f"BAD,凯美瑞,2.0E 精英版,雪域白,in_stock,{day},1,2,\n")
    upload = SimpleUploadedFile("arrivals.csv", text.encode(), content_type="text/csv")

    client = login(english(manager))
    response = client.post("/delivery/stock/import/", {"file": upload})

    batch = StockImport.objects.get()
    assert response["Location"] == f"/delivery/stock/import/{batch.pk}/"
    report = client.get(response["Location"]).content.decode()
    assert (batch.received, batch.errors) == (1, 1)
    assert "A VIN has exactly 17 characters." in report


def test_demo_post_of_a_reserved_car_is_a_409_and_changes_nothing(login, manager, store,
                                                                  trim):
    vehicle = StockVehicleFactory(store=store, trim=trim, status=StockStatus.RESERVED)

    response = login(manager).post(f"/delivery/stock/{vehicle.pk}/demo/", {"demo": "1"})

    vehicle.refresh_from_db()
    assert (response.status_code, vehicle.status) == (409, StockStatus.RESERVED)


def test_arrive_post_with_a_future_date_is_a_400_and_changes_nothing(login, manager, store,
                                                                     trim):
    vehicle = StockVehicleFactory(store=store, trim=trim, status=StockStatus.IN_TRANSIT,
                                  arrival_date=None)

    response = login(manager).post(f"/delivery/stock/{vehicle.pk}/arrive/", {
        "arrival_date": (store.today() + dt.timedelta(days=1)).isoformat()})

    vehicle.refresh_from_db()
    assert (response.status_code, vehicle.status, vehicle.arrival_date) == (
        400, StockStatus.IN_TRANSIT, None)
    assert list(response.context["arrive_form"].errors) == ["arrival_date"]


def test_arrive_post_by_a_finance_user_is_refused(login, make_user, store, trim):
    vehicle = StockVehicleFactory(store=store, trim=trim, status=StockStatus.IN_TRANSIT,
                                  arrival_date=None)

    response = login(make_user(Role.FINANCE)).post(f"/delivery/stock/{vehicle.pk}/arrive/",
                                                   {"arrival_date": store.today().isoformat()})

    vehicle.refresh_from_db()
    assert (response.status_code, vehicle.status) == (403, StockStatus.IN_TRANSIT)


def test_manager_sets_the_thresholds(login, manager, store):
    response = login(manager).post("/delivery/settings/", {"slow_stock_days": "45",
                                                           "at_risk_days": "7"})

    row = DeliverySettings.objects.get(store=store)
    assert (response.status_code, row.slow_stock_days, row.at_risk_days) == (302, 45, 7)


def test_thresholds_out_of_range_are_a_400(login, manager, store):
    response = login(manager).post("/delivery/settings/", {"slow_stock_days": "3",
                                                           "at_risk_days": "7"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["slow_stock_days"]
    assert DeliverySettings.objects.count() == 0
