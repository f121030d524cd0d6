"""Reads of the store catalogue screens: accessories and value-added packages, scoped to
the manager's store (the administrator's: every store). Outside the scope: 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from contracts.filters import AccessoryCatalogueFilter, PackageCatalogueFilter
from contracts.models import Accessory, ValuePackage
from dealership.enums import Role
from dealership.models import User
from dealership.permissions import has_role


def _scoped(queryset: QuerySet, user: User) -> QuerySet:
    if has_role(user, Role.ADMIN):
        return queryset
    if user.store_id is None:
        return queryset.none()
    return queryset.filter(store_id=user.store_id)


def accessory_catalogue_filter(*, user: User, data) -> AccessoryCatalogueFilter:
    """The accessories list, filtered; `.qs` in the list's order."""
    items = _scoped(Accessory.objects.select_related("store"), user).order_by(
        "store__code", "name", "pk")
    return AccessoryCatalogueFilter(data, queryset=items, user=user)


def accessory_get_for_user(*, user: User, pk: int) -> Accessory:
    return get_object_or_404(_scoped(Accessory.objects.select_related("store"), user), pk=pk)


def package_catalogue_filter(*, user: User, data) -> PackageCatalogueFilter:
    items = _scoped(ValuePackage.objects.select_related("store"), user).order_by(
        "store__code", "kind", "name", "pk")
    return PackageCatalogueFilter(data, queryset=items, user=user)


def package_get_for_user(*, user: User, pk: int) -> ValuePackage:
    return get_object_or_404(_scoped(ValuePackage.objects.select_related("store"), user),
                             pk=pk)
