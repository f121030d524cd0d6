"""CSV exports of delivery's lists (issue 14, item 10): the inventory board
(delivery:stock_board_export) and the receivables (delivery:payment_export). The list's
roles, store and filters; the buyer's name masked as on the list; the cost only for those
who see it; formula-safe cells; a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role, StockStatus
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, StockVehicleFactory, TrimFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db

BOARD = "/delivery/stock/export/"
RECEIVABLES = "/delivery/receivables/export/"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def finance(make_user):
    return english(make_user(Role.FINANCE, name="钱会计"))


# --- The inventory board ------------------------------------------------------------------
@pytest.fixture
def car(store):
    return StockVehicleFactory(store=store, vin="LVGBE40K8SG000001", location="@A1",
                               arrival_date=store.today() - dt.timedelta(days=12),
                               trim=TrimFactory(name="2.0 豪华版"),
                               cost=Decimal("180000.00"), list_price=Decimal("209800.00"))


def test_board_export_header_and_row_for_finance(client, car, finance):
    client.force_login(finance)

    response = client.get(BOARD)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="stock-board-')
    rows = read_csv(response)
    assert rows[0] == ["VIN", "Series", "Model year", "Trim", "Colour", "Status", "Arrived",
                       "Days in stock", "Location", "List price (CNY)", "Cost (CNY)"]
    arrived = (car.store.today() - dt.timedelta(days=12)).isoformat()
    assert rows[1:] == [["LVGBE40K8SG000001", "凯美瑞", "2025", "2.0 豪华版", "", "In stock",
                         arrived, "12", "'@A1", "209800.00", "180000.00"]]


def test_board_export_leaves_the_cost_out_for_the_supervisor(client, car, supervisor):
    client.force_login(english(supervisor))

    rows = read_csv(client.get(BOARD))

    assert rows[0][-1] == "List price (CNY)"
    assert "180000.00" not in rows[1]


def test_board_export_follows_the_filters_and_the_store(client, car, store, other_store,
                                                        manager):
    StockVehicleFactory(store=store, status=StockStatus.IN_TRANSIT, arrival_date=None)
    StockVehicleFactory(store=store, status=StockStatus.DELIVERED)
    StockVehicleFactory(store=other_store)
    client.force_login(manager)

    everything_open = read_csv(client.get(BOARD))
    in_stock = read_csv(client.get(BOARD, {"status": "in_stock"}))

    assert len(everything_open) == 3  # the header, in stock and in transit; not delivered
    assert [row[0] for row in in_stock[1:]] == ["LVGBE40K8SG000001"]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST])
def test_board_export_is_forbidden_outside_the_board_roles(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(BOARD).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_board_export_query_count_is_constant(client, store, manager, count,
                                              django_assert_num_queries):
    StockVehicleFactory.create_batch(count, store=store)
    client.force_login(manager)

    # session, user, store (time zone); the user's and their groups' permissions (who sees
    # the cost); the rows (trim, series, colour joined)
    with django_assert_num_queries(6):
        rows = read_csv(client.get(BOARD))

    assert len(rows) == count + 1


def test_board_links_to_the_export_with_its_filters(client, car, manager):
    client.force_login(manager)

    html = client.get("/delivery/stock/", {"status": "in_stock"}).content.decode()

    assert 'href="/delivery/stock/export/?status=in_stock"' in html


# --- Receivables --------------------------------------------------------------------------
def signed_for(consultant, manager, customer, *, promised_days: int | None = None) -> Contract:
    contract = make_contract(consultant, customer, manager=manager,
                             status=ContractStatus.SIGNED)
    if promised_days is not None:
        Contract.objects.filter(pk=contract.pk).update(
            promised_payment_date=contract.store.today() + dt.timedelta(days=promised_days))
        contract.refresh_from_db()
    return contract


def test_receivables_export_header_and_row_worked_by_hand(client, finance, consultant,
                                                          manager, customer):
    # ¥209,800 less the ¥2,000 discount = ¥207,800 due; the ¥5,000 deposit is in:
    # ¥202,800 to collect, promised three days ago.
    contract = signed_for(consultant, manager, customer, promised_days=-3)
    client.force_login(finance)

    response = client.get(RECEIVABLES)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="receivables-')
    rows = read_csv(response)
    assert rows[0] == ["Contract", "Buyer", "Payment plan", "Consultant", "Amount due (CNY)",
                       "Received", "Refunded", "Balance", "Customer's part", "Loan",
                       "Loan status", "Balance due by", "Days overdue"]
    due_by = contract.promised_payment_date.isoformat()
    assert [Decimal(cell) for cell in rows[1][4:9]] == [
        Decimal("207800"), Decimal("5000"), Decimal("0"), Decimal("202800"),
        Decimal("202800")]
    assert rows[1][:4] + rows[1][9:] == [contract.number, "张*丰", "Full payment", "王芳",
                                         "", "", due_by, "3"]


def test_receivables_export_follows_the_filters(client, finance, consultant, manager, store,
                                                customer):
    late = signed_for(consultant, manager, customer, promised_days=-1)
    signed_for(consultant, manager, CustomerFactory(store=store, owner=consultant,
                                                    name="李四"), promised_days=5)
    client.force_login(finance)

    rows = read_csv(client.get(RECEIVABLES, {"overdue": "on"}))

    assert [row[0] for row in rows[1:]] == [late.number]


def test_receivables_export_neutralises_formulas(client, finance, consultant, manager, store):
    buyer = CustomerFactory(store=store, owner=consultant, name="=1+2")
    signed_for(consultant, manager, buyer)
    client.force_login(finance)

    rows = read_csv(client.get(RECEIVABLES))

    assert rows[1][1] == "'=**2"  # masked as on the list, then made safe


def test_receivables_export_leaves_out_other_stores(client, make_user, other_store,
                                                    consultant, manager, customer):
    signed_for(consultant, manager, customer)
    client.force_login(make_user(Role.FINANCE, store=other_store, username="fin2"))

    assert len(read_csv(client.get(RECEIVABLES))) == 1


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR])
def test_receivables_export_is_forbidden_outside_finance_and_the_manager(client, make_user,
                                                                         role):
    client.force_login(make_user(role))

    assert client.get(RECEIVABLES).status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_receivables_export_query_count_is_constant(client, finance, consultant, manager,
                                                    store, count, django_assert_num_queries):
    for number in range(count):
        signed_for(consultant, manager,
                   CustomerFactory(store=store, owner=consultant, name=f"客户{number}"))
    client.force_login(finance)

    # session, user, store (time zone), the filter's consultants; the rows (money joined)
    with django_assert_num_queries(5):
        rows = read_csv(client.get(RECEIVABLES))

    assert len(rows) == count + 1


def test_receivables_link_to_the_export_with_their_filters(client, finance, consultant,
                                                           manager, customer):
    signed_for(consultant, manager, customer, promised_days=-1)
    client.force_login(finance)

    html = client.get("/delivery/receivables/", {"overdue": "on"}).content.decode()

    assert 'href="/delivery/receivables/export/?overdue=on"' in html
