"""Issue 13's journey: the manager's day on the demo store. Before nine the manager opens
the morning meeting, writes a briefing note (a factory subsidy), makes a link for the
showroom's wall screen; the screen, with no login, shows both meetings at 1920×1080 in
Chinese, names masked and no phone number, and the new note is on it. In the evening the
manager sets a target and makes the day's report again; a new version is listed.

With REPORT_SCREENSHOTS=<folder> the wall screen's panels are saved there (the README's
screenshots come from `REPORT_SCREENSHOTS=docs/screenshots make test`)."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from dealership.models import Customer, Store, User
from reports.enums import MeetingKind
from reports.models import DailyReport, MeetingNote
from tests.e2e.helpers import assert_accessible, watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"  # seed_demo's logins (DESIGN §4)
SCREENSHOTS = os.environ.get("REPORT_SCREENSHOTS", "")
WALL = {"width": 1920, "height": 1080}
# A mainland mobile number, whole or with its middle masked (138****5678): neither may
# ever be on the wall.
PHONE = re.compile(r"1[3-9]\d(\*{4}|\d{4})\d{4}")


@pytest.fixture
def demo_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", force=True, stdout=io.StringIO())
    store = Store.objects.get(code="DEMO")
    User.objects.filter(username="manager").update(language="en")  # assert the msgids
    return store


def test_the_managers_day_from_the_morning_meeting_to_the_wall_screen(
        live_server, page: Page, new_context, demo_store):
    base = live_server.url
    problems: list[str] = []
    watch(page, problems, timeout_ms=30_000)
    page.goto(f"{base}/accounts/login/")
    assert_accessible(page)
    page.locator("#id_username").fill("manager")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # The morning meeting: yesterday's figures, the targets, the notes card.
    page.goto(f"{base}/reports/meetings/morning/")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Morning meeting")
    notes = page.get_by_test_id("meeting-notes")
    notes.locator("select[name=topic]").select_option("factory_subsidy")
    notes.locator("textarea[name=body]").fill("厂家本周补贴：凯美瑞每台三千元，周日截止")
    notes.get_by_role("button", name="Add the note").click()
    expect(notes).to_contain_text("厂家本周补贴：凯美瑞每台三千元")
    assert MeetingNote.objects.filter(store=demo_store, meeting=MeetingKind.MORNING,
                                      body__startswith="厂家本周补贴").count() == 1

    # A link for the showroom's screen, shown once.
    page.goto(f"{base}/reports/wall-links/")
    assert_accessible(page)
    page.locator("input[name=label]").fill("展厅大屏")
    page.get_by_role("button", name="Make a link").click()
    url = page.get_by_test_id("kiosk-url").inner_text().strip()
    path = re.fullmatch(r"(?:https?://[^/]+)?(/wall/[^/]+/)", url).group(1)

    # The wall screen: another browser, no login, a 1920×1080 screen, Chinese.
    wall = new_context(viewport=WALL).new_page()  # zh-CN, Shanghai: the e2e conftest
    wall_problems: list[str] = []
    watch(wall, wall_problems, timeout_ms=30_000)
    owner_names = list(Customer.objects.filter(store=demo_store)
                       .values_list("name", flat=True)[:200])
    for meeting in ("morning", "evening"):
        wall.goto(f"{base}{path}{meeting}/")
        assert_accessible(wall)
        expect(wall.get_by_test_id("wall-screen")).to_be_visible()
        size = wall.evaluate("[document.documentElement.scrollWidth,"
                             " document.documentElement.scrollHeight]")
        assert size == [1920, 1080]  # no scrolling
        text = wall.locator("body").inner_text()
        assert not PHONE.search(text)
        assert not [name for name in owner_names if len(name) > 1 and name in text]
        for slot in range(4):  # each panel's quarter of the rotation
            wall.evaluate(
                f"document.getAnimations().forEach(a => a.currentTime = {slot * 15000})")
            if SCREENSHOTS:
                wall.screenshot(path=f"{SCREENSHOTS}/wall-{meeting}-{slot + 1}.png")
    wall.goto(f"{base}{path}morning/")
    assert_accessible(wall)
    expect(wall.locator("body")).to_contain_text("厂家本周补贴")
    assert wall_problems == []

    # The evening: the day's report made again is a new version beside the job's.
    before = DailyReport.objects.filter(store=demo_store).count()
    page.goto(f"{base}/reports/daily/")
    assert_accessible(page)
    page.get_by_test_id("daily-make").get_by_role("button", name="Make the report").click()
    expect(page.get_by_test_id("daily-row")).to_have_count(before + 1)
    assert DailyReport.objects.filter(store=demo_store).count() == before + 1
    assert problems == []
