"""Who may do what: role checks for views and small named predicates for actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from dealership.enums import Role

# Roles whose customer pages list every customer of their store.
CUSTOMER_STORE_ROLES = (
    Role.MANAGER, Role.FINANCE, Role.SERVICE_ADVISOR, Role.CUSTOMER_CARE, Role.MARKETING,
)
CUSTOMER_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, *CUSTOMER_STORE_ROLES, Role.ADMIN)


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and Role.ADMIN in roles:
        return True
    return user.role in roles


def role_required(*roles: str) -> Callable:
    """Login required, then 403 for a signed-in user whose role is not listed."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles  # the view states who may use it
        return wrapper

    return decorator


def is_customer_in_scope(user, customer) -> bool:
    """The same rule as selectors.customer_scope_for_user, for one loaded customer."""
    if has_role(user, Role.ADMIN):
        return True
    if user.store_id is None or customer.store_id != user.store_id:
        return False
    if user.role == Role.CONSULTANT:
        return customer.owner_id == user.pk
    if user.role == Role.SUPERVISOR:
        return customer.owner_id == user.pk or (
            customer.owner is not None and customer.owner.team_id is not None
            and customer.owner.team.supervisor_id == user.pk
        )
    return user.role in CUSTOMER_STORE_ROLES


def can_view_full_pii(user, customer) -> bool:
    return user.has_perm("dealership.view_customer_pii") and is_customer_in_scope(user, customer)


def can_edit_customer(user, customer) -> bool:
    # An anonymised customer is a placeholder kept for the records: nobody fills it again.
    return (user.has_perm("dealership.change_customer") and is_customer_in_scope(user, customer)
            and customer.anonymised_at is None)


def can_export_customer_data(user, customer) -> bool:
    """PIPL Art. 45: the store answers a customer's request for a copy of their data."""
    return (user.has_perm("dealership.export_customer_data")
            and is_customer_in_scope(user, customer))


def can_erase_customer(user, customer) -> bool:
    """PIPL Art. 47: erasure by anonymisation, decided by a manager or the administrator."""
    return (has_role(user, Role.MANAGER, Role.ADMIN)
            and user.has_perm("dealership.erase_customer")
            and is_customer_in_scope(user, customer) and customer.anonymised_at is None)


def can_create_customer(user) -> bool:
    return user.store_id is not None and user.has_perm("dealership.add_customer")


def can_see_stock_cost(user) -> bool:
    return user.has_perm("dealership.view_stock_cost")


def can_manage_staff(user) -> bool:
    """Roles, stores and teams of staff are the administrator's to change."""
    return has_role(user, Role.ADMIN)


def can_edit_group_catalogue(user) -> bool:
    """Trims and colours are one price list for every store of the group (they have no
    store), so only the administrator changes them."""
    return has_role(user, Role.ADMIN)


def can_edit_store_catalogue(user, store_id: int | None) -> bool:
    """A store's own catalogue (accessories, value-added packages): its manager, or the
    administrator for any store."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.MANAGER) and store_id is not None and user.store_id == store_id
