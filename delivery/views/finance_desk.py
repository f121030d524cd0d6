"""The finance desk: what the stock on hand is worth, the payments recorded at the counter
that finance still has to confirm, and the refunds cancelled contracts owe. Each row's
button works as a plain POST → redirect and, with htmx, swaps the row."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from contracts.models import RefundObligation
from contracts.selectors.ledger import (
    payment_scope_for_user,
    payments_to_confirm,
    refund_scope_for_user,
    refunds_due,
)
from contracts.services import ledger
from dealership.enums import ON_HAND_STOCK_STATUSES
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.models import StockVehicle, User
from dealership.permissions import role_required
from delivery.forms.finance_desk import RefundSettleForm
from delivery.permissions import FINANCE_DESK_ROLES

FINANCE = "delivery/finance_desk.html"


def _refund_form(refund: RefundObligation, data=None) -> RefundSettleForm:
    return RefundSettleForm(data, prefix=f"refund-{refund.pk}")


def _desk_context(user: User, *, bound: RefundSettleForm | None = None) -> dict:
    """Four queries whatever the number of rows: stock figures, payments, refunds."""
    on_hand = StockVehicle.objects.filter(store_id=user.store_id,
                                          status__in=ON_HAND_STOCK_STATUSES)
    figures = on_hand.aggregate(count=Count("id"), cost=Sum("cost"), list_value=Sum("list_price"))
    to_confirm = list(payments_to_confirm(user=user))
    refunds = list(refunds_due(user=user))
    for refund in refunds:
        refund.form = (bound if bound is not None and bound.prefix == f"refund-{refund.pk}"
                       else _refund_form(refund))
    return {"figures": figures, "to_confirm": to_confirm, "refunds": refunds,
            "to_confirm_total": sum(p.amount for p in to_confirm),
            "refunds_total": sum(r.amount for r in refunds)}


@require_safe
@role_required(*FINANCE_DESK_ROLES)
def finance_desk(request: HttpRequest) -> HttpResponse:
    return render(request, FINANCE, _desk_context(request.user))


# --- Writes -------------------------------------------------------------------------------
@require_POST
@role_required(*FINANCE_DESK_ROLES)
def payment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(payment_scope_for_user(user=request.user), pk=pk)
    try:
        ledger.payment_confirm(actor=request.user, payment=payment)
    except ValidationError as error:
        # Confirmed by someone else meanwhile: a conflict; the row shows who did it.
        notice, status = " ".join(error.messages), 409
    else:
        notice, status = _("Payment of ¥%(amount)s confirmed.") % {
            "amount": f"{payment.amount:,.2f}"}, 200
    if request.htmx:
        context = {"payment": get_object_or_404(payment_scope_for_user(user=request.user),
                                                pk=pk),
                   "notice": notice, "failed": status != 200}
        return render(request, partial_template(request, FINANCE, "payment-row"), context,
                      status=status)
    if status == 200:
        messages.success(request, notice)
        return redirect("delivery:finance_desk")
    messages.error(request, notice)
    return render(request, FINANCE, _desk_context(request.user), status=status)


@require_POST
@role_required(*FINANCE_DESK_ROLES)
def refund_settle(request: HttpRequest, pk: int) -> HttpResponse:
    refund = get_object_or_404(refund_scope_for_user(user=request.user), pk=pk)
    form = _refund_form(refund, request.POST)
    status, notice = 400, ""
    if form.is_valid():
        try:
            refund = ledger.refund_settle(actor=request.user, refund=refund, **form.cleaned_data)
        except ValidationError as error:
            status = 400 if hasattr(error, "error_dict") else 409
            apply_service_errors(form, error)
        else:
            status, notice = 200, _("Refund of ¥%(amount)s to %(contract)s recorded.") % {
                "amount": f"{refund.amount:,.2f}", "contract": refund.contract}
    if request.htmx:
        refund = get_object_or_404(refund_scope_for_user(user=request.user), pk=pk)
        refund.form = form
        return render(request, partial_template(request, FINANCE, "refund-row"),
                      {"refund": refund, "notice": notice}, status=status)
    if status == 200:
        messages.success(request, notice)
        return redirect("delivery:finance_desk")
    if status == 409:  # the row is gone from the list: say why at the top
        messages.error(request, " ".join(form.non_field_errors()))
    return render(request, FINANCE, _desk_context(request.user, bound=form), status=status)
