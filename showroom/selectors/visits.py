"""Reads of visits: the desk's list of the day, a visit and its objections, the models
that can be presented."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dealership.enums import Role
from dealership.models import Customer, Series, Store, Trim, User
from dealership.search import customer_search_q
from showroom.models import Objection, Visit
from showroom.permissions import is_visit_in_scope


def visits_of_day(*, store: Store, day: dt.date) -> QuerySet[Visit]:
    """The desk's list: the store's visits that arrived on `day` (store time), newest first."""
    start, end = store.day_bounds(day)
    return (Visit.objects.filter(store=store, arrived_at__gte=start, arrived_at__lt=end)
            .select_related("customer", "consultant", "waiting_for")
            .order_by("-arrived_at", "-id"))


def visit_scope_for_user(user: User) -> QuerySet[Visit]:
    visits = Visit.objects.filter(store_id=user.store_id) if user.store_id else Visit.objects.none()
    if user.role == Role.CONSULTANT:
        return visits.filter(consultant=user)
    if user.role == Role.SUPERVISOR:
        return visits.filter(Q(consultant=user) | Q(consultant__team__supervisor=user))
    if user.role == Role.RECEPTIONIST:
        start, end = user.store.day_bounds(user.store.today())
        return visits.filter(arrived_at__gte=start, arrived_at__lt=end)
    if user.role == Role.MANAGER:
        return visits
    return visits.none()


def visit_get_for_user(*, user: User, pk: int) -> Visit:
    """Http404 outside the user's scope (another consultant's visit, another store)."""
    try:
        visit = (visit_scope_for_user(user)
                 .select_related("customer", "consultant__team", "lead", "store",
                                 "registered_by", "waiting_for")
                 .prefetch_related("models_presented__brand").get(pk=pk))
    except (Visit.DoesNotExist, ValueError):
        raise Http404 from None
    if not is_visit_in_scope(user, visit):  # the same rule, for one loaded row
        raise Http404
    return visit


def visits_open_for_consultant(user: User) -> QuerySet[Visit]:
    """The consultant's customers in the showroom right now ("my day")."""
    return (Visit.objects.filter(store_id=user.store_id, consultant=user,
                                 departed_at__isnull=True)
            .select_related("customer").order_by("arrived_at", "id"))


def presentable_series() -> QuerySet[Series]:
    """Models that can be presented: a series with at least one trim on sale."""
    on_sale = Trim.objects.filter(series=OuterRef("pk"), is_active=True)
    return Series.objects.filter(Exists(on_sale)).select_related("brand").order_by(
        "brand__name", "name")


def objections_for(*, visit: Visit) -> list[Objection]:
    return list(visit.objections.select_related("series__brand").order_by("created_at", "id"))


DESK_SEARCH_LIMIT = 10


def customers_for_desk_search(*, store: Store, query: str) -> list[Customer]:
    """A returning walk-in found by name, by the whole phone number or its last four digits:
    the store's customers, with their consultant, at most DESK_SEARCH_LIMIT. One query, on
    an index (dealership.search.customer_search_q)."""
    query = query.strip()
    if len(query) < 2 or (condition := customer_search_q(query)) is None:
        return []
    found = Customer.objects.for_store(store).filter(condition, anonymised_at__isnull=True)
    return list(found.select_related("owner").order_by("name", "id")[:DESK_SEARCH_LIMIT])


def customer_get_for_desk(*, store: Store, pk: str | int | None) -> Customer | None:
    """The customer the receptionist picked from the search; None if not of this store."""
    if not pk:
        return None
    try:
        return Customer.objects.for_store(store).select_related("owner").get(pk=pk)
    except (Customer.DoesNotExist, ValueError):
        return None
