"""The navigation: which screens each role reaches, in which section of the menu, and each
role's home page, read from the registries the apps fill in (`dealership.registry`)."""

from __future__ import annotations

from dataclasses import dataclass

from dealership.enums import NavGroup, Role
from dealership.models import User
from dealership.registry import NavItem, nav_items, role_homes


@dataclass(frozen=True)
class NavSection:
    """One section of a user's menu (today, leads, showroom, ...) and its items."""

    group: str
    label: str
    items: tuple[NavItem, ...]
    current: bool

    @property
    def has_badge(self) -> bool:
        return any(item.has_badge for item in self.items)

    @property
    def single(self) -> NavItem | None:
        # A section with one screen is that screen's link: a menu of one is a needless tap.
        return self.items[0] if len(self.items) == 1 else None


def home_url_name(user: User) -> str:
    homes = {home.role: home.url_name for home in role_homes()}
    if user.is_superuser and user.role not in homes:
        return homes[Role.ADMIN]
    return homes.get(user.role, "account")


def nav_for(user: User) -> list[NavItem]:
    role = Role.ADMIN if (user.is_superuser and user.role == Role.ADMIN) else user.role
    return [item for item in nav_items() if role in item.roles]


def nav_sections(items: list[NavItem], *, current: str = "") -> list[NavSection]:
    """The user's items grouped by section, sections in `NavGroup` order, items in their
    registered order; `current` (a view name) marks the section holding that screen."""
    sections = []
    for group in NavGroup:
        mine = tuple(item for item in items if item.group == group.value)
        if mine:
            sections.append(NavSection(group=group.value, label=group.label, items=mine,
                                       current=any(i.url_name == current for i in mine)))
    return sections


def nav_badges(user: User, items: list[NavItem]) -> dict[str, int]:
    """The counts of the user's items that have one (one COUNT query per such item)."""
    return {item.url_name: item.badge(user) for item in items if item.badge is not None}
