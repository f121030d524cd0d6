"""Issue 14, item 9: one search box. A consultant types the last four digits of a phone,
sees the results grouped by kind as they type, tabs to the first result and opens it with
Enter, on a phone (390×844) and on a desktop (1440×900); nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from dealership.enums import Role
from tests.e2e.helpers import assert_accessible, assert_fits, log_in, watch
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshots" / "search-results.png"


@pytest.fixture
def world(db):
    store = StoreFactory(code="DEMO", name="示范店")
    consultant = UserFactory(username="con", name="王芳", role=Role.CONSULTANT, store=store)
    mine = CustomerFactory(store=store, owner=consultant, name="张三丰",
                           phone="+8613812345678")
    lead = LeadFactory(store=store, customer=mine, owner=consultant)
    # Same last four digits, another consultant's customer: never found.
    other = UserFactory(username="mate", name="李强", role=Role.CONSULTANT, store=store)
    CustomerFactory(store=store, owner=other, name="李四", phone="+8613900005678")
    return {"customer": mine, "lead": lead}


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_search_phone_tail_grouped_results_keyboard_open(live_server, page: Page, world,
                                                         width, height):
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server.url, "con")
    page.goto(f"{live_server.url}/search/")

    field = page.locator("#search-q")
    expect(field).to_be_focused()
    field.press_sequentially("5678", delay=50)

    customers = page.get_by_test_id("search-group-customers")
    leads = page.get_by_test_id("search-group-leads")
    expect(customers).to_contain_text("张三丰")
    expect(customers).to_contain_text("138****5678")
    expect(leads).to_contain_text(f"张三丰 #{world['lead'].pk}")
    expect(page.locator("#search-results")).not_to_contain_text("李四")
    assert_fits(page, width)
    assert_accessible(page)
    if width == 390:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.keyboard.press("Tab")
    first = customers.locator("a.search-hit").first
    expect(first).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/customers/{world['customer'].pk}/")
    assert problems == []


def test_search_without_htmx_is_a_plain_get(live_server, page: Page, world):
    problems: list[str] = []
    watch(page, problems)
    log_in(page, live_server.url, "con")

    page.goto(f"{live_server.url}/search/?q=5678")

    expect(page.get_by_test_id("search-group-customers")).to_contain_text("张三丰")
    expect(page.locator("#search-q")).to_have_value("5678")
    assert problems == []


def test_header_search_box_live_results(live_server, page: Page, world):
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, "con")
    page.goto(f"{live_server.url}/customers/")
    box = page.locator("#search-box-q")

    box.press_sequentially("5678", delay=50)

    results = page.locator("#search-box-results")
    expect(results).to_contain_text("张三丰")
    page.keyboard.press("Tab")
    expect(results.locator("a.search-hit").first).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/customers/{world['customer'].pk}/")
    assert problems == []
