"""The supervisor's board (the manager's for the whole store), lost decisions, lost report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dealership.enums import Role
from dealership.htmx import partial_template
from dealership.permissions import role_required
from leads.enums import LostRequestStatus
from leads.forms.board import DecideLostForm, PeriodForm
from leads.models import LostRequest
from leads.selectors.board import (
    board_lost_requests,
    board_overdue_leads,
    board_rows,
    lost_report,
    lost_request_get_for_user,
)
from leads.selectors.periods import period_for, this_month
from leads.selectors.policy import policy_for
from leads.services import lead_approve_lost, lead_return_lost

BOARD_ROLES = (Role.SUPERVISOR, Role.MANAGER)
BOARD_TEMPLATE = "leads/team_board.html"


def _board_context(request: HttpRequest) -> dict:
    now = timezone.now()
    members = board_rows(user=request.user, policy=policy_for(request.user.store), now=now)
    totals = {key: sum(getattr(m, key) for m in members) for key in (
        "open_count", "overdue_count", "sla_breaches", "grade_a", "grade_b", "grade_c")}
    return {"members": members, "totals": totals, "now": now,
            "overdue": board_overdue_leads(user=request.user, now=now),
            "lost_requests": board_lost_requests(user=request.user)}


@require_safe
@role_required(*BOARD_ROLES)
def team_board(request: HttpRequest) -> HttpResponse:
    """Load, overdue leads, first-contact SLA breaches and pending lost requests."""
    return render(request, BOARD_TEMPLATE, _board_context(request))


def _refused(request: HttpRequest, lost_request: LostRequest, message: str,
             status: int, form: DecideLostForm | None = None) -> HttpResponse:
    if request.htmx:
        context = {"req": lost_request, "error": message, "form": form}
        return render(request, partial_template(request, BOARD_TEMPLATE, "lost-request"), context,
                      status=status)
    messages.error(request, message)
    return render(request, BOARD_TEMPLATE, _board_context(request), status=status)


@require_POST
@role_required(*BOARD_ROLES)
def decide_lost(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a lost request (the lead closes as lost) or send it back with a comment."""
    lost_request = lost_request_get_for_user(user=request.user, pk=pk)
    form = DecideLostForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _refused(request, lost_request, message, 400, form)
    decide = (lead_approve_lost if form.cleaned_data["decision"] == form.APPROVE
              else lead_return_lost)
    try:
        lost_request = decide(request=lost_request, actor=request.user,
                              note=form.cleaned_data["note"])
    except ValidationError as error:
        lost_request.refresh_from_db()
        decided = lost_request.status != LostRequestStatus.PENDING
        # Nobody decided a request closed by the lead being won: the service says so.
        message = (_("%(who)s has already decided this request.") % {
            "who": lost_request.decided_by} if lost_request.decided_by
            else " ".join(error.messages))
        return _refused(request, lost_request, message, 409 if decided else 400, form)
    if request.htmx:
        return render(request, partial_template(request, BOARD_TEMPLATE, "lost-request"),
                      {"req": lost_request})
    messages.success(request, _("Lost request of %(customer)s: %(decision)s.") % {
        "customer": lost_request.lead.customer, "decision": lost_request.get_status_display()})
    return redirect("leads:team_board")


@require_safe
@role_required(*BOARD_ROLES)
def lost_report_view(request: HttpRequest) -> HttpResponse:
    """Lost leads of a period by reason, consultant and channel (this month by default)."""
    store = request.user.store
    month = this_month(store)
    form = PeriodForm(request.GET or None, default_from=month.first_day,
                      default_to=month.last_day)
    if form.is_bound and not form.is_valid():
        return render(request, "leads/lost_report.html", {"form": form}, status=400)
    period = (period_for(store, form.cleaned_data["first"], form.cleaned_data["last"])
              if form.is_bound else month)
    report = lost_report(user=request.user, period=period)
    return render(request, "leads/lost_report.html",
                  {"form": form, "period": period, "report": report})
