"""Reads of the discount policy page: the stores whose policy a user may open, and the
policy of the chosen one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from contracts.models import DiscountPolicy
from dealership.enums import Role
from dealership.models import Store, User
from dealership.permissions import has_role


def policy_stores_for_user(user: User) -> QuerySet[Store]:
    """The stores whose policy this user may open: the administrator every active store,
    everyone else their own."""
    if has_role(user, Role.ADMIN):
        return Store.objects.filter(is_active=True).order_by("code")
    if user.store_id is None:
        return Store.objects.none()
    return Store.objects.filter(pk=user.store_id)


def policy_get_for_user(*, user: User, store_code: str | None) -> DiscountPolicy | None:
    """The policy of the chosen store (the administrator's ?store=) or of the user's own;
    None when the administrator has not chosen yet; Http404 for a store out of reach."""
    if has_role(user, Role.ADMIN) and not store_code:
        return None
    if store_code and "\x00" in store_code:
        raise Http404  # no code has one, and PostgreSQL refuses it in a query
    stores = policy_stores_for_user(user)
    store = (stores.filter(code=store_code).first() if has_role(user, Role.ADMIN)
             else stores.first())
    if store is None:
        raise Http404
    policy = DiscountPolicy.for_store(store)
    policy.store = store
    return policy
