"""Issue 14: every screen in every role's menu, on the populated demo store, has one
`<h1>`, a label for every field, a name for every button and link, and no id twice
(tests/markup.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from dealership.enums import Role
from dealership.models import User
from dealership.navigation import nav_for
from tests.markup import markup_problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, stdout=StringIO())
        yield {role: User.objects.filter(role=role).order_by("username").first()
               for role in Role}
        transaction.set_rollback(True)


def test_markup_checker_finds_each_kind_of_fault():
    html = """<h1>A</h1><h1>B</h1>
      <input name="q" id="q"><label><input name="ok1"></label>
      <label for="ok2">Two</label><input id="ok2"><input aria-label="Three">
      <input type="hidden" name="csrf"><button type="submit"></button>
      <a href="/x"><span class="icon"></span></a><a href="/y" aria-label="Y"></a>
      <p id="q"></p>"""

    assert markup_problems(html) == [
        "2 <h1> elements, not one",
        'no label: <input name="q" id="q">',
        'no accessible name: <button type="submit">',
        'no accessible name: <a href="/x">',
        "id used 2 times: q",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_every_menu_screen_has_sound_markup(demo, settings, role):
    # The demo store's people are real-looking: whoever may not see a number sees it
    # masked, which the autouse PII scan checks on these responses as everywhere.
    user = demo[role]
    client = Client()
    client.force_login(user)
    faults = {}
    for item in nav_for(user):
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        found = markup_problems(response.content.decode())
        if found:
            faults[item.url] = found

    assert faults == {}
