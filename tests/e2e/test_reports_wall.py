"""The wall screen in headless Chromium at 1920×1080: both meetings fit the screen without
scrolling with a full team, the panels rotate, the page runs under the CSP without a
violation, and a revoked link blanks the panels at their next poll."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import Page, expect

from dealership.enums import Role
from leads.enums import Grade, LeadStatus
from reports.enums import MeetingKind, NoteTopic
from reports.models import MeetingNote
from reports.services.kiosk import kiosk_link_create, kiosk_link_revoke
from tests.e2e.helpers import assert_accessible
from tests.factories import CustomerFactory, UserFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("WALL_SCREENSHOTS", "")  # a folder to keep them in, if set


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1920, "height": 1080},
            "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def _at(store, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=store.tzinfo)


def _full_team(store, manager) -> None:
    """Twelve consultants and seven long notes (more than a panel shows), each consultant
    with a busy day."""
    today = store.today()
    for n in range(12):
        consultant = UserFactory(role=Role.CONSULTANT, store=store, name=f"欧阳顾问{n}")
        customer = CustomerFactory(store=store, owner=consultant, name=f"司马客户{n}")
        lead = LeadFactory(store=store, customer=customer, owner=consultant, grade=Grade.A,
                           status=LeadStatus.CONTACTED, model_interest="凯美瑞 2.5L 豪华版",
                           created_at=_at(store, today - dt.timedelta(days=2), 9),
                           follow_up_due_at=_at(store, today, 9))
        VisitFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                     arrived_at=_at(store, today - dt.timedelta(days=1), 10))
        InvitationFactory(lead=lead, expected_at=_at(store, today, 15))
        DriveFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                     slot_start=_at(store, today + dt.timedelta(days=1), 9 + n % 8))
    longest = ("厂家本月补贴每台三千元，" * 100)[:1000]
    for meeting in MeetingKind.values:
        for topic in (*NoteTopic.values, NoteTopic.PROBLEM):  # more than a panel shows
            MeetingNote.objects.create(store=store, day=today, meeting=meeting, topic=topic,
                                       author=manager, body=longest)


def _fits(page: Page) -> None:
    size = page.evaluate("[document.documentElement.scrollWidth,"
                         " document.documentElement.scrollHeight]")
    assert size == [1920, 1080]


@pytest.mark.parametrize("meeting", ["morning", "evening"])
def test_wall_screen_fits_1920_by_1080_without_scrolling(live_server, page: Page, store,
                                                         manager, meeting):
    _full_team(store, manager)
    _link, path = kiosk_link_create(store=store, label="展厅大屏", actor=manager)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(f"{live_server.url}{path}{meeting}/")

    expect(page.get_by_test_id("wall-screen")).to_be_visible()
    _fits(page)
    assert_accessible(page)
    panels = page.locator(".wall-panel")
    expect(panels).to_have_count(4)
    expect(panels.nth(0)).to_be_visible()  # the first quarter of the rotation
    expect(panels.nth(1)).to_be_hidden()
    for slot in range(4):
        box = panels.nth(slot).bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0
        assert box["x"] + box["width"] <= 1920 and box["y"] + box["height"] <= 1080
    # No panel cut off: each one's content fits its box (hidden panels are laid out too).
    overflowing = page.evaluate(
        "Array.from(document.querySelectorAll('.wall-panel, .wall-head'))"
        ".filter(el => el.scrollHeight > el.clientHeight + 1"
        " || el.scrollWidth > el.clientWidth + 1).map(el => el.id)")
    assert overflowing == []
    if SCREENSHOTS:
        for slot in range(4):  # jump the rotation to each panel's quarter
            page.evaluate(f"document.getAnimations().forEach(a => a.currentTime = {slot * 15000})")
            page.screenshot(path=f"{SCREENSHOTS}/wall-{meeting}-{slot + 1}.png")
    assert violations == []


def test_a_revoked_link_blanks_the_panels_at_their_next_poll(live_server, page: Page, store,
                                                             manager):
    link, path = kiosk_link_create(store=store, label="展厅大屏", actor=manager)
    page.goto(f"{live_server.url}{path}morning/")
    expect(page.locator("#morning-figures .wall-tile").first).to_be_visible()

    kiosk_link_revoke(link=link, actor=manager)  # commits: the link leaves the cache
    # What the panel's `every 30s` trigger does, now rather than in 30 seconds.
    page.evaluate(f"htmx.ajax('GET', '{path}morning/1/', '#morning-figures')")

    expect(page.locator("#morning-figures").get_by_test_id("wall-gone")).to_be_visible()
    expect(page.locator("#morning-figures .wall-tile")).to_have_count(0)
