"""The team page: who is on duty for lead routing, and a leaving consultant's book."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dealership.enums import Role
from dealership.htmx import partial_template
from dealership.permissions import role_required
from leads.forms.team import OnDutyForm, ReassignBookForm
from leads.permissions import can_reassign_book
from leads.selectors.board import board_consultants
from leads.selectors.team import team_consultant_get, team_consultants
from leads.services.board import consultant_hand_over, consultant_set_on_duty

TEAM_TEMPLATE = "leads/team.html"


@require_safe
@role_required(Role.MANAGER, Role.SUPERVISOR)
def team(request: HttpRequest) -> HttpResponse:
    """Managers switch routing on and off and hand books over; supervisors look."""
    return render(request, TEAM_TEMPLATE, {
        "consultants": team_consultants(user=request.user),
        "can_manage": can_reassign_book(request.user),
    })


@require_POST
@role_required(Role.MANAGER)
def set_on_duty(request: HttpRequest, pk: int) -> HttpResponse:
    consultant = team_consultant_get(user=request.user, pk=pk)
    form = OnDutyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose on duty or off duty."))
        return redirect("leads:team")
    try:
        routing = consultant_set_on_duty(actor=request.user, consultant=consultant,
                                         on_duty=form.cleaned_data["on_duty"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("leads:team")
    consultant.on_duty = routing.on_duty
    if request.htmx:
        return render(request, partial_template(request, TEAM_TEMPLATE, "consultant"),
                      {"consultant": consultant, "can_manage": True})
    messages.success(request, (_("%(name)s is on duty.") if routing.on_duty
                               else _("%(name)s is off duty.")) % {"name": consultant})
    return redirect("leads:team")


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.MANAGER)
def reassign_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then move every open lead and every customer of a consultant at once."""
    if not can_reassign_book(request.user):
        raise PermissionDenied
    leaver = team_consultant_get(user=request.user, pk=pk)
    form = ReassignBookForm(request.POST or None, consultants=board_consultants(
        user=request.user).exclude(pk=leaver.pk).order_by("name", "username"))
    if request.method == "POST" and form.is_valid():
        to_user = form.cleaned_data["to_user"]
        try:
            moved = consultant_hand_over(actor=request.user, from_user=leaver, to_user=to_user,
                                         deactivate=form.cleaned_data["deactivate"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, ngettext(
                "%(count)d open lead of %(from)s moved to %(to)s, with all customers.",
                "%(count)d open leads of %(from)s moved to %(to)s, with all customers.",
                moved) % {"count": moved, "from": leaver, "to": to_user})
            return redirect("leads:team")
    return render(request, TEAM_TEMPLATE, {"leaver": leaver, "form": form},
                  status=400 if form.is_bound else 200)
