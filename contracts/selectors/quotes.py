"""Reads for the quote screens: the list, one quote with its versions and approvals, and
the catalogue the builder offers. Scoped like the customers they belong to."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from contracts.models import (
    Accessory,
    ApprovalRequest,
    Contract,
    Quote,
    QuoteVersion,
    ValuePackage,
)
from contracts.permissions import customer_scope_q
from contracts.selectors.contracts import in_own_store
from dealership.enums import StockStatus
from dealership.models import Colour, Customer, StockVehicle, Store, Trim, User
from leads.models import Lead

# Stock a quote may name: not yet promised to anyone.
QUOTABLE_STOCK_STATUSES = (StockStatus.IN_STOCK, StockStatus.IN_TRANSIT)


# --- Quotes -------------------------------------------------------------------------------
def quote_scope_for_user(user: User) -> QuerySet[Quote]:
    """The quotes of the customers this user may open: own (consultant), team
    (supervisor), store (manager, finance)."""
    return Quote.objects.filter(customer_scope_q(user))


def quote_list_for_user(*, user: User, params) -> tuple:
    """The quote list: (filterset, queryset), most recently changed first, with what a row
    shows joined in."""
    from contracts.filters import QuoteFilter

    base = in_own_store(quote_scope_for_user(user), user).select_related(
        "customer", "consultant", "current_version__trim__series__brand",
        "current_version__colour",
    ).order_by("-updated_at", "-id")
    filterset = QuoteFilter(params, queryset=base, user=user)
    return filterset, filterset.qs


def quote_get_for_user(*, user: User, pk: int) -> Quote:
    try:
        return quote_scope_for_user(user).select_related(
            "store", "customer__owner__team", "consultant__team", "lead",
            "current_version__trim__series__brand", "current_version__colour",
            "current_version__vehicle", "current_version__created_by",
        ).get(pk=pk)
    except (Quote.DoesNotExist, ValueError):
        raise Http404 from None


def quote_versions(*, quote: Quote) -> QuerySet[QuoteVersion]:
    """Every version of a quote, newest first."""
    return quote.versions.select_related("created_by").order_by("-number")


def quote_version_get(*, quote: Quote, number: int) -> QuoteVersion:
    try:
        return quote.versions.select_related(
            "created_by", "trim__series__brand", "colour", "vehicle",
        ).get(number=number)
    except QuoteVersion.DoesNotExist:
        raise Http404 from None


def quote_approvals(*, quote: Quote) -> QuerySet[ApprovalRequest]:
    """The discount approvals of a quote, waiting and decided, newest first."""
    return (quote.approvals.select_related("requested_by", "decided_by", "version")
            .order_by("-requested_at", "-id"))


def quote_contracts(*, quote: Quote) -> QuerySet[Contract]:
    """The contracts drafted from a quote (a cancelled one stays listed), newest first."""
    return quote.contracts.order_by("-created_at", "-id")


def lead_of_customer(*, customer: Customer, pk) -> Lead:
    """A lead named in a builder URL: it must be one of this customer's."""
    try:
        return Lead.objects.get(pk=pk, customer=customer, store_id=customer.store_id)
    except (Lead.DoesNotExist, ValueError):
        raise Http404 from None


# --- What the builder offers --------------------------------------------------------------
def trims_on_sale() -> QuerySet[Trim]:
    return (Trim.objects.filter(is_active=True).select_related("series__brand")
            .order_by("series__brand__name", "series__name", "-model_year", "msrp", "pk"))


def colours_for(trim: Trim | None) -> QuerySet[Colour]:
    """The colours of the trim's series; every colour (named with its series) when the trim
    is not chosen yet, so the form also works without JavaScript."""
    colours = Colour.objects.filter(is_active=True).select_related("series__brand").order_by(
        "series__brand__name", "series__name", "name")
    return colours.filter(series_id=trim.series_id) if trim is not None else colours


def stock_for(store: Store, trim: Trim | None) -> QuerySet[StockVehicle]:
    """The store's unsold vehicles of the trim; none while no trim is chosen (a store's
    stock is hundreds of cars: listing them all made the builder's first page its slowest,
    and a list that long serves nobody on a phone)."""
    if trim is None:
        return StockVehicle.objects.none()
    return StockVehicle.objects.filter(
        store=store, trim=trim, status__in=QUOTABLE_STOCK_STATUSES,
    ).select_related("trim__series__brand", "colour").order_by("arrival_date", "vin")


def accessories_for(store: Store) -> list[Accessory]:
    return list(Accessory.objects.filter(store=store, is_active=True).order_by("name", "pk"))


def packages_for(store: Store) -> QuerySet[ValuePackage]:
    return ValuePackage.objects.filter(store=store, is_active=True).order_by("kind", "name")
