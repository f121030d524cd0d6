"""Referrals and loyalty points: what the screens read, scoped to the user's store and, for
consultants and supervisors, to their own (team's) customers."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from aftersales.enums import PointsEntryKind
from aftersales.models import LoyaltyAccount, PointsEntry, Referral, ServicePackage
from aftersales.permissions import customer_scope_q, is_customer_in_scope
from dealership.models import Customer, User

REFERRAL_STATES = ("open", "credited", "reversed")


def loyalty_customer_get_for_user(*, user: User, pk: int) -> Customer:
    """A customer of the user's store they may see in after-sales, else 404."""
    customer = (Customer.objects.select_related("owner")
                .filter(pk=pk, store_id=user.store_id).first()
                if user.store_id is not None else None)
    if customer is None or not is_customer_in_scope(user, customer):
        raise Http404
    return customer


def loyalty_balance(*, customer: Customer) -> int:
    balance = (LoyaltyAccount.objects.filter(customer=customer)
               .values_list("balance", flat=True).first())
    return balance or 0


def points_entries_for(*, customer: Customer) -> QuerySet[PointsEntry]:
    """The customer's ledger, newest first (the index store, account, -created_at)."""
    return (PointsEntry.objects.filter(store_id=customer.store_id, account__customer=customer)
            .select_related("created_by", "package", "referral__lead__customer")
            .order_by("-created_at", "-id"))


def packages_offered(*, store_id: int) -> QuerySet[ServicePackage]:
    return ServicePackage.objects.filter(store_id=store_id, active=True).order_by("points", "id")


def packages_for_user(*, user: User) -> QuerySet[ServicePackage]:
    """Every package of the user's store, offered first."""
    return (ServicePackage.objects.filter(store_id=user.store_id)
            .order_by("-active", "points", "id"))


def package_get_for_user(*, user: User, pk: int) -> ServicePackage:
    package = ServicePackage.objects.filter(pk=pk, store_id=user.store_id).first()
    if package is None or user.store_id is None:
        raise Http404
    return package


def referrals_for_user(*, user: User, state: str = "", query: str = "") -> QuerySet[Referral]:
    """The store's referrals (a seller: of their own / team's customers), newest first,
    each with the referrer, the friend's lead and whether its points were credited or
    reversed (two EXISTS, not a query per row)."""
    entries = PointsEntry.objects.filter(referral=OuterRef("pk"))
    rows = (Referral.objects.filter(customer_scope_q(user, "referrer"),
                                    store_id=user.store_id)
            .select_related("referrer", "lead__customer", "lead__owner", "contract")
            .annotate(
                credited=Exists(entries.filter(kind=PointsEntryKind.REFERRAL_CREDIT)),
                reversed=Exists(entries.filter(kind=PointsEntryKind.REFERRAL_REVERSAL)))
            .order_by("-created_at", "-id"))
    if state == "open":
        rows = rows.filter(credited=False)
    elif state == "credited":
        rows = rows.filter(credited=True, reversed=False)
    elif state == "reversed":
        rows = rows.filter(reversed=True)
    if query:
        rows = rows.filter(Q(referrer__name__icontains=query)
                           | Q(lead__customer__name__icontains=query))
    return rows
