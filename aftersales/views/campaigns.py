"""Segments of the store's owners and care campaigns (marketing, customer care, manager).

Writes are plain POST → redirect. A refusal re-renders the page with the input kept: 400
for input to fix, 409 when the campaign was sent meanwhile (a second click on Send, an
edit of a sent campaign)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from aftersales.enums import CampaignStatus, LoyaltySegment, NeedSegment, ValueSegment
from aftersales.forms.campaigns import CampaignForm, CampaignSendForm, SegmentFilterForm
from aftersales.models import CareCampaign
from aftersales.permissions import CAMPAIGN_ROLES
from aftersales.selectors.campaigns import (
    HIGH_VALUE_FROM,
    MEDIUM_VALUE_FROM,
    PREMIUM_BUDGET_FROM,
    PREMIUM_PRICE_FROM,
    campaign_get_for_user,
    campaign_list_for_user,
    campaign_preview,
    campaign_segment,
    segment_counts,
    segment_customers,
)
from aftersales.services import campaigns as services
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import role_required
from leads.enums import MessageStatus
from leads.models import OutboundMessage

PAGE_SIZE = 25
SEGMENTS = "aftersales/segment_list.html"
LIST = "aftersales/campaign_list.html"
DETAIL = "aftersales/campaign_detail.html"
FORM = "aftersales/campaign_form.html"
SEGMENT_LABELS = {"value": dict(ValueSegment.choices), "need": dict(NeedSegment.choices),
                  "loyalty": dict(LoyaltySegment.choices)}

SEGMENT_TITLES = (("value", gettext_lazy("Value")), ("need", gettext_lazy("Need")),
                  ("loyalty", gettext_lazy("Loyalty")))


def _is_conflict(error: ValidationError) -> bool:
    return not hasattr(error, "error_dict") and any(
        e.code == services.CONFLICT for e in error.error_list)


# --- Segments ---------------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*CAMPAIGN_ROLES)
def segment_list(request: HttpRequest) -> HttpResponse:
    store = request.user.store
    form = SegmentFilterForm(request.GET or None)
    customers = segment_customers(store=store, **form.segment())
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    for customer in page.object_list:
        customer.segment_labels = [SEGMENT_LABELS[kind][getattr(customer, f"{kind}_segment")]
                                   for kind in ("value", "need", "loyalty")]
    context = {"form": form, "page": page, "status": 400 if form.errors else 200}
    if request.htmx.target == "segment-customers":  # only the filter swaps the rows
        return render(request, partial_template(request, SEGMENTS, "segment-customers"),
                      context, status=context["status"])
    counts = segment_counts(store=store)
    context |= {"total": counts["all"]["all"],
                "counts": [(kind, title, [(code, label, counts[kind][code])
                                          for code, label in SEGMENT_LABELS[kind].items()])
                           for kind, title in SEGMENT_TITLES],
                "thresholds": {"high": HIGH_VALUE_FROM, "medium": MEDIUM_VALUE_FROM,
                               "premium_price": PREMIUM_PRICE_FROM,
                               "premium_budget": Decimal(PREMIUM_BUDGET_FROM)}}
    return render(request, SEGMENTS, context, status=context["status"])


# --- Campaigns --------------------------------------------------------------------------------
@require_safe
@role_required(*CAMPAIGN_ROLES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(campaign_list_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, LIST, {"page": page})


def _detail(request: HttpRequest, campaign: CareCampaign, *, status: int = 200,
            send_form: CampaignSendForm | None = None, refusal: str = "") -> HttpResponse:
    segment = campaign_segment(campaign)
    context = {"campaign": campaign, "refusal": refusal,
               "segment": [(title, [SEGMENT_LABELS[kind][code] for code in segment[kind]])
                           for kind, title in SEGMENT_TITLES]}
    if campaign.status == CampaignStatus.DRAFT:
        context["preview"] = campaign_preview(campaign=campaign, now=timezone.now())
        context["send_form"] = send_form or CampaignSendForm()
    else:
        rows = (OutboundMessage.objects
                .filter(store_id=campaign.store_id,
                        dedupe_key__startswith=services.dedupe_key(campaign, ""))
                .order_by().values("status").annotate(n=Count("pk")))
        by_status = {row["status"]: row["n"] for row in rows}
        context["outcomes"] = [(label, by_status.get(code, 0))
                               for code, label in MessageStatus.choices]
    return render(request, DETAIL, context, status=status)


@require_safe
@role_required(*CAMPAIGN_ROLES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, campaign_get_for_user(user=request.user, pk=pk))


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CAMPAIGN_ROLES)
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CAMPAIGN_ROLES)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    if campaign.status != CampaignStatus.DRAFT:
        return _detail(request, campaign, status=409, refusal=_(
            "This campaign has already been sent: it can no longer be changed."))
    return _form_page(request, campaign)


def _form_page(request: HttpRequest, campaign: CareCampaign | None) -> HttpResponse:
    form = CampaignForm(request.POST or None, campaign=campaign)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if campaign is None:
                    saved = services.campaign_create(actor=request.user,
                                                     store=request.user.store,
                                                     **form.service_kwargs())
                else:
                    saved = services.campaign_update(actor=request.user, campaign=campaign,
                                                     **form.service_kwargs())
            except ValidationError as error:
                if _is_conflict(error):
                    status = 409
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Campaign “%(name)s” saved: check the preview "
                                            "before sending.") % {"name": saved.name})
                return redirect("aftersales:campaign_detail", pk=saved.pk)
    return render(request, FORM, {"form": form, "campaign": campaign}, status=status)


@require_POST
@role_required(*CAMPAIGN_ROLES)
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    try:
        services.campaign_delete(actor=request.user, campaign=campaign)
    except ValidationError as error:
        return _detail(request, campaign, status=409 if _is_conflict(error) else 400,
                       refusal=" ".join(error.messages))
    messages.success(request, _("Campaign “%(name)s” deleted.") % {"name": campaign.name})
    return redirect("aftersales:campaign_list")


@require_POST
@role_required(*CAMPAIGN_ROLES)
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    form = CampaignSendForm(request.POST)
    if campaign.status != CampaignStatus.DRAFT:
        return _detail(request, campaign, status=409, refusal=_(
            "This campaign has already been sent: it can no longer be changed or sent "
            "again."))
    if not form.is_valid():
        return _detail(request, campaign, status=400, send_form=form)
    try:
        sent = services.campaign_send(actor=request.user, campaign=campaign,
                                      now=timezone.now())
    except ValidationError as error:  # sent by someone else a moment ago
        campaign.refresh_from_db()
        return _detail(request, campaign, status=409 if _is_conflict(error) else 400,
                       refusal=" ".join(error.messages))
    messages.success(request, ngettext("Campaign sent: %(queued)d message queued.",
                                       "Campaign sent: %(queued)d messages queued.",
                                       sent.queued) % {"queued": sent.queued})
    return redirect("aftersales:campaign_detail", pk=sent.pk)
