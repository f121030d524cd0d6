"""Issue 14, item 12: on a phone, the manager changes an accessory's price and retires a
package of their store; the administrator changes a trim's MSRP. Each sees the price
history, nothing scrolls sideways at 360 px, and the pages pass axe."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from contracts.models import Accessory, ValuePackage
from dealership.enums import Role
from dealership.models import PriceChange, Trim
from tests.contracts.factories import AccessoryFactory, ValuePackageFactory
from tests.e2e.helpers import assert_accessible, assert_fits, log_in, watch
from tests.factories import StoreFactory, TrimFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}


def test_manager_changes_an_accessory_price_and_retires_a_package_on_a_phone(
        live_server, page: Page):
    base = live_server.url
    store = StoreFactory(code="E2E", name="目录店")
    manager = UserFactory(username="zhou", name="周经理", role=Role.MANAGER, store=store,
                          language="en")
    mats = AccessoryFactory(store=store, code="MAT-01", name="全包脚垫",
                            price=Decimal("800.00"))
    AccessoryFactory(store=store, code="CAM-01", name="行车记录仪", price=Decimal("1200.00"))
    wash = ValuePackageFactory(store=store, name="洗车券", kind="wash")
    problems: list[str] = []
    watch(page, problems)
    page.on("dialog", lambda dialog: dialog.accept())  # htmx's hx-confirm
    page.set_viewport_size(PHONE)

    log_in(page, base, "zhou")
    page.goto(f"{base}/contracts/catalogue/accessories/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessories")
    assert_fits(page, 360)
    assert_accessible(page)

    # The text filter narrows the list without a reload (htmx swaps the rows).
    page.get_by_label("Search", exact=True).fill("MAT")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#catalogue-rows tbody tr")).to_have_count(1)
    page.get_by_role("link", name="全包脚垫").click()
    expect(page).to_have_url(f"{base}/contracts/catalogue/accessories/{mats.pk}/")
    assert_fits(page, 360)
    assert_accessible(page)

    page.get_by_label("Price (CNY)").fill("880")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("“全包脚垫” saved.")
    history = page.get_by_test_id("price-history")
    expect(history).to_contain_text("¥800.00")
    expect(history).to_contain_text("¥880.00")
    expect(history).to_contain_text(manager.name)
    assert_fits(page, 360)
    assert Accessory.objects.get(pk=mats.pk).price == Decimal("880.00")

    # Packages: retire one, after htmx's confirmation.
    page.get_by_role("link", name="Value-added packages").click()
    page.get_by_role("link", name="洗车券").click()
    page.get_by_role("button", name="Retire").click()
    expect(page.locator(".messages")).to_contain_text("“洗车券” is retired")
    expect(page.get_by_role("button", name="Put back on sale")).to_be_visible()
    assert_accessible(page)
    assert ValuePackage.objects.get(pk=wash.pk).is_active is False
    assert problems == []


def test_admin_changes_a_trim_msrp_and_the_manager_reads_it(live_server, page: Page,
                                                            new_context):
    base = live_server.url
    store = StoreFactory(code="E2E", name="目录店")
    UserFactory(username="root", name="管理员", role=Role.ADMIN, store=None, is_staff=True,
                is_superuser=True, language="en")
    UserFactory(username="zhou", name="周经理", role=Role.MANAGER, store=store, language="en")
    trim = TrimFactory(name="2.0L 风尚版", model_year=2025, msrp=Decimal("209800.00"))
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size(PHONE)

    log_in(page, base, "root")
    page.goto(f"{base}/catalogue/trims/")
    page.get_by_role("link", name="2025 2.0L 风尚版").click()
    page.get_by_label("MSRP (CNY)").fill("199800")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("price-history")).to_contain_text("¥199,800.00")
    assert_fits(page, 360)
    assert_accessible(page)
    assert Trim.objects.get(pk=trim.pk).msrp == Decimal("199800.00")

    manager_page = new_context().new_page()
    watch(manager_page, problems)
    manager_page.set_viewport_size(PHONE)
    log_in(manager_page, base, "zhou")
    manager_page.goto(f"{base}/catalogue/trims/{trim.pk}/")
    expect(manager_page.get_by_test_id("price-history")).to_contain_text("¥209,800.00")
    expect(manager_page.get_by_role("button", name="Save")).to_have_count(0)
    expect(manager_page).to_have_title(re.compile("风尚版"))
    assert_fits(manager_page, 360)
    assert PriceChange.objects.count() == 1
    assert problems == []
