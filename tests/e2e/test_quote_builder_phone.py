"""Issue 14, item 3: on a phone the quote builder keeps a compact summary (price after
discount, out-the-door total, the approval needed) in view while the long form scrolls,
with CSS `position: sticky` only, refreshed as the totals are recalculated. With the
store showing purchase tax (item 11), the out-the-door includes it.

Hand-worked: a ¥209,800 hybrid (no new-energy relief, so the figure does not depend on the
day) with ¥9,800 off is ¥200,000; purchase tax 200,000 ÷ 1.13 × 10 % = 17,699.115… →
¥17,699.12; with ¥500 of fees the out-the-door is 200,000 + 500 + 17,699.12 = ¥218,199.12.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contracts.models import DiscountPolicy
from dealership.enums import Powertrain, Role, Seniority
from tests.contracts.factories import AccessoryFactory
from tests.e2e.helpers import log_in, watch
from tests.factories import (
    CustomerFactory,
    SeriesFactory,
    StoreFactory,
    TeamFactory,
    TrimFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SCREENSHOT = (Path(__file__).resolve().parents[2] / "docs" / "screenshots"
              / "quote-builder-phone.png")


def in_view(page: Page, test_id: str) -> bool:
    box = page.get_by_test_id(test_id).bounding_box()
    return (box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
            and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"])


def test_summary_stays_in_view_and_follows_the_discount_on_a_phone(live_server, page: Page):
    base = live_server.url
    store = StoreFactory(code="DEMO", name="示范店")
    DiscountPolicy.objects.create(store=store, show_purchase_tax=True)
    supervisor = UserFactory(username="sup", name="赵主管", role=Role.SUPERVISOR, store=store)
    team = TeamFactory(store=store, name="一组", supervisor=supervisor)
    consultant = UserFactory(username="con", name="王芳", role=Role.CONSULTANT, store=store,
                             team=team, seniority=Seniority.SENIOR)
    trim = TrimFactory(series=SeriesFactory(name="RAV4"), name="2.0L 两驱风尚版",
                       powertrain=Powertrain.HEV, msrp=Decimal("209800.00"))
    for n in range(6):  # a real store's accessory list makes the form long
        AccessoryFactory(store=store, name=f"配件{n}", price=Decimal("300.00"))
    customer = CustomerFactory(store=store, owner=consultant, name="张三丰",
                               phone="+8613812345678")
    problems: list[str] = []
    page.set_viewport_size(PHONE)
    watch(page, problems)

    log_in(page, base, "con")
    page.goto(f"{base}/contracts/quotes/new/?customer={customer.pk}")
    # The trim's option names the series (item 8); 209,800 + its tax 18,566.37.
    expect(page.locator("#id_trim option", has_text="RAV4 2025 2.0L 两驱风尚版")).to_have_count(1)
    page.locator("#id_trim").select_option(str(trim.pk))
    expect(page.get_by_test_id("summary-out-the-door")).to_have_text("¥228,366.37")

    page.locator("#id_discount").fill("9800")
    # Deeper in the form: the fees, far below the top of a phone's screen.
    fees = page.locator("#id_fees")
    fees.scroll_into_view_if_needed()
    fees.fill("500")
    page.locator("#id_note").scroll_into_view_if_needed()

    expect(page.get_by_test_id("summary-out-the-door")).to_have_text("¥218,199.12")
    expect(page.get_by_test_id("summary-vehicle-price")).to_have_text("¥200,000.00")
    expect(page.get_by_test_id("summary-tier")).to_have_class(
        "quote-summary-tier quote-tier-manager")
    assert page.evaluate("window.scrollY") > 800  # the page did scroll
    assert in_view(page, "quote-summary")
    assert in_view(page, "summary-out-the-door")
    # The full totals panel agrees, purchase tax on its own line.
    expect(page.get_by_test_id("total-purchase-tax")).to_have_text("¥17,699.12")
    expect(page.get_by_test_id("total-out-the-door")).to_have_text("¥218,199.12")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert problems == []
