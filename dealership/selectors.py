"""Reads shaped for screens, always scoped to the user's store and role."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from dealership.enums import Role, StockStatus
from dealership.filters import ColourCatalogueFilter, TrimCatalogueFilter
from dealership.models import (
    AuditEntry,
    Colour,
    Customer,
    PriceChange,
    StockVehicle,
    Store,
    Trim,
    User,
)
from dealership.permissions import CUSTOMER_STORE_ROLES, has_role


def customer_scope_for_user(user: User) -> QuerySet[Customer]:
    """Every customer this user may open: own (consultant), team (supervisor), store."""
    customers = Customer.objects.all()
    if has_role(user, Role.ADMIN):
        return customers
    if user.store_id is None:
        return customers.none()
    customers = customers.filter(store_id=user.store_id)
    if user.role == Role.CONSULTANT:
        return customers.filter(owner=user)
    if user.role == Role.SUPERVISOR:
        return customers.filter(Q(owner=user) | Q(owner__team__supervisor=user))
    if user.role in CUSTOMER_STORE_ROLES:
        return customers
    return customers.none()


def customer_list_for_user(*, user: User, params) -> tuple:
    """The customer list screen: (filterset, queryset) with what the rows show joined in."""
    from dealership.filters import CustomerFilter

    base = customer_scope_for_user(user).select_related("owner")
    filterset = CustomerFilter(params, queryset=base, user=user)
    return filterset, filterset.qs


def customer_get_for_user(*, user: User, pk: int) -> Customer:
    try:
        return customer_scope_for_user(user).select_related(
            "store", "owner", "owner__team"
        ).get(pk=pk)
    except (Customer.DoesNotExist, ValueError):
        raise Http404 from None


def audit_entries_for(*, instance, limit: int = 50) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.of(instance)
        .select_related("actor", "content_type")
        .order_by("-created_at", "-id")[:limit]
    )


def staff_for_store(*, store: Store) -> QuerySet[User]:
    return User.objects.filter(store=store, is_active=True).select_related("team")


def consultants_with_book(*, store: Store) -> QuerySet[User]:
    """Active consultants of a store with how many customers each owns."""
    return (
        User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
        .select_related("team")
        .annotate(customer_count=Count("owned_customers", distinct=True))
        .order_by("team__name", "username")
    )


def stock_summary(*, store: Store) -> dict[str, int]:
    """Vehicles per status, every status present (zero when none)."""
    counts = dict(
        StockVehicle.objects.filter(store=store).values_list("status")
        .annotate(n=Count("id")).values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in StockStatus.values}


class _BoundedCount(Subquery):
    """How many rows the subquery gives, reading `bound` + 1 of them at most."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS bounded)"
    output_field = IntegerField()


def count_per_store_bounded(rows: QuerySet, bound: int) -> _BoundedCount:
    """An annotation for Store querysets: each store's `rows` counted to `bound` + 1 at
    most (an index range that stops there), for a figure that need not be exact past it:
    the cost is the bound, not the store's history."""
    return _BoundedCount(rows.filter(store=OuterRef("pk")).order_by().values("pk")[:bound + 1])


def count_per_store(rows: QuerySet) -> Coalesce:
    """An annotation for Store querysets: how many of `rows` belong to each store.

    A correlated subquery per figure, so several figures never multiply each other's joins.
    """
    counted = (
        rows.filter(store=OuterRef("pk")).order_by().values("store")
        .annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --- Catalogue (trims and colours are the group's: every catalogue role reads them all) ---
def trim_catalogue_filter(*, data) -> TrimCatalogueFilter:
    """The trims list, filtered; `.qs` in the list's order."""
    trims = Trim.objects.select_related("series__brand").order_by(
        "series__brand__name", "series__name", "-model_year", "name", "pk")
    return TrimCatalogueFilter(data, queryset=trims)


def colour_catalogue_filter(*, data) -> ColourCatalogueFilter:
    colours = Colour.objects.select_related("series__brand").order_by(
        "series__brand__name", "series__name", "name", "pk")
    return ColourCatalogueFilter(data, queryset=colours)


def trim_get_for_catalogue(*, pk: int) -> Trim:
    return get_object_or_404(Trim.objects.select_related("series__brand"), pk=pk)


def colour_get_for_catalogue(*, pk: int) -> Colour:
    return get_object_or_404(Colour.objects.select_related("series__brand"), pk=pk)


def price_history_for(*, item_kind: str, item_id: int, store_id: int | None,
                      limit: int = 20) -> QuerySet[PriceChange]:
    """An item's price changes, newest first. `store_id` is the item's store (none for
    the group's catalogue), as price_change_record files them: it leads the index."""
    in_store = Q(store__isnull=True) if store_id is None else Q(store_id=store_id)
    return (PriceChange.objects.filter(in_store, item_kind=item_kind, item_id=item_id)
            .select_related("changed_by").order_by("-changed_at", "-id")[:limit])
