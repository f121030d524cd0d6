"""The store's lead pool (公海): consultants claim, supervisors and managers assign."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dealership.enums import Role
from dealership.htmx import partial_template
from dealership.permissions import role_required
from leads.forms.pool import PoolAssignForm
from leads.models import Lead
from leads.permissions import can_reassign_lead
from leads.selectors.pool import assignable_consultants, pool_for_user, pool_lead_get_for_user
from leads.services import lead_claim
from leads.services.board import lead_assign_from_pool

PAGE_SIZE = 25
POOL_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
POOL_TEMPLATE = "leads/pool.html"


def _actions(user) -> dict:
    """What this user may do with a pooled lead: claim it, or assign it to someone."""
    if user.role == Role.CONSULTANT:
        return {"can_claim": True, "can_assign": False, "consultants": []}
    # Asked of an unsaved ownerless lead of the store: may this user assign from the pool?
    can_assign = can_reassign_lead(user, Lead(store_id=user.store_id))
    return {"can_claim": False, "can_assign": can_assign,
            "consultants": list(assignable_consultants(user=user)) if can_assign else []}


def _row(request: HttpRequest, lead: Lead, *, status: int = 200, error: str = "",
         done: str = "") -> HttpResponse:
    context = {"lead": lead, "error": error, "done": done}
    if error:  # the row keeps its buttons so the user can try again
        context.update(_actions(request.user))
    return render(request, partial_template(request, POOL_TEMPLATE, "pool-lead"), context,
                  status=status)


@require_safe
@role_required(*POOL_ROLES)
def pool(request: HttpRequest) -> HttpResponse:
    page = Paginator(pool_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    context = {"page": page, **_actions(request.user)}
    return render(request, POOL_TEMPLATE, context)


def _refused(request: HttpRequest, lead: Lead, message: str, status: int) -> HttpResponse:
    if request.htmx:
        return _row(request, lead, status=status, error=message)
    messages.error(request, message)
    return redirect("leads:pool")


@require_POST
@role_required(Role.CONSULTANT)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a lead from the pool. Two consultants at once: the first wins."""
    lead = pool_lead_get_for_user(user=request.user, pk=pk)
    try:
        lead = lead_claim(lead=lead, actor=request.user)
    except ValidationError as error:
        return _refused(request, lead, " ".join(error.messages), 409)
    done = _("You took over %(customer)s.") % {"customer": lead.customer.name}
    if request.htmx:
        return _row(request, lead, done=done)
    messages.success(request, done)
    return redirect("leads:pool")


@require_POST
@role_required(Role.SUPERVISOR, Role.MANAGER)
def pool_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a lead from the pool to a consultant."""
    lead = pool_lead_get_for_user(user=request.user, pk=pk)
    form = PoolAssignForm(request.POST, consultants=assignable_consultants(user=request.user))
    if not form.is_valid():
        return _refused(request, lead, " ".join(form.errors["consultant"]), 400)
    to = form.cleaned_data["consultant"]
    try:
        lead = lead_assign_from_pool(lead=lead, to=to, actor=request.user)
    except ValidationError as error:
        status = 409 if getattr(error, "code", None) == "taken" else 400
        return _refused(request, lead, " ".join(error.messages), status)
    done = _("%(customer)s goes to %(consultant)s.") % {"customer": lead.customer.name,
                                                        "consultant": to}
    if request.htmx:
        return _row(request, lead, done=done)
    messages.success(request, done)
    return redirect("leads:pool")
