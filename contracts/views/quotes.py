"""Quote screens: the list, the builder (new and revise) with its totals recalculated as
the consultant types, one quote with its approvals and version history, one version and
its PDF, and withdrawing. Every form works as a plain POST → redirect and with htmx."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from contracts.enums import REVISABLE_QUOTE_STATUSES, ApprovalTier, PaymentPlan, QuoteStatus
from contracts.forms.quotes import QuoteForm, WithdrawForm, initial_from_version
from contracts.models import DiscountPolicy, Quote, QuoteVersion
from contracts.permissions import (
    QUOTE_VIEW_ROLES,
    QUOTE_WRITE_ROLES,
    can_see_cost,
    can_write_quote,
)
from contracts.selectors.quotes import (
    lead_of_customer,
    quote_approvals,
    quote_contracts,
    quote_get_for_user,
    quote_list_for_user,
    quote_version_get,
    quote_versions,
)
from contracts.services import pricing
from contracts.services import quotes as services
from dealership.exports import CHUNK_SIZE, csv_response, csv_stamp
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.pagination import paginate
from dealership.permissions import role_required
from dealership.selectors import customer_get_for_user

LIST = "contracts/quote_list.html"
BUILDER = "contracts/quote_form.html"
DETAIL = "contracts/quote_detail.html"
VERSION = "contracts/quote_version.html"


# --- List ---------------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*QUOTE_VIEW_ROLES)
def quote_list(request: HttpRequest) -> HttpResponse:
    filterset, quotes = quote_list_for_user(user=request.user, params=request.GET)
    page = paginate(quotes, request.GET)
    return render(request, partial_template(request, LIST, "quote-rows"),
                  {"filter": filterset, "page": page, "statuses": QuoteStatus})



@require_safe
@role_required(*QUOTE_VIEW_ROLES)
def quote_export(request: HttpRequest) -> HttpResponse:
    """The filtered quote list as CSV, streamed: the columns of the list."""
    filterset, quotes = quote_list_for_user(user=request.user, params=request.GET)
    if filterset.errors:
        response = quote_list(request)
        response.status_code = 400
        return response
    # The administrator has no store: the site's zone, as the customer export.
    tz = request.user.store.tzinfo if request.user.store_id else timezone.get_current_timezone()
    header = [_("Quote"), _("Version"), _("Customer"), _("Car"), _("Colour"),
              _("Out-the-door price (CNY)"), _("Status"), _("Approval needed"),
              _("Consultant"), _("Updated")]

    def row(quote: Quote) -> list:
        version = quote.current_version
        pending = quote.status == QuoteStatus.PENDING
        return [quote.number, version.number if version else "", quote.customer.name,
                str(version.trim) if version else "",
                str(version.colour) if version and version.colour_id else "",
                version.out_the_door if version else "", quote.get_status_display(),
                version.get_tier_required_display() if version and pending else "",
                str(quote.consultant or ""), csv_stamp(quote.updated_at, tz)]

    rows = (row(quote) for quote in quotes.iterator(chunk_size=CHUNK_SIZE))
    return csv_response(header=header, rows=rows,
                        filename=f"quotes-{timezone.localdate(timezone=tz):%Y%m%d}")

# --- The builder --------------------------------------------------------------------------
# The builder's button for browsers without JavaScript (in <noscript>): the page again with
# the chosen trim's colours and cars and the totals, nothing saved. With htmx the builder
# refreshes itself as it is typed (quote_calculate).
REFRESH = "refresh"


def _preview(user, form: QuoteForm, version: QuoteVersion | None = None) -> dict:
    """The totals panel: the figures of the input as far as it is valid, the approval it
    needs, and hints for what is missing or wrong. An untouched revision shows the
    figures of the version it starts from."""
    policy = DiscountPolicy.for_store(user.store)
    if version is not None and not form.is_bound:
        return {"totals": version, "tier": version.tier_required,
                "below_floor": version.below_floor,
                "needs_approval": not pricing.within_authority(user, version.tier_required),
                "floor_amount": pricing.floor_amount(policy, version.list_price),
                "loan_shown": version.payment_plan == PaymentPlan.LOAN,
                "loan_term": version.loan_term_months, "hints": []}
    data = form.quote_input()
    if data is None:
        return {"totals": None, "hints": [_("Choose a trim to see the price.")]}
    priced = services.quote_price(actor=user, data=data, policy=policy)
    hints = [f"{form[name].label}: {message}" if name in form.fields else message
             for name, messages_ in form.errors.items() for message in messages_]
    shown = {message for messages_ in form.errors.values() for message in messages_}
    for messages_ in services.quote_errors(actor=user, data=data, priced=priced).values():
        hints.extend(message for message in messages_ if message not in shown)
        shown.update(messages_)
    return {"totals": priced.totals, "tier": priced.tier, "below_floor": priced.below_floor,
            "needs_approval": priced.needs_approval, "floor_amount": priced.floor_amount,
            "loan_shown": (data.payment_plan == PaymentPlan.LOAN
                           and data.loan_term_months is not None
                           and data.loan_annual_rate is not None),
            "loan_term": data.loan_term_months, "hints": hints if form.is_bound else []}


def _builder(request: HttpRequest, form: QuoteForm, *, customer, action: str,
             quote: Quote | None = None) -> HttpResponse:
    version = quote.current_version if quote is not None else None
    context = {"form": form, "customer": customer, "quote": quote, "action": action,
               **_preview(request.user, form, version)}
    refreshed = form.is_bound and REFRESH in request.POST
    return render(request, partial_template(request, BUILDER, "quote-builder"), context,
                  status=400 if form.is_bound and not refreshed else 200)


def _fitted_form(request: HttpRequest, **kwargs) -> QuoteForm:
    """The posted builder; when its trim changed since the page was drawn, a colour or car
    of the former trim is dropped rather than refused."""
    form = QuoteForm(request.POST, user=request.user, **kwargs)
    trim_changed = request.POST.get("shown_trim", "") != request.POST.get("trim", "")
    if not form.is_valid() and trim_changed:
        data = request.POST.copy()
        for name in ("colour", "vehicle"):
            if name in form.errors:
                data[name] = ""
        form = QuoteForm(data, user=request.user, **kwargs)
        form.is_valid()
    return form


def _builder_form(request: HttpRequest, **kwargs) -> QuoteForm:
    """The builder's form: empty on GET, fitted to a changed trim on a refresh."""
    if request.method != "POST":
        return QuoteForm(None, user=request.user, **kwargs)
    if REFRESH in request.POST:
        return _fitted_form(request, **kwargs)
    return QuoteForm(request.POST, user=request.user, **kwargs)


