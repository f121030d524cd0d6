"""Invitations (邀约): the list with the month's show rate, booking from a lead, marking an
arrival (from the list or the desk's expected arrivals) and cancelling. Every form works
as a plain POST → redirect; with htmx the arrival returns the updated row or panel."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.enums import Role
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import role_required
from leads.selectors.leads import lead_get_for_user
from showroom.enums import InvitationStatus
from showroom.forms.invitations import InvitationCancelForm, InvitationForm, InvitationPeriodForm
from showroom.permissions import (
    INVITATION_ROLES,
    can_cancel_invitation,
    can_invite,
    can_mark_arrived,
)
from showroom.selectors.invitations import (
    invitation_get_for_user,
    invitation_list_for_user,
    invitation_show_rate,
    invitations_expected_today,
)
from showroom.services.invitations import (
    invitation_cancel,
    invitation_create,
    invitation_mark_arrived,
)

PAGE_SIZE = 50
LIST = "showroom/invitation_list.html"
BOOKING_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)


def _month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _with_actions(user, invitations) -> None:
    """What the user may do on each row, decided once here rather than in the template."""
    for invitation in invitations:
        scheduled = invitation.status == InvitationStatus.SCHEDULED
        invitation.can_arrive = scheduled and can_mark_arrived(user, invitation)
        invitation.can_cancel = scheduled and can_cancel_invitation(user, invitation)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*INVITATION_ROLES)
def invitation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = InvitationPeriodForm(request.GET)
    valid = form.is_valid()
    month = (valid and form.cleaned_data["month"]) or timezone.localdate().replace(day=1)
    start, end = _month_bounds(month)
    status = form.cleaned_data["status"] if valid else ""
    invitations = invitation_list_for_user(user=user, start=start, end=end, status=status)
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_actions(user, page.object_list)
    show_rate = invitation_show_rate(store=user.store, start=start, end=end,
                                     consultant=user if user.role == Role.CONSULTANT else None)
    context = {"form": form, "page": page, "show_rate": show_rate, "start": start, "end": end,
               "previous_month": (start - dt.timedelta(days=1)).replace(day=1),
               "next_month": end + dt.timedelta(days=1)}
    return render(request, partial_template(request, LIST, "invitation-rows"), context,
                  status=200 if valid else 400)


@require_http_methods(["GET", "POST"])
@role_required(*BOOKING_ROLES)
def invitation_create_view(request: HttpRequest) -> HttpResponse:
    """Book the customer of a lead (?lead=<pk>) to come in."""
    lead = lead_get_for_user(user=request.user, pk=request.GET.get("lead") or 0)
    if not can_invite(request.user, lead):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(actor=request.user, lead=lead, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is expected on %(when)s.") % {
                "name": lead.customer.name,
                "when": f"{timezone.localtime(invitation.expected_at):%Y-%m-%d %H:%M}"})
            return redirect(lead)
    return render(request, "showroom/invitation_form.html",
                  {"form": form, "lead": lead, "store": lead.store},
                  status=400 if form.is_bound else 200)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    # Only a local path: a bare word would be reversed as a URL name by redirect() (500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("showroom:invitations")


@require_POST
@role_required(*INVITATION_ROLES)
def invitation_arrived(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_user(user=request.user, pk=pk)
    try:
        invitation = invitation_mark_arrived(actor=request.user, invitation=invitation)
    except ValidationError as error:
        ok, notice = False, " ".join(error.messages)
    else:
        ok, notice = True, _("%(name)s has arrived.") % {"name": invitation.lead.customer.name}
    if request.htmx:
        return _arrival_partial(request, pk, notice=notice, status=200 if ok else 400)
    (messages.success if ok else messages.error)(request, notice)
    return redirect(_next_url(request))


def _arrival_partial(request: HttpRequest, pk: int, *, notice: str, status: int):
    """The desk's expected-arrivals panel or the list's row, whichever asked."""
    user = request.user
    if request.htmx.target == "expected-arrivals":
        arrivals = invitations_expected_today(store=user.store, day=timezone.localdate())
        return render(request, "showroom/components/expected_arrivals.html",
                      {"invitations": arrivals, "notice": notice}, status=status)
    invitation = invitation_get_for_user(user=user, pk=pk)
    _with_actions(user, [invitation])
    return render(request, partial_template(request, LIST, "invitation-row"),
                  {"invitation": invitation, "notice": notice}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*BOOKING_ROLES)
def invitation_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_get_for_user(user=request.user, pk=pk)
    if not can_cancel_invitation(request.user, invitation):
        raise PermissionDenied
    form = InvitationCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_cancel(actor=request.user, invitation=invitation,
                              reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The invitation of %(name)s is cancelled.") % {
                "name": invitation.lead.customer.name})
            return redirect("showroom:invitations")
    return render(request, "showroom/invitation_cancel.html",
                  {"form": form, "invitation": invitation},
                  status=400 if form.is_bound else 200)
