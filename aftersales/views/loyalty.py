"""Referrals and loyalty points: refer a friend from an owner's page, the customer's points
ledger (redeem, adjust), the store's referrals and its service packages.

Customers are read through the user's after-sales scope: another store's, or a customer a
consultant does not own, is a 404. Writes are plain POST → redirect; input to fix
re-renders the form with 400 (what was typed is kept); a refusal of the step itself (the
owner has no delivered car) is a 409."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aftersales.forms.loyalty import (
    AdjustForm,
    PackageForm,
    RedeemForm,
    ReferralFilterForm,
    ReferralForm,
)
from aftersales.permissions import (
    LOYALTY_ROLES,
    PACKAGE_ROLES,
    POINTS_ADJUST_ROLES,
    REFERRAL_ROLES,
    can_adjust_points,
)
from aftersales.selectors.loyalty import (
    loyalty_balance,
    loyalty_customer_get_for_user,
    package_get_for_user,
    packages_for_user,
    packages_offered,
    points_entries_for,
    referrals_for_user,
)
from aftersales.services import loyalty as services
from dealership.forms import apply_service_errors, refusal_status
from dealership.models import Customer
from dealership.permissions import role_required

PAGE_SIZE = 25
REFERRAL_FORM = "aftersales/loyalty_referral_create.html"
LEDGER = "aftersales/loyalty_ledger.html"
REFERRALS = "aftersales/loyalty_referral_list.html"
PACKAGES = "aftersales/loyalty_package_list.html"
PACKAGE_FORM = "aftersales/loyalty_package_edit.html"


# --- Refer a friend -----------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*REFERRAL_ROLES)
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    referrer = loyalty_customer_get_for_user(user=request.user, pk=pk)
    owner = services.owns_delivered_car(referrer)
    form = ReferralForm(request.POST or None)
    status = 200
    if request.method == "POST" and owner:
        status = 400
        if form.is_valid():
            try:
                referral = services.referral_create(actor=request.user, referrer=referrer,
                                                    **form.cleaned_data)
            except ValidationError as error:
                status = refusal_status(error)
                apply_service_errors(form, error)
            else:
                messages.success(request, _("%(friend)s is referred by %(name)s; the lead is "
                                            "with %(owner)s.") % {
                    "friend": form.cleaned_data["name"], "name": referrer.name,
                    "owner": _owner_name(referral.lead.owner)})
                return redirect(referrer.get_absolute_url())
    elif request.method == "POST":
        status = 409
    return render(request, REFERRAL_FORM, {"referrer": referrer, "form": form,
                                           "owner": owner}, status=status)


def _owner_name(user) -> str:
    if user is None:
        return _("the lead pool")
    return user.get_full_name() or user.username


# --- The points ledger --------------------------------------------------------------------
def _ledger_context(request: HttpRequest, customer: Customer, *, redeem: RedeemForm | None = None,
                    adjust: AdjustForm | None = None) -> dict:
    """Balance, one page of entries newest first, the redeem (and manager's adjust) form:
    six queries whatever the number of entries."""
    packages = packages_offered(store_id=customer.store_id)
    page = Paginator(points_entries_for(customer=customer), PAGE_SIZE).get_page(
        request.GET.get("page"))
    may_adjust = can_adjust_points(request.user, customer)
    return {
        "customer": customer, "balance": loyalty_balance(customer=customer),
        "page": page, "entries": page.object_list,
        "redeem_form": redeem or RedeemForm(packages=packages),
        "adjust_form": (adjust or AdjustForm()) if may_adjust else None,
    }


@require_safe
@role_required(*LOYALTY_ROLES)
def loyalty_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    customer = loyalty_customer_get_for_user(user=request.user, pk=pk)
    return render(request, LEDGER, _ledger_context(request, customer))


@require_POST
@role_required(*LOYALTY_ROLES)
def loyalty_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    customer = loyalty_customer_get_for_user(user=request.user, pk=pk)
    form = RedeemForm(request.POST, packages=packages_offered(store_id=customer.store_id))
    status = 400
    if form.is_valid():
        try:
            entry = services.points_redeem(actor=request.user, customer=customer,
                                           package=form.cleaned_data["package"])
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(package)s redeemed for %(points)s points; %(balance)s "
                                        "points left.") % {
                "package": entry.package.name, "points": -entry.points,
                "balance": entry.balance_after})
            return redirect("aftersales:loyalty_ledger", pk=customer.pk)
    return render(request, LEDGER, _ledger_context(request, customer, redeem=form),
                  status=status)


@require_POST
@role_required(*POINTS_ADJUST_ROLES)
def loyalty_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    customer = loyalty_customer_get_for_user(user=request.user, pk=pk)
    form = AdjustForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            entry = services.points_adjust(actor=request.user, customer=customer,
                                           **form.cleaned_data)
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Balance adjusted by %(points)+d points; now %(balance)s.")
                             % {"points": entry.points, "balance": entry.balance_after})
            return redirect("aftersales:loyalty_ledger", pk=customer.pk)
    return render(request, LEDGER, _ledger_context(request, customer, adjust=form),
                  status=status)


# --- The store's referrals ----------------------------------------------------------------
@require_safe
@role_required(*REFERRAL_ROLES)
def referral_list(request: HttpRequest) -> HttpResponse:
    """Newest first, filtered by points state and name: two queries (count, page)."""
    filters = ReferralFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    rows = referrals_for_user(user=request.user, state=values.get("state") or "",
                              query=(values.get("q") or "").strip())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, REFERRALS, {"page": page, "rows": page.object_list,
                                       "filters": filters, "filtered": bool(values and any(
                                           values.values()))})


# --- Service packages ---------------------------------------------------------------------
@require_safe
@role_required(*PACKAGE_ROLES)
def package_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(packages_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, PACKAGES, {"page": page, "rows": page.object_list})


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*PACKAGE_ROLES)
def package_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new package (no `pk`) or a change to one, retiring it included."""
    package = package_get_for_user(user=request.user, pk=pk) if pk is not None else None
    initial = ({"name": package.name, "description": package.description,
                "points": package.points, "active": package.active}
               if package is not None else None)
    form = PackageForm(request.POST or None, initial=initial)
    if package is None:
        del form.fields["active"]  # a new package is offered; retiring is an edit
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if package is None:
                    saved = services.package_create(actor=request.user,
                                                    store=request.user.store,
                                                    **form.cleaned_data)
                else:
                    saved = services.package_update(actor=request.user, package=package,
                                                    **form.cleaned_data)
            except ValidationError as error:
                status = refusal_status(error)
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Package “%(name)s” saved.") % {"name": saved.name})
                return redirect(reverse("aftersales:package_list"))
    return render(request, PACKAGE_FORM, {"package": package, "form": form}, status=status)
