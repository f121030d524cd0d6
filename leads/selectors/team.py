"""Reads of the team page: the consultants, their books and their on-duty switch.

A book's size is a correlated subquery per consultant on the store's rows (open leads:
the partial index `lead_open_owner_idx`; customers: `customer_owner_idx`), so the page
reads open leads only, never the store's closed history.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.http import Http404

from dealership.enums import Role
from dealership.models import Customer, User
from leads.models import Lead
from leads.selectors.board import count_per_consultant


def _books(store_id: int) -> dict:
    """Open leads and customers per consultant, on the store's rows."""
    return {
        **count_per_consultant(Lead.objects.filter(store_id=store_id, open=True),
                               open_leads=Q()),
        **count_per_consultant(Customer.objects.filter(store_id=store_id), customers=Q()),
    }


def team_consultants(*, user: User) -> list[User]:
    """Consultants of the store (a supervisor: their teams') with open leads, customers and
    on-duty state; one who has left stays listed while a book is still theirs."""
    consultants = User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT)
    if user.role == Role.SUPERVISOR:
        consultants = consultants.filter(team__supervisor=user)
    rows = (
        consultants.select_related("team")
        .annotate(**_books(user.store_id), duty=F("routing__on_duty"))
        .filter(Q(is_active=True) | Q(open_leads__gt=0) | Q(customers__gt=0))
        .order_by("-is_active", "team__name", "name", "username")
    )
    result = list(rows)
    for row in result:
        row.on_duty = row.is_active and row.duty is not False  # no routing row yet: on duty
    return result


def team_consultant_get(*, user: User, pk: int) -> User:
    """A consultant of the user's store (404 otherwise), with their book's size."""
    try:
        return (User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT)
                .select_related("team")
                .annotate(**_books(user.store_id)).get(pk=pk))
    except (User.DoesNotExist, ValueError):
        raise Http404 from None
