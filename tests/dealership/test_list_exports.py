"""CSV exports of the core's customer and stock lists (issue 14, item 10): the list's roles,
scope and filters; phones masked as on the list; the cost only for those who see it;
formula-safe cells; a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from dealership.enums import Role, StockStatus
from tests.factories import CustomerFactory, StockVehicleFactory, TrimFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db

CUSTOMERS = "/customers/export/"
STOCK = "/stock/export/"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- Customers ----------------------------------------------------------------------------
def test_customer_export_header_and_row_with_the_phone_masked(client, customer, manager,
                                                             store):
    customer.created_at = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 3-2 in Shanghai
    customer.save(update_fields=["created_at"])
    client.force_login(english(manager))

    response = client.get(CUSTOMERS)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    rows = read_csv(response)
    assert rows == [["Name", "Mobile phone", "City", "Consultant", "Added on"],
                    ["张三丰", "138****5678", "深圳", "王芳", "2026-03-02"]]


def test_customer_export_neutralises_formulas(client, store, manager):
    CustomerFactory(store=store, name="=cmd|' /C calc'!A0", city="+SUM(1)")
    client.force_login(manager)

    rows = read_csv(client.get(CUSTOMERS))

    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[1][2] == "'+SUM(1)"


def test_customer_export_follows_the_filters_and_the_consultants_scope(client, customer,
                                                                      teammate, store):
    CustomerFactory(store=store, owner=teammate, name="李四", city="广州")
    CustomerFactory(store=store, owner=teammate, name="王五", city="深圳")
    client.force_login(teammate)

    rows = read_csv(client.get(CUSTOMERS, {"city": "深圳"}))

    assert [row[0] for row in rows[1:]] == ["王五"]  # not 张三丰: another consultant's


def test_customer_export_leaves_out_other_stores(client, customer, make_user, other_store):
    client.force_login(make_user(Role.MANAGER, store=other_store, username="mgr2"))

    rows = read_csv(client.get(CUSTOMERS))

    assert len(rows) == 1  # the header only


def test_customer_export_is_forbidden_to_the_receptionist(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    assert client.get(CUSTOMERS).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_customer_export_query_count_is_constant(client, store, manager, consultant, count,
                                                 django_assert_num_queries):
    for number in range(count):
        CustomerFactory(store=store, owner=consultant, name=f"客户{number}")
    client.force_login(manager)

    # session, user, store (time zone); the rows (owner joined)
    with django_assert_num_queries(4):
        rows = read_csv(client.get(CUSTOMERS))

    assert len(rows) == count + 1


def test_customer_list_links_to_the_export_with_its_filters(client, customer, manager):
    client.force_login(manager)

    html = client.get("/customers/", {"city": "深圳"}).content.decode()

    assert 'href="/customers/export/?city=%E6%B7%B1%E5%9C%B3"' in html


# --- Stock --------------------------------------------------------------------------------
@pytest.fixture
def car(store):
    return StockVehicleFactory(store=store, vin="LVGBE40K8SG000001", location="=A1",
                               arrival_date=store.today() - dt.timedelta(days=10),
                               trim=TrimFactory(name="2.0 豪华版"),
                               cost=Decimal("180000.00"), list_price=Decimal("209800.00"))


def test_stock_export_for_finance_shows_the_cost(client, car, make_user):
    client.force_login(english(make_user(Role.FINANCE)))

    response = client.get(STOCK)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="stock-')
    rows = read_csv(response)
    assert rows[0] == ["VIN", "Vehicle", "Colour", "Status", "Age (days)", "List price (CNY)",
                       "Cost (CNY)", "Location", "Arrived on"]
    arrived = (car.store.today() - dt.timedelta(days=10)).isoformat()
    assert rows[1:] == [["LVGBE40K8SG000001", "丰田 凯美瑞 2025 2.0 豪华版", "", "In stock", "10",
                         "209800.00", "180000.00", "'=A1", arrived]]


def test_stock_export_leaves_the_cost_out_for_the_consultant(client, car, consultant):
    client.force_login(english(consultant))

    rows = read_csv(client.get(STOCK))

    assert "Cost (CNY)" not in rows[0]
    assert "180000.00" not in rows[1]


def test_stock_export_follows_the_filters_and_the_store(client, car, store, other_store,
                                                        manager):
    StockVehicleFactory(store=store, status=StockStatus.IN_TRANSIT, arrival_date=None)
    StockVehicleFactory(store=other_store)
    client.force_login(manager)

    rows = read_csv(client.get(STOCK, {"status": "in_stock"}))

    assert [row[0] for row in rows[1:]] == ["LVGBE40K8SG000001"]


def test_stock_export_is_forbidden_to_the_receptionist(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    assert client.get(STOCK).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_stock_export_query_count_is_constant(client, store, manager, count,
                                              django_assert_num_queries):
    StockVehicleFactory.create_batch(count, store=store)
    client.force_login(manager)

    # session, user, store; the user's and their groups' permissions (who sees the cost);
    # the rows (trim, series, brand, colour, store joined)
    with django_assert_num_queries(6):
        rows = read_csv(client.get(STOCK))

    assert len(rows) == count + 1


def test_stock_list_links_to_the_export(client, car, manager):
    client.force_login(manager)

    html = client.get("/stock/", {"status": "in_stock"}).content.decode()

    assert 'href="/stock/export/?status=in_stock"' in html

