"""Issue 14, items 5 and 6 on the finance desk: on a phone (390×844 and 360×780) nothing
scrolls sideways, even with seven-figure stock values; confirming a deposit asks first
(amount, payer, method, contract), and the counter at the top changes without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contracts.enums import ContractStatus, PaymentKind
from contracts.models import Payment
from dealership.enums import Role
from tests.contracts.factories import make_contract
from tests.e2e.helpers import assert_fits, log_in, watch, wider_than
from tests.factories import CustomerFactory, StockVehicleFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def desk(db):
    store = StoreFactory(code="FIN", name="财务测试店")
    consultant = UserFactory(username="fin_con", name="王芳", role=Role.CONSULTANT,
                             store=store)
    manager = UserFactory(username="fin_mgr", name="周经理", role=Role.MANAGER, store=store)
    UserFactory(username="fin_desk", name="钱会计", role=Role.FINANCE, store=store)
    # Thirty cars: the stock figures run to seven figures (¥6,294,000.00 at list price).
    StockVehicleFactory.create_batch(30, store=store)
    contracts = [make_contract(consultant, CustomerFactory(store=store, owner=consultant,
                                                           name=name),
                               manager=manager, status=ContractStatus.SIGNED)
                 for name in ("张三丰", "欧阳娜娜")]
    return [Payment.objects.get(contract=c, kind=PaymentKind.DEPOSIT) for c in contracts]


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 360, "height": 780}],
                         ids=["390", "360"])
def test_finance_desk_on_a_phone(live_server, page: Page, desk, size):
    base, problems = live_server.url, []
    watch(page, problems)
    page.set_viewport_size(size)
    first = desk[0]

    log_in(page, base, "fin_desk")
    page.goto(f"{base}/delivery/finance/")
    expect(page.get_by_test_id("to-confirm-count")).to_have_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], \
        wider_than(page, size["width"])
    page.evaluate("window.financeDeskLoaded = true")  # gone if the page reloads

    row = page.locator(f"#payment-row-{first.pk}")
    row.get_by_test_id("confirm-payment").click()
    step = row.get_by_test_id("payment-confirm-step")
    expect(step).to_be_visible()
    expect(step.get_by_test_id("confirm-amount")).to_have_text("¥5,000.00")
    expect(step.get_by_test_id("confirm-payer")).to_have_text("张*丰")
    expect(step.get_by_test_id("confirm-contract")).to_have_text(first.contract.number)
    assert_fits(page, size["width"])
    first.refresh_from_db()
    assert first.confirmed_at is None  # asking changed nothing
    if size["width"] == 390:
        page.screenshot(path=str(SCREENSHOTS / "finance-desk-confirm-phone.png"), full_page=True)

    page.locator(f"#payment-row-{first.pk}").get_by_test_id("confirm-payment-final").click()

    expect(page.locator(f"#payment-row-{first.pk}").get_by_test_id("payment-state")
           ).to_be_visible()
    expect(page.get_by_test_id("to-confirm-count")).to_have_text("1")
    assert page.evaluate("window.financeDeskLoaded === true")  # no reload
    assert_fits(page, size["width"])
    first.refresh_from_db()
    assert first.confirmed_at is not None
    assert problems == []


def test_cancelling_the_step_brings_the_button_back(live_server, page: Page, desk):
    base, problems = live_server.url, []
    watch(page, problems)
    page.set_viewport_size({"width": 390, "height": 844})
    second = desk[1]

    log_in(page, base, "fin_desk")
    page.goto(f"{base}/delivery/finance/")
    row = page.locator(f"#payment-row-{second.pk}")
    row.get_by_test_id("confirm-payment").click()
    row.get_by_test_id("confirm-payment-cancel").click()

    expect(page.locator(f"#payment-row-{second.pk}").get_by_test_id("confirm-payment")
           ).to_be_visible()
    expect(page.get_by_test_id("to-confirm-count")).to_have_text("2")
    second.refresh_from_db()
    assert second.confirmed_at is None
    assert problems == []
