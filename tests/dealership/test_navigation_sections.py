"""The menu by section: every role's screens grouped by stage, the current page marked,
and one name per page: the menu's label is the page's heading and title."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django import forms
from django.utils import translation

from dealership.enums import NavGroup, Role
from dealership.models import Store
from dealership.navigation import nav_for, nav_sections
from tests.helpers import english

pytestmark = pytest.mark.django_db

SECTION_ORDER = [group.value for group in NavGroup]


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_sections_follow_the_process_order_and_hold_every_item_once(role, make_user):
    user = make_user(role)
    items = nav_for(user)

    sections = nav_sections(items)

    assert [s.group for s in sections] == sorted((s.group for s in sections),
                                                 key=SECTION_ORDER.index)
    assert [item for s in sections for item in s.items] == sorted(
        items, key=lambda item: (SECTION_ORDER.index(item.group), item.order))


def test_manager_menu_has_the_eight_sections_in_one_row(client, make_user):
    client.force_login(english(make_user(Role.MANAGER)))

    html = client.get("/reports/").content.decode()

    wide = html[html.index('class="nav-wide"'):html.index('class="nav-menu"')]
    labels = [_text(label) for label in re.findall(r"<summary[^>]*>(.*?)</summary>", wide)]
    assert labels == ["Today", "Leads", "Showroom", "Deals", "Delivery", "After-sales",
                      "Reports", "Settings"]


def test_current_page_marks_its_section_and_its_link(client, make_user):
    client.force_login(english(make_user(Role.MANAGER)))

    html = client.get("/contracts/quotes/").content.decode()

    wide = html[html.index('class="nav-wide"'):html.index('class="nav-menu"')]
    current = re.findall(r'<li class="nav-section is-current" data-section="(\w+)"', wide)
    assert current == ["deals"]
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', wide) == ["/contracts/quotes/"]
    # The phone's drawer marks the same section and page, and its button names the page.
    drawer = html[html.index('class="nav-menu"'):html.index('class="who"')]
    assert re.findall(r'nav-drawer-section is-current" data-section="(\w+)"', drawer) == [
        "deals"]
    assert '<span class="nav-menu-current" aria-hidden="true">Quotes</span>' in drawer


def test_section_of_one_screen_is_a_plain_link(client, make_user):
    client.force_login(english(make_user(Role.RECEPTIONIST)))

    html = client.get("/showroom/").content.decode()

    wide = html[html.index('class="nav-wide"'):html.index('class="nav-menu"')]
    sections = re.findall(r'data-section="(\w+)"', wide)
    singles = re.findall(r'data-section="(\w+)">\s*<a href', wide)
    folded = re.findall(r'data-section="(\w+)">\s*<details', wide)
    assert sorted(singles + folded) == sorted(sections)
    for section in nav_sections(nav_for(make_user(Role.RECEPTIONIST, username="r2"))):
        assert (section.group in singles) == (len(section.items) == 1)


def _h1(html: str) -> str:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", html, flags=re.S)
    assert len(found) == 1, f"{len(found)} h1 elements"
    return _text(found[0])


def _title(html: str) -> str:
    return _text(re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1))


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_menu_item_names_its_page_the_same_as_its_heading_and_title(role, client,
                                                                          make_user):
    user = english(make_user(role))
    client.force_login(user)
    mismatches, dashes = [], []
    for item in nav_for(user):
        response = client.get(item.url)
        assert response.status_code == 200, item.url_name
        html = response.content.decode()
        label = str(item.label)
        heading, title = _h1(html), _title(html)
        if heading != label or not title.startswith(f"{label} ·"):
            mismatches.append((item.url_name, label, heading, title))
        if ">---------<" in html:  # Django's untranslated empty choice
            dashes.append(item.url_name)

    assert mismatches == [], "\n".join(map(repr, mismatches))
    assert dashes == []


def test_select_without_a_choice_shows_a_translated_prompt(store):
    class PickStore(forms.Form):
        store = forms.ModelChoiceField(queryset=Store.objects.all())  # Django's "---------"

    with translation.override("zh-hans"):
        chinese = str(PickStore()["store"])
    with translation.override("en"):
        english_html = str(PickStore()["store"])

    assert '<option value="" selected>请选择…</option>' in chinese
    assert '<option value="" selected>Choose…</option>' in english_html
    assert "---------" not in chinese + english_html
    assert f'<option value="{store.pk}">' in chinese  # the real choices are untouched
