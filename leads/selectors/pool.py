"""Reads of the store's pool: open leads nobody owns, and who may take them."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from dealership.models import User
from leads.models import Lead
from leads.selectors.board import board_consultants


def pool_for_user(*, user: User) -> QuerySet[Lead]:
    """Open leads of the user's store that nobody owns, the longest waiting first: the
    partial index `lead_pool_idx` holds exactly these rows in this order."""
    return (Lead.objects.filter(store_id=user.store_id, open=True, owner__isnull=True)
            .select_related("customer", "campaign")
            .order_by(F("pooled_at").asc(nulls_last=True), "id"))


def pool_lead_get_for_user(*, user: User, pk: int) -> Lead:
    """A lead of the user's store: whether it is still in the pool is the service's call
    (someone may have claimed it a second ago, which deserves a message, not a 404)."""
    try:
        return Lead.objects.select_related("customer", "owner", "store").get(
            pk=pk, store_id=user.store_id)
    except (Lead.DoesNotExist, ValueError):
        raise Http404 from None


def assignable_consultants(*, user: User) -> QuerySet[User]:
    """Who a lead from the pool may go to: the store's (a supervisor: their teams')."""
    return board_consultants(user=user).order_by("name", "username")
