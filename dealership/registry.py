"""The registries the stages fill in: navigation items, role homes, role permissions and
demo seeders.

The core sits under every stage and may not import one (the layers contract in
pyproject.toml), yet its menu, home redirect, role groups and demo command must cover them
all. So each app registers what it brings from its `AppConfig.ready()`, as apps register
with Django's admin. `dealership.checks` refuses, at start-up, an entry that names an
unknown URL or role, so a mistake never waits for a page to render.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.urls import reverse

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from dealership.models import Store, User


@dataclass(frozen=True)
class NavItem:
    """A screen in the menu. `order` places it among every app's items (lower first);
    `group` is its section of the menu (a `NavGroup`: today, leads, showroom, ...);
    `badge` counts what waits for the user ("3 waiting") and must stay one cheap query."""

    url_name: str
    label: str | Promise
    roles: tuple[str, ...]
    order: int
    group: str
    badge: Callable[[User], int] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def has_badge(self) -> bool:
        # A template would call `badge` itself (without the user): it asks this instead.
        return self.badge is not None


@dataclass(frozen=True)
class RoleHome:
    """The page a role lands on after signing in."""

    role: str
    url_name: str


@dataclass(frozen=True)
class RolePermissions:
    """An app's share of one role's permissions, as "app_label.codename"."""

    role: str
    codenames: tuple[str, ...]


class DemoSeed(Protocol):
    def __call__(self, rng: random.Random, *, store: Store, scale: str) -> None: ...


@dataclass(frozen=True)
class DemoSeeder:
    """A stage's part of the demo store. `order` runs it after the stages it builds on."""

    order: int
    seed: DemoSeed
    label: str = ""  # the progress line's name; the app's label when empty


_nav_items: list[NavItem] = []
_role_homes: list[RoleHome] = []
_role_permissions: list[RolePermissions] = []
_demo_seeders: list[DemoSeeder] = []


def _add(registry: list, entry: object) -> None:
    # Django may run ready() twice (its docs warn of it): the same entry again is a no-op,
    # while two different entries for one slot are left for the system check to report.
    if entry not in registry:
        registry.append(entry)


def register_nav_item(*, url_name: str, label: str | Promise, roles: Iterable[str],
                      order: int, group: str,
                      badge: Callable[[User], int] | None = None) -> None:
    # Roles and group as plain strings (an enum member is one), so messages show "finance".
    _add(_nav_items, NavItem(url_name=url_name, label=label, roles=tuple(map(str, roles)),
                             order=order, group=str(group), badge=badge))


def register_role_home(*, role: str, url_name: str) -> None:
    _add(_role_homes, RoleHome(role=str(role), url_name=url_name))


def register_role_permissions(*, role: str, codenames: Iterable[str]) -> None:
    _add(_role_permissions, RolePermissions(role=str(role), codenames=tuple(codenames)))


def register_demo_seeder(*, order: int, seed: DemoSeed, label: str = "") -> None:
    _add(_demo_seeders, DemoSeeder(order=order, seed=seed, label=label))


def nav_items() -> list[NavItem]:
    """Every app's menu items in menu order."""
    return sorted(_nav_items, key=lambda item: item.order)


def role_homes() -> list[RoleHome]:
    return list(_role_homes)


def role_permissions() -> list[RolePermissions]:
    return list(_role_permissions)


def demo_seeders() -> list[DemoSeeder]:
    """The stages' demo seeders in the order they must run."""
    return sorted(_demo_seeders, key=lambda seeder: seeder.order)
