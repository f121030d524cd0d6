"""Reports' menu entries of this area: the store overview, the targets, the group figures.
(The screens themselves: test_home.py, test_targets_views.py, test_group.py.)"""

from __future__ import annotations

import pytest

from dealership.enums import Role
from dealership.registry import nav_items, role_homes
from tests.helpers import english

pytestmark = pytest.mark.django_db


def _roles_of(url_name: str) -> set[str]:
    return {role for item in nav_items() if item.url_name == url_name for role in item.roles}


def test_menu_entries_and_their_roles():
    assert _roles_of("reports:store_overview") == {Role.MANAGER}
    assert _roles_of("reports:targets") == {Role.MANAGER, Role.SUPERVISOR, Role.CONSULTANT}
    assert _roles_of("reports:group_overview") == {Role.GROUP_EXEC, Role.ADMIN}


def test_role_homes():
    homes = {(home.role, home.url_name) for home in role_homes()}

    assert (Role.MANAGER, "reports:store_overview") in homes
    assert (Role.GROUP_EXEC, "reports:group_overview") in homes


def test_the_consultant_finds_targets_in_the_menu(client, consultant):
    client.force_login(english(consultant))

    html = client.get("/reports/targets/").content.decode()

    assert 'href="/reports/targets/"' in html
    assert "Targets" in html