def _to_save(request: HttpRequest, form: QuoteForm) -> bool:
    return form.is_bound and REFRESH not in request.POST and form.is_valid()


def _saved_message(quote: Quote, version: QuoteVersion) -> str:
    names = {"number": quote.number, "version": version.number}
    if quote.status == QuoteStatus.APPROVED:
        return _("Quote %(number)s v%(version)s saved: within your authority, approved.") % names
    if version.tier_required == ApprovalTier.SUPERVISOR:
        return _("Quote %(number)s v%(version)s saved and sent to the supervisor for "
                 "approval.") % names
    return _("Quote %(number)s v%(version)s saved and sent to the manager for approval.") % names


def _saved(request: HttpRequest, quote: Quote, version: QuoteVersion) -> HttpResponse:
    messages.success(request, _saved_message(quote, version))
    if request.htmx:
        return HttpResponseClientRedirect(quote.get_absolute_url())
    return redirect(quote)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@role_required(*QUOTE_WRITE_ROLES)
def quote_create(request: HttpRequest) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=request.GET.get("customer"))
    lead_id = request.GET.get("lead")
    lead = lead_of_customer(customer=customer, pk=lead_id) if lead_id else None
    if not can_write_quote(request.user, customer=customer):
        raise PermissionDenied
    form = _builder_form(request)
    if _to_save(request, form):
        try:
            quote = services.quote_create(actor=request.user, customer=customer,
                                          data=form.quote_input(), lead=lead)
        except ValidationError as error:
            form.show_service_errors(error)
        else:
            return _saved(request, quote, quote.current_version)
    query = urlencode({"customer": customer.pk, **({"lead": lead.pk} if lead else {})})
    return _builder(request, form, customer=customer,
                    action=f"{reverse('contracts:quote_create')}?{query}")


