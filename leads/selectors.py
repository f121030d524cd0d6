"""Reads of the leads stage, scoped to the user's store and role."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dealership.enums import Role
from dealership.models import User
from dealership.permissions import has_role
from leads.models import Lead, LeadPolicy
from leads.permissions import LEAD_STORE_ROLES


def lead_scope_for_user(user: User) -> QuerySet[Lead]:
    leads = Lead.objects.all()
    if has_role(user, Role.ADMIN):
        return leads
    if user.store_id is None:
        return leads.none()
    leads = leads.filter(store_id=user.store_id)
    if user.role == Role.CONSULTANT:
        return leads.filter(owner=user)
    if user.role == Role.SUPERVISOR:
        return leads.filter(Q(owner=user) | Q(owner__team__supervisor=user)
                            | Q(owner__isnull=True))
    if user.role in LEAD_STORE_ROLES:
        return leads
    return leads.none()


def lead_get_for_user(*, user: User, pk: int) -> Lead:
    try:
        return lead_scope_for_user(user).select_related(
            "customer", "owner", "owner__team", "campaign", "store").get(pk=pk)
    except (Lead.DoesNotExist, ValueError):
        raise Http404 from None


def policy_for(store) -> LeadPolicy:
    policy, _created = LeadPolicy.objects.get_or_create(store=store)
    return policy
