"""Issue 14: every screen in every role's menu, on the demo store, has no serious or
critical accessibility fault that axe-core finds (missing labels and names, contrast,
duplicate ids, landmarks)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from tests.e2e.helpers import axe_violations, demo_users, nav_pages, sign_in_as, watch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", force=True, stdout=io.StringIO())


def test_every_menu_screen_of_every_role_passes_axe(live_server, page: Page, demo):
    base = live_server.url
    problems: list[str] = []
    watch(page, problems, timeout_ms=30_000)
    faults: dict[str, list[str]] = {}
    seen: set[str] = set()
    for user in demo_users():
        sign_in_as(page, base, user)
        for path in nav_pages(user):
            if path in seen:  # the same screen for another role: its markup is the same
                continue
            seen.add(path)
            response = page.goto(f"{base}{path}")
            assert response is not None and response.ok, f"{user.role} {path}"
            found = axe_violations(page)
            if found:
                faults[f"{user.role} {path}"] = found
    assert not faults, "\n".join(f"{where}:\n  " + "\n  ".join(lines)
                                 for where, lines in faults.items())
    assert problems == []