@require_POST
@role_required(*QUOTE_WRITE_ROLES)
def quote_calculate(request: HttpRequest) -> HttpResponse:
    """While the builder is typed: the totals panel. When the trim changed, the colour and
    stock choices of the new trim come along (out of band), a choice that does not fit the
    new trim dropped."""
    form = _fitted_form(request)
    trim_changed = request.POST.get("shown_trim", "") != request.POST.get("trim", "")
    context = {"form": form, **_preview(request.user, form)}
    # Only the builder's htmx posts here, for its totals panel: the panels are all that
    # the context holds, whoever asks.
    response = render(request, f"{BUILDER}#quote-totals", context)
    response.content += render_to_string(f"{BUILDER}#quote-summary",
                                         {**context, "oob": True}, request).encode()
    if trim_changed:
        response.content += render_to_string(f"{BUILDER}#car-options",
                                             {**context, "oob": True}, request).encode()
    return response


# --- One quote ----------------------------------------------------------------------------
def _detail_context(user, quote: Quote, withdraw_form: WithdrawForm | None = None) -> dict:
    version = quote.current_version
    can_write = can_write_quote(user, quote=quote)
    cost = (services.typical_cost(store_id=quote.store_id, trim=version.trim,
                                  vehicle=version.vehicle) if can_see_cost(user) else None)
    # An offer past its validity is renegotiated (a new version) before it becomes a contract.
    expired = (quote.status in REVISABLE_QUOTE_STATUSES and quote.valid_until is not None
               and quote.valid_until < quote.store.today())
    return {
        "quote": quote, "version": version, "versions": list(quote_versions(quote=quote)),
        "approvals": list(quote_approvals(quote=quote)),
        "contracts": list(quote_contracts(quote=quote)), "can_write": can_write,
        "can_revise": can_write and quote.status in REVISABLE_QUOTE_STATUSES,
        "can_draft_contract": (can_write and quote.status == QuoteStatus.APPROVED
                               and not expired),
        "expired": expired,
        "show_cost": can_see_cost(user), "cost": cost,
        "margin": version.vehicle_price - cost if cost is not None else None,
        "withdraw_form": withdraw_form or WithdrawForm(), "statuses": QuoteStatus,
    }


@require_safe
@role_required(*QUOTE_VIEW_ROLES)
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_get_for_user(user=request.user, pk=pk)
    return render(request, DETAIL, _detail_context(request.user, quote))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@role_required(*QUOTE_WRITE_ROLES)
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_get_for_user(user=request.user, pk=pk)
    if not can_write_quote(request.user, quote=quote):
        raise PermissionDenied
    if quote.status not in REVISABLE_QUOTE_STATUSES:
        messages.error(request, _("This quote is %(status)s and can no longer change.")
                       % {"status": quote.get_status_display()})
        return redirect(quote)
    form = _builder_form(request, initial=initial_from_version(quote.current_version))
    if _to_save(request, form):
        try:
            version = services.quote_revise(actor=request.user, quote=quote,
                                            data=form.quote_input())
        except ValidationError as error:
            form.show_service_errors(error)
        else:
            return _saved(request, quote, version)
    return _builder(request, form, customer=quote.customer, quote=quote,
                    action=reverse("contracts:quote_revise", kwargs={"pk": quote.pk}))


@require_POST
@role_required(*QUOTE_WRITE_ROLES)
def quote_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    quote = quote_get_for_user(user=request.user, pk=pk)
    if not can_write_quote(request.user, quote=quote):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.quote_withdraw(actor=request.user, quote=quote,
                                    reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Quote %(number)s withdrawn.") % {"number": quote.number})
            if request.htmx:
                return HttpResponseClientRedirect(quote.get_absolute_url())
            return redirect(quote)
    return render(request, partial_template(request, DETAIL, "quote-actions"),
                  _detail_context(request.user, quote, withdraw_form=form), status=400)


# --- Versions -----------------------------------------------------------------------------
@require_safe
@role_required(*QUOTE_VIEW_ROLES)
def quote_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    quote = quote_get_for_user(user=request.user, pk=pk)
    version = quote_version_get(quote=quote, number=number)
    return render(request, VERSION, {"quote": quote, "version": version,
                                     "is_current": version.pk == quote.current_version_id})


@require_safe
@role_required(*QUOTE_VIEW_ROLES)
def quote_version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    # Imported here: WeasyPrint is heavy and only this view of the quote screens needs it.
    from contracts.documents import quote_pdf

    quote = quote_get_for_user(user=request.user, pk=pk)
    version = quote_version_get(quote=quote, number=number)
    response = HttpResponse(quote_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{quote.number}-v{version.number}.pdf")
    return response
