"""The roles of DESIGN §1 as auth groups, each with its permissions.

A user's `role` field is the source of truth for scoping (which rows they see); the group
of the same name carries the Django permissions (what they may do). `user_sync_groups`
keeps the two in step.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from dealership.enums import Role

_VIEW_CATALOGUE = (
    "dealership.view_brand", "dealership.view_series", "dealership.view_trim",
    "dealership.view_colour", "dealership.view_stockvehicle",
)

_SELL = (
    "contracts.view_quote", "contracts.add_quote", "contracts.view_contract",
    "contracts.add_contract", "contracts.view_accessory", "contracts.view_valuepackage",
    "contracts.view_discountpolicy",
)

# "app_label.codename"; later issues extend this table for their own models.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.RECEPTIONIST: ("dealership.view_stockvehicle",),
    Role.CONSULTANT: (
        *_VIEW_CATALOGUE, *_SELL, "dealership.view_customer", "dealership.add_customer",
        "dealership.change_customer", "dealership.view_customer_pii",
    ),
    Role.SUPERVISOR: (
        *_VIEW_CATALOGUE, *_SELL, "contracts.view_approvalrequest",
        "contracts.change_approvalrequest", "dealership.view_customer", "dealership.add_customer",
        "dealership.change_customer", "dealership.view_customer_pii",
    ),
    Role.MANAGER: (
        *_VIEW_CATALOGUE, *_SELL, "contracts.view_approvalrequest",
        "contracts.change_approvalrequest", "contracts.change_contract",
        "dealership.view_customer", "dealership.add_customer",
        "dealership.change_customer", "dealership.view_customer_pii",
        "dealership.view_stock_cost", "dealership.change_stockvehicle",
        "dealership.add_stockvehicle", "dealership.view_auditentry",
    ),
    Role.FINANCE: (
        *_VIEW_CATALOGUE, "contracts.view_quote", "contracts.view_contract",
        "delivery.view_payment", "delivery.change_payment", "delivery.view_refundobligation",
        "delivery.change_refundobligation", "dealership.view_customer",
        "dealership.view_customer_pii",
        "dealership.view_stock_cost",
    ),
    Role.SERVICE_ADVISOR: (
        *_VIEW_CATALOGUE, "dealership.view_customer", "dealership.view_customer_pii",
    ),
    Role.CUSTOMER_CARE: (
        "dealership.view_customer", "dealership.change_customer", "dealership.view_customer_pii",
    ),
    Role.MARKETING: (*_VIEW_CATALOGUE, "dealership.view_customer"),
    Role.GROUP_EXEC: (),
    Role.ADMIN: (
        *_VIEW_CATALOGUE, "contracts.view_quote", "contracts.view_contract",
        "contracts.view_approvalrequest", "contracts.view_contractdocument",
        "contracts.view_discountpolicy", "contracts.change_discountpolicy",
        "contracts.view_accessory", "contracts.add_accessory", "contracts.change_accessory",
        "contracts.view_valuepackage", "contracts.add_valuepackage",
        "contracts.change_valuepackage", "dealership.view_customer", "dealership.change_customer",
        "dealership.view_customer_pii", "dealership.view_stock_cost",
        "dealership.view_auditentry", "dealership.view_store", "dealership.change_store",
        "dealership.view_user", "dealership.change_user", "dealership.add_user",
    ),
}


def roles_sync() -> None:
    """Create one group per role and give it exactly the permissions of the table."""
    for role, perms in ROLE_PERMISSIONS.items():
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
