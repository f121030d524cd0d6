"""Reads of the team page: the consultants, their books and their on-duty switch."""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from dealership.enums import Role
from dealership.models import User
from leads.enums import (
    OPEN_STATUSES,
)
from leads.models import Lead


def _count(rows: QuerySet, field: str) -> Coalesce:
    """How many of `rows` point at the outer row through `field` (a correlated subquery,
    so two figures never multiply each other's joins)."""
    counted = (rows.filter(**{field: OuterRef("pk")}).order_by().values(field)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def team_consultants(*, user: User) -> list[User]:
    """Consultants of the store (a supervisor: their teams') with open leads, customers and
    on-duty state; one who has left stays listed while a book is still theirs."""
    from dealership.models import Customer

    consultants = User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT)
    if user.role == Role.SUPERVISOR:
        consultants = consultants.filter(team__supervisor=user)
    rows = (
        consultants.select_related("team")
        .annotate(open_leads=_count(Lead.objects.filter(status__in=OPEN_STATUSES), "owner"),
                  customers=_count(Customer.objects.all(), "owner"),
                  duty=F("routing__on_duty"))
        .filter(Q(is_active=True) | Q(open_leads__gt=0) | Q(customers__gt=0))
        .order_by("-is_active", "team__name", "name", "username")
    )
    result = list(rows)
    for row in result:
        row.on_duty = row.is_active and row.duty is not False  # no routing row yet: on duty
    return result


def team_consultant_get(*, user: User, pk: int) -> User:
    """A consultant of the user's store (404 otherwise), with their book's size."""
    from dealership.models import Customer

    try:
        return (User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT)
                .select_related("team")
                .annotate(open_leads=_count(Lead.objects.filter(status__in=OPEN_STATUSES),
                                            "owner"),
                          customers=_count(Customer.objects.all(), "owner"))
                .get(pk=pk))
    except (User.DoesNotExist, ValueError):
        raise Http404 from None
