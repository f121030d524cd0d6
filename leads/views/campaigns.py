"""Campaigns: the list with leads, visits, deals and costs; create, edit, detail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from dealership.enums import Role
from dealership.forms import apply_service_errors
from dealership.permissions import role_required
from leads.forms.campaigns import CampaignForm
from leads.models import Campaign
from leads.permissions import can_manage_campaigns
from leads.selectors.campaigns import (
    campaign_get_for_user,
    campaign_leads,
    campaign_list_for_user,
    with_costs,
)
from leads.services.board import campaign_create, campaign_update

PAGE_SIZE = 25
CAMPAIGN_READERS = (Role.MARKETING, Role.MANAGER, Role.SUPERVISOR)
CAMPAIGN_EDITORS = (Role.MARKETING, Role.MANAGER)


@require_safe
@role_required(*CAMPAIGN_READERS)
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(campaign_list_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    for campaign in page.object_list:
        with_costs(campaign)
    return render(request, "leads/campaign_list.html",
                  {"page": page, "can_edit": can_manage_campaigns(request.user)})


@require_safe
@role_required(*CAMPAIGN_READERS)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    page = Paginator(campaign_leads(user=request.user, campaign=campaign), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "leads/campaign_detail.html", {
        "campaign": campaign, "page": page, "can_edit": can_manage_campaigns(request.user)})


def _form_page(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    store = request.user.store
    form = CampaignForm(request.POST or None, instance=campaign, store=store)
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                campaign = campaign_create(actor=request.user, store=store,
                                           data=form.cleaned_data)
            else:
                campaign = campaign_update(actor=request.user, campaign=campaign,
                                           data=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": campaign.name})
            return redirect(campaign)
    return render(request, "leads/campaign_form.html", {"form": form, "campaign": campaign},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CAMPAIGN_EDITORS)
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    return _form_page(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CAMPAIGN_EDITORS)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    if not can_manage_campaigns(request.user):
        raise PermissionDenied
    return _form_page(request, campaign)
