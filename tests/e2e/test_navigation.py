"""The menu by section in headless Chromium: one row of sections on a desktop, a drawer with
the same sections on a phone, the current page marked in both, the badges reaching the
folded section, and keyboard use of the sections."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.contracts.factories import make_quote
from tests.e2e.helpers import assert_accessible, assert_fits, log_in, watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("NAV_SCREENSHOTS", "")  # a folder to keep them in, if set
SECTIONS = ["今日", "线索", "展厅", "成交", "交付", "售后", "报表", "设置"]


def test_manager_desktop_menu_is_one_row_of_sections(live_server, page: Page, manager,
                                                     consultant, customer):
    make_quote(consultant, customer, discount=Decimal("12000"))  # waits for the manager
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, manager.username)

    menu = page.locator(".nav-wide")
    expect(menu).to_be_visible()
    sections = menu.locator(".nav-sections > li")
    expect(sections).to_have_count(len(SECTIONS))
    tops = {round(sections.nth(i).bounding_box()["y"]) for i in range(len(SECTIONS))}
    assert len(tops) == 1  # one row, not two
    expect(menu.locator("summary")).to_have_text(
        # The folded "deals" section carries its badge (with its words for screen readers).
        [f"{name}待处理： 1" if name == "成交" else name for name in SECTIONS])
    expect(page.get_by_test_id("badge-wide-section-deals")).to_have_text("待处理： 1")

    menu.locator("summary", has_text="成交").click()
    expect(menu.get_by_role("link", name="报价单")).to_be_visible()
    assert_accessible(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/nav-desktop.png")
    menu.get_by_role("link", name="报价单").click()

    expect(page.locator("h1")).to_have_text("报价单")
    expect(page.locator(".nav-section.is-current")).to_have_attribute("data-section", "deals")
    expect(menu.locator('a[aria-current="page"]')).to_have_count(1)
    assert problems == []


def test_sections_open_from_the_keyboard(live_server, page: Page, manager):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live_server.url, manager.username)

    summary = page.locator(".nav-wide summary", has_text="展厅")
    summary.focus()
    page.keyboard.press("Enter")
    link = page.locator(".nav-wide").get_by_role("link", name="接待台")
    expect(link).to_be_visible()
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url("**/showroom/desk/")


def test_phone_drawer_has_the_same_sections_and_fits(live_server, page: Page, manager):
    problems: list[str] = []
    watch(page, problems)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, manager.username)

    expect(page.locator(".nav-wide")).to_be_hidden()
    drawer = page.locator(".nav-menu")
    drawer.locator("summary").click()
    titles = drawer.locator(".nav-drawer-title")
    expect(titles).to_have_text(SECTIONS)
    assert_fits(page, 390)
    assert_accessible(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/nav-phone.png")
    drawer.get_by_role("link", name="交车日历").click()

    expect(page.locator("h1")).to_have_text("交车日历")
    # Closed again on the new page, the drawer's button still says where the user is.
    expect(page.locator(".nav-menu summary .nav-menu-current")).to_have_text("交车日历")
    page.locator(".nav-menu summary").click()
    expect(page.locator(".nav-drawer-section.is-current .nav-drawer-title")).to_have_text("交付")
    assert_fits(page, 390)
    assert problems == []
