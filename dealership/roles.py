"""The roles of DESIGN §1 as auth groups, each with its permissions.

A user's `role` field is the source of truth for scoping (which rows they see); the group
of the same name carries the Django permissions (what they may do). `user_sync_groups`
keeps the two in step.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from dealership.enums import Role
from dealership.registry import role_permissions

_VIEW_CATALOGUE = (
    "dealership.view_brand", "dealership.view_series", "dealership.view_trim",
    "dealership.view_colour", "dealership.view_stockvehicle",
)

# The core's share of each role's permissions ("app_label.codename"); every stage adds its
# own models' share with `register_role_permissions` in its AppConfig.ready().
CORE_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.RECEPTIONIST: ("dealership.view_stockvehicle",),
    Role.CONSULTANT: (
        *_VIEW_CATALOGUE, "dealership.view_customer", "dealership.add_customer",
        "dealership.change_customer", "dealership.view_customer_pii",
    ),
    Role.SUPERVISOR: (
        *_VIEW_CATALOGUE, "dealership.view_customer", "dealership.add_customer",
        "dealership.change_customer", "dealership.view_customer_pii",
    ),
    Role.MANAGER: (
        *_VIEW_CATALOGUE, "dealership.view_customer", "dealership.add_customer",
        "dealership.change_customer", "dealership.view_customer_pii",
        "dealership.view_stock_cost", "dealership.change_stockvehicle",
        "dealership.add_stockvehicle", "dealership.view_auditentry",
        "dealership.export_customer_data", "dealership.erase_customer",
    ),
    Role.FINANCE: (
        *_VIEW_CATALOGUE, "dealership.view_customer", "dealership.view_customer_pii",
        "dealership.view_stock_cost",
    ),
    Role.SERVICE_ADVISOR: (
        *_VIEW_CATALOGUE, "dealership.view_customer", "dealership.view_customer_pii",
    ),
    Role.CUSTOMER_CARE: (
        "dealership.view_customer", "dealership.change_customer", "dealership.view_customer_pii",
        "dealership.export_customer_data",
    ),
    Role.MARKETING: (*_VIEW_CATALOGUE, "dealership.view_customer"),
    Role.GROUP_EXEC: (),
    Role.ADMIN: (
        *_VIEW_CATALOGUE, "dealership.view_customer", "dealership.change_customer",
        "dealership.view_customer_pii", "dealership.view_stock_cost",
        "dealership.view_auditentry", "dealership.view_store", "dealership.change_store",
        "dealership.view_user", "dealership.change_user", "dealership.add_user",
        "dealership.export_customer_data", "dealership.erase_customer",
    ),
}


def role_permissions_merged() -> dict[str, frozenset[str]]:
    """Every role's permissions: the union of the fragments the apps registered. A role
    nobody grants anything still gets its (empty) group; an unknown role is refused at
    start-up by `dealership.checks`."""
    merged: dict[str, set[str]] = {role: set() for role in Role.values}
    for fragment in role_permissions():
        merged[fragment.role].update(fragment.codenames)
    return {role: frozenset(codenames) for role, codenames in merged.items()}


def roles_sync() -> None:
    """Create one group per role and give it exactly the permissions the apps registered."""
    for role, perms in role_permissions_merged().items():
        group, _created = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))


def roles_sync_after_migrate(sender, **kwargs) -> None:
    roles_sync()


def user_sync_groups(user) -> None:
    """Put the user in exactly the group of their role."""
    group, _created = Group.objects.get_or_create(name=user.role)
    user.groups.set([group])
