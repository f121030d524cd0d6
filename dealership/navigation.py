"""The navigation: which screens each role reaches, and each role's home page, read from
the registries the apps fill in (`dealership.registry`)."""

from __future__ import annotations

from dealership.enums import Role
from dealership.models import User
from dealership.registry import NavItem, nav_items, role_homes


def home_url_name(user: User) -> str:
    homes = {home.role: home.url_name for home in role_homes()}
    if user.is_superuser and user.role not in homes:
        return homes[Role.ADMIN]
    return homes.get(user.role, "account")


def nav_for(user: User) -> list[NavItem]:
    role = Role.ADMIN if (user.is_superuser and user.role == Role.ADMIN) else user.role
    return [item for item in nav_items() if role in item.roles]


def nav_badges(user: User, items: list[NavItem]) -> dict[str, int]:
    """The counts of the user's items that have one (one COUNT query per such item)."""
    return {item.url_name: item.badge(user) for item in items if item.badge is not None}
