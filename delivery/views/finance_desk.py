"""The finance desk: what the stock on hand is worth, the payments recorded at the counter
that finance still has to confirm, and the refunds cancelled contracts owe. Confirming a
payment goes through a confirmation step (a page, or with htmx the row) that states what is
confirmed; each write works as a plain POST → redirect and, with htmx, swaps the row and,
out of band, the counters at the top of the desk."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from contracts.models import Payment, RefundObligation
from contracts.selectors.ledger import (
    payment_scope_for_user,
    payments_to_confirm,
    refund_scope_for_user,
    refunds_due,
)
from contracts.services import ledger
from dealership.enums import ON_HAND_STOCK_STATUSES
from dealership.forms import apply_service_errors
from dealership.models import StockVehicle, User
from dealership.money import ZERO
from dealership.permissions import role_required
from delivery.forms.finance_desk import RefundSettleForm
from delivery.permissions import FINANCE_DESK_ROLES

FINANCE = "delivery/finance_desk.html"
CONFIRM_PAGE = "delivery/finance_payment_confirm.html"


def _refund_form(refund: RefundObligation, data=None) -> RefundSettleForm:
    return RefundSettleForm(data, prefix=f"refund-{refund.pk}")


def _stock_figures(user: User) -> dict:
    on_hand = StockVehicle.objects.filter(store_id=user.store_id,
                                          status__in=ON_HAND_STOCK_STATUSES)
    return on_hand.aggregate(count=Count("id"), cost=Sum("cost"), list_value=Sum("list_price"))


def _desk_context(user: User, *, bound: RefundSettleForm | None = None) -> dict:
    """Four queries whatever the number of rows: stock figures, payments, refunds."""
    to_confirm = list(payments_to_confirm(user=user))
    refunds = list(refunds_due(user=user))
    for refund in refunds:
        refund.form = (bound if bound is not None and bound.prefix == f"refund-{refund.pk}"
                       else _refund_form(refund))
    return {"figures": _stock_figures(user), "to_confirm": to_confirm, "refunds": refunds,
            "to_confirm_count": len(to_confirm),
            "to_confirm_total": sum(p.amount for p in to_confirm),
            "refunds_count": len(refunds), "refunds_total": sum(r.amount for r in refunds)}


def _desk_counts(user: User) -> dict:
    """The counters at the top of the desk, for an out-of-band swap after a change: three
    queries (stock figures, payments to confirm, refunds owed), no rows loaded."""
    payments = payments_to_confirm(user=user).order_by().aggregate(
        count=Count("id"), total=Sum("amount"))
    refunds = refunds_due(user=user).order_by().aggregate(count=Count("id"),
                                                          total=Sum("amount"))
    return {"figures": _stock_figures(user),
            "to_confirm_count": payments["count"], "to_confirm_total": payments["total"] or ZERO,
            "refunds_count": refunds["count"], "refunds_total": refunds["total"] or ZERO}


@require_safe
@role_required(*FINANCE_DESK_ROLES)
def finance_desk(request: HttpRequest) -> HttpResponse:
    return render(request, FINANCE, _desk_context(request.user))


# --- Writes -------------------------------------------------------------------------------
# Confirming receipt cannot be undone: the button opens a step that states the amount, the
# payer, the method and the contract; only a POST that carries confirm=CONFIRMED (the
# step's button) changes anything.
CONFIRMED = "received"


def _confirm_step(request: HttpRequest, payment: Payment, *, status: int = 200,
                  notice: str = "") -> HttpResponse:
    context = {"payment": payment, "confirming": True, "notice": notice,
               "failed": bool(notice), "confirmed_value": CONFIRMED}
    template = f"{FINANCE}#payment-row" if request.htmx else CONFIRM_PAGE
    return render(request, template, context, status=status)


def _confirm_get(request: HttpRequest, payment: Payment) -> HttpResponse:
    if payment.confirmed_at is None:
        return _confirm_step(request, payment)
    # Confirmed meanwhile: the row (or the desk) says by whom.
    if request.htmx:
        return render(request, f"{FINANCE}#payment-row", {"payment": payment})
    return redirect("delivery:finance_desk")


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@role_required(*FINANCE_DESK_ROLES)
def payment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation step. POST with confirm=CONFIRMED: record the receipt."""
    payment = get_object_or_404(payment_scope_for_user(user=request.user), pk=pk)
    if request.method != "POST":
        return _confirm_get(request, payment)
    if request.POST.get("confirm") != CONFIRMED and payment.confirmed_at is None:
        return _confirm_step(request, payment, status=400, notice=_(
            "Check the amount, the payer and the method, then confirm the receipt."))
    try:
        ledger.payment_confirm(actor=request.user, payment=payment)
    except ValidationError as error:
        # Confirmed by someone else meanwhile: a conflict; the row shows who did it.
        notice, status = " ".join(error.messages), 409
    else:
        notice, status = _("Payment of ¥%(amount)s confirmed.") % {
            "amount": f"{payment.amount:,.2f}"}, 200
    if request.htmx:
        # The row, and out of band the counters at the top of the desk.
        context = {**_desk_counts(request.user), "notice": notice, "failed": status != 200,
                   "payment": get_object_or_404(payment_scope_for_user(user=request.user),
                                                pk=pk)}
        return render(request, f"{FINANCE}#payment-result", context, status=status)
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
        context = {"refund": refund, "notice": notice}
        if status != 400:  # settled, here or meanwhile: the counters change too
            context.update(_desk_counts(request.user))
            return render(request, f"{FINANCE}#refund-result", context, status=status)
        return render(request, f"{FINANCE}#refund-row", context, status=status)
    if status == 200:
        messages.success(request, notice)
        return redirect("delivery:finance_desk")
    if status == 409:  # the row is gone from the list: say why at the top
        messages.error(request, " ".join(form.non_field_errors()))
    return render(request, FINANCE, _desk_context(request.user, bound=form), status=status)
