"""Discount approvals (三级议价) from a phone: the inbox of cards (tap one to open it, or
decide straight from the card with htmx), the request's page with its big decision
buttons, and the decision itself. A request decided by someone else meanwhile answers
409 with who decided it, and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from contracts.enums import ApprovalStatus
from contracts.forms.approvals import DecisionForm
from contracts.models import ApprovalRequest
from contracts.permissions import APPROVER_ROLES, can_decide_approval, can_see_cost
from contracts.selectors import approvals as selectors
from contracts.services import quotes as services
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import role_required
from dealership.templatetags.money_tags import cny

INBOX = "contracts/approval_inbox.html"
DETAIL = "contracts/approval_detail.html"
# Fired after a decision, so the navigation badge and other panels can refresh.
DECIDED_EVENT = "approvals-changed"


def _from_card(request: HttpRequest, pk: int) -> bool:
    return bool(request.htmx) and request.htmx.target == f"approval-card-{pk}"


@require_safe
@vary_on_headers("HX-Request")
@role_required(*APPROVER_ROLES)
def approval_inbox(request: HttpRequest) -> HttpResponse:
    context = selectors.approval_inbox(user=request.user, tab=request.GET.get("tab"))
    return render(request, partial_template(request, INBOX, "approval-list"), context)


def _detail_context(user, approval: ApprovalRequest, form: DecisionForm) -> dict:
    return {"approval": approval, "version": approval.version, "form": form,
            "history": selectors.approval_history(approval), "show_cost": can_see_cost(user),
            "is_current": approval.quote.current_version_id == approval.version_id}


@require_safe
@role_required(*APPROVER_ROLES)
def approval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    approval = selectors.approval_get_for_user(user=request.user, pk=pk)
    return render(request, DETAIL, _detail_context(request.user, approval, DecisionForm()))


def _done_message(approval: ApprovalRequest) -> str:
    number = approval.quote.number
    if approval.status == ApprovalStatus.APPROVED:
        return _("Discount of %(amount)s on %(quote)s approved.") % {
            "amount": cny(approval.discount), "quote": number}
    if approval.status == ApprovalStatus.REJECTED:
        return _("Discount on %(quote)s rejected; the consultant sees your comment.") % {
            "quote": number}
    return _("Counter-offer of %(amount)s on %(quote)s saved; the quote is approved at "
             "that discount.") % {"amount": cny(approval.counter_discount), "quote": number}


def _decided(request: HttpRequest, approval: ApprovalRequest) -> HttpResponse:
    """After a decision: the card in its decided state (htmx), else back to the inbox."""
    notice = _done_message(approval)
    if not _from_card(request, approval.pk):
        messages.success(request, notice)
        return redirect("contracts:approval_inbox")
    context = {"approval": selectors.approval_get_for_user(user=request.user, pk=approval.pk),
               "notice": notice, "show_cost": can_see_cost(request.user)}
    return trigger_client_event(
        render(request, partial_template(request, INBOX, "approval-card"), context),
        DECIDED_EVENT)


@require_POST
@role_required(*APPROVER_ROLES)
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    approval = selectors.approval_get_for_user(user=user, pk=pk)
    if not can_decide_approval(user, approval):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            decided = services.approval_decide(actor=user, approval=approval,
                                               **form.decide_kwargs())
        except ValidationError as error:
            # Decided by someone else meanwhile: a conflict, not a bad input; show the
            # request as it is now.
            status = 400 if hasattr(error, "error_dict") else 409
            apply_service_errors(form, error)
            if status == 409:
                approval = selectors.approval_get_for_user(user=user, pk=pk)
        else:
            return _decided(request, decided)
    if _from_card(request, pk):
        return render(request, partial_template(request, INBOX, "approval-card"),
                      {"approval": approval, "form": form, "show_cost": can_see_cost(user)},
                      status=status)
    return render(request, DETAIL, _detail_context(user, approval, form), status=status)
