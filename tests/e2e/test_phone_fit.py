"""Issue 14: on a 360-pixel phone nothing scrolls sideways, on any screen in any role's
menu of the demo store (a wide table scrolls inside its own box, not the page)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page

from tests.e2e.helpers import demo_users, nav_pages, sign_in_as, watch, wider_than

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
# Being fixed in their own areas of issue 14 (the test-drive calendar: the showroom's;
# the finance desk: delivery's). Still too wide, they make this test an expected failure
# once every other screen has been checked; fitting, they are checked like the rest.
KNOWN_WIDE = ("showroom:calendar", "delivery:finance_desk")


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", force=True, stdout=io.StringIO())


def test_no_menu_screen_of_any_role_scrolls_sideways_at_360px(live_server, page: Page, demo):
    base = live_server.url
    problems: list[str] = []
    watch(page, problems, timeout_ms=30_000)
    page.set_viewport_size(PHONE)
    too_wide: dict[str, str] = {}
    # Each role's own view of a screen: a manager's may have columns a consultant's lacks.
    for user in demo_users():
        sign_in_as(page, base, user)
        for path in nav_pages(user):
            response = page.goto(f"{base}{path}")
            assert response is not None and response.ok, f"{user.role} {path}"
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                culprits = ", ".join(wider_than(page, PHONE["width"]))
                too_wide[f"{user.role} {path}"] = f"{width}px: {culprits}"
    known = {reverse(name) for name in KNOWN_WIDE}
    assert {where: why for where, why in too_wide.items()
            if where.split()[1] not in known} == {}
    assert problems == []
    if too_wide:
        pytest.xfail(f"known to be too wide still: {too_wide}")
