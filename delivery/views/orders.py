"""Order progress: the list of signed contracts on their way to the customer, each order's
page (the contract's delivery hub), and allocating, swapping and releasing its car.

Writes are plain POST → redirect. A refusal re-renders the page with the form and the
input kept: 400 for input to fix, 409 when someone else acted first (the car was just
allocated elsewhere, the contract already has a car or is no longer signed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import Role
from dealership.forms import apply_service_errors
from dealership.models import User
from dealership.permissions import has_role, role_required
from delivery.forms.orders import AllocationForm, OrderFilterForm, ReleaseForm
from delivery.models import Allocation
from delivery.permissions import (
    ALLOCATION_ROLES,
    ORDER_VIEW_ROLES,
    can_allocate,
    can_override_allocation,
)
from delivery.selectors.allocation import allocation_candidates, allocation_history
from delivery.selectors.orders import (
    DONE_STATUSES,
    order_get_for_user,
    order_list_for_user,
    order_rows,
    order_scope_for_user,
)
from delivery.services import allocation as services
from delivery.services.allocation import CONFLICT

PAGE_SIZE = 25
LIST = "delivery/order_list.html"
DETAIL = "delivery/order_detail.html"
ALLOCATE = "delivery/order_allocate.html"


def _status_of(error: ValidationError) -> int:
    errors = (error.error_list if not hasattr(error, "error_dict")
              else [e for errors in error.error_dict.values() for e in errors])
    return 409 if any(e.code == CONFLICT for e in errors) else 400


# --- The list -----------------------------------------------------------------------------
@require_safe
@role_required(*ORDER_VIEW_ROLES)
def order_list(request: HttpRequest, pk=None) -> HttpResponse:
    user: User = request.user
    if user.store_id is None:
        raise Http404
    form = OrderFilterForm(request.GET or None, user=user)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    found, today, days, at_risk_count = order_list_for_user(
        user=user, store=user.store, stage=data.get("stage", ""),
        at_risk=data.get("at_risk", False), consultant=data.get("consultant"))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = (list(page.object_list) if isinstance(found, list)
            else order_rows(list(page.object_list), today=today, at_risk_days=days)
            if page.object_list else [])
    context = {"form": form, "page": page, "rows": rows, "today": today,
               "at_risk_days": days, "at_risk_count": at_risk_count,
               "filtered": any(data.values())}
    return render(request, LIST, context, status=200 if valid else 400)


# --- The order page -----------------------------------------------------------------------
def _steps(stage: str) -> list[dict]:
    from delivery.enums import OrderStage

    stages = list(OrderStage)
    current = stages.index(OrderStage(stage))
    return [{"stage": s, "label": s.label,
             "state": ("done" if i < current or stage == OrderStage.DELIVERED
                       else "current" if i == current else "todo")}
            for i, s in enumerate(stages)]


def _detail_context(user: User, contract: Contract, **overrides) -> dict:
    [row] = order_rows([contract], today=contract.store.today(),
                       at_risk_days=_at_risk_days(contract))
    signed = contract.status == ContractStatus.SIGNED
    may_allocate = signed and can_allocate(user, contract)
    context = {
        "contract": contract, "row": row, "allocation": row.allocation,
        "history": [a for a in allocation_history(contract) if a.released_at is not None],
        "steps": _steps(row.stage), "may_allocate": may_allocate,
        "release_form": ReleaseForm() if may_allocate and row.allocation else None,
        "is_finance": has_role(user, Role.FINANCE),
        "is_seller": has_role(user, *ALLOCATION_ROLES),
        "done": contract.status in DONE_STATUSES,
    }
    context.update(overrides)
    return context


def _at_risk_days(contract: Contract) -> int:
    from delivery.selectors.orders import at_risk_days_of

    return at_risk_days_of(contract.store_id)


@require_safe
@role_required(*ORDER_VIEW_ROLES)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = order_get_for_user(user=request.user, pk=pk)
    return render(request, DETAIL, _detail_context(request.user, contract))


# --- Allocating, swapping, releasing ------------------------------------------------------
def _allocate_context(user: User, contract: Contract, form: AllocationForm) -> dict:
    matching, others = allocation_candidates(contract)
    current = next((a for a in allocation_history(contract) if a.released_at is None), None)
    return {"contract": contract, "form": form, "matching": matching, "others": others,
            "current": current, "may_override": can_override_allocation(user),
            "chosen": str(form["vehicle"].value() or "")}


@require_http_methods(["GET", "POST"])
@role_required(*ALLOCATION_ROLES)
def allocation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the candidate cars (matching first, then the series' others for an override).
    POST: allocate the chosen car, or swap it for the current one."""
    user: User = request.user
    contract = order_get_for_user(user=user, pk=pk)
    if not can_allocate(user, contract):
        raise PermissionDenied
    if request.method == "GET" and contract.status != ContractStatus.SIGNED:
        messages.info(request, _("Only a signed contract gets a car; this contract is "
                                 "%(status)s.") % {"status": contract.get_status_display()})
        return redirect("delivery:order_detail", pk=contract.pk)
    current = (Allocation.objects.filter(contract=contract, released_at__isnull=True)
               .select_related("contract__customer__owner__team", "contract__store").first())
    form = AllocationForm(request.POST if request.method == "POST" else None,
                          store_id=contract.store_id, swap=current is not None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if current is None:
                    allocation = services.allocation_create(
                        actor=user, contract=contract, vehicle=data["vehicle"],
                        override_reason=data["override_reason"])
                else:
                    allocation = services.allocation_swap(
                        actor=user, allocation=current, vehicle=data["vehicle"],
                        reason=data["reason"], override_reason=data["override_reason"])
            except ValidationError as error:
                apply_service_errors(form, error)
                status = _status_of(error)
            else:
                messages.success(request, _("Car %(vin)s allocated to contract %(number)s.")
                                 % {"vin": allocation.vehicle.vin, "number": contract.number})
                return redirect("delivery:order_detail", pk=contract.pk)
    return render(request, ALLOCATE, _allocate_context(user, contract, form), status=status)


@require_POST
@role_required(*ALLOCATION_ROLES)
def allocation_release(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    allocation = get_object_or_404(
        Allocation.objects.filter(contract__in=order_scope_for_user(user))
        .select_related("vehicle"), pk=pk)
    contract = order_get_for_user(user=user, pk=allocation.contract_id)
    allocation.contract = contract
    if not can_allocate(user, contract):
        raise PermissionDenied
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            services.allocation_release(actor=user, allocation=allocation,
                                        reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
            status = _status_of(error)
        else:
            messages.success(request, _("Car %(vin)s released; it is back in stock.")
                             % {"vin": allocation.vehicle.vin})
            return redirect("delivery:order_detail", pk=contract.pk)
    else:
        status = 400
    return render(request, DETAIL, _detail_context(user, contract, release_form=form),
                  status=status)
