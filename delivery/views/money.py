"""Money to collect (finance's receivables, a payment, the promised payment date), the
loan application and the insurance policies of a signed contract.

Every contract is read through the user's scope (contracts.selectors.contracts): another
store's, or for a consultant another consultant's, is a 404. Writes are plain POST →
redirect to the contract page (or the receivables); input to fix re-renders the form with
400, a state someone else changed first is a 409."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods, require_safe

from contracts.enums import PaymentKind, PaymentPlan
from contracts.models import Contract
from contracts.selectors.contracts import contract_get_for_user
from contracts.services.ledger import payment_date_range, payment_received_range
from dealership.enums import Role
from dealership.exports import CHUNK_SIZE, csv_day, csv_response
from dealership.forms import apply_service_errors, refusal_status
from dealership.masking import mask_name
from dealership.models import User
from dealership.permissions import has_role, role_required
from delivery.enums import LOAN_GRANTED_STATUSES, LoanDocument, LoanStatus
from delivery.forms.money import (
    InsuranceForm,
    LoanDecideForm,
    LoanDocumentsForm,
    LoanForm,
    PaymentDateForm,
    PaymentRecordForm,
    ReceivablesFilterForm,
)
from delivery.models import LoanApplication
from delivery.selectors.money import (
    COLLECTING_STATUSES,
    money_position,
    receivables_for_user,
    receivables_totals,
)
from delivery.services import finance

PAGE_SIZE = 25
# What finance is told after recording the lender's answer (whole sentences, translated).
LOAN_DECIDED = {
    LoanStatus.SUBMITTED: gettext_lazy("The loan application is submitted to the lender."),
    LoanStatus.APPROVED: gettext_lazy("The loan is approved."),
    LoanStatus.REJECTED: gettext_lazy("The loan is rejected."),
    LoanStatus.DISBURSED: gettext_lazy("The loan is disbursed."),
}
RECEIVABLES_ROLES = (Role.FINANCE, Role.MANAGER)
PAYMENT_ROLES = (Role.FINANCE,)
PAYMENT_DATE_ROLES = (Role.FINANCE, Role.MANAGER)
FINANCE_WORK_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE)
LOAN_DECIDE_ROLES = (Role.FINANCE, Role.MANAGER)

RECEIVABLES = "delivery/receivables.html"
PAYMENT_FORM = "delivery/payment_record.html"
PAYMENT_DATE = "delivery/payment_date.html"
LOAN_FORM = "delivery/loan_edit.html"
INSURANCE_FORM = "delivery/insurance_create.html"


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# --- Receivables --------------------------------------------------------------------------
@require_safe
@role_required(*RECEIVABLES_ROLES)
def receivables(request: HttpRequest) -> HttpResponse:
    """The store's contracts with money still to collect, with totals: four queries
    whatever the number of rows (consultants, totals, the count and the page)."""
    user = request.user
    today = user.store.today()
    consultants = list(User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT)
                       .order_by("name", "username"))
    filters = ReceivablesFilterForm(request.GET or None, consultants=consultants)
    values = filters.cleaned_data if filters.is_valid() else {}
    rows = receivables_for_user(user=user, overdue_only=bool(values.get("overdue")),
                                consultant_id=values.get("consultant"),
                                plan=values.get("plan") or "")
    totals = receivables_totals(rows, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for contract in page.object_list:
        overdue = (contract.m_customer_due > 0 and contract.promised_payment_date is not None
                   and contract.promised_payment_date < today)
        contract.overdue_days = ((today - contract.promised_payment_date).days
                                 if overdue else 0)
        contract.date_form = PaymentDateForm(
            initial={"promised_payment_date": contract.promised_payment_date},
            prefix=f"c{contract.pk}", day_range=(today, payment_date_range(user.store)[1]))
    return render(request, RECEIVABLES, {
        "page": page, "rows": page.object_list, "totals": totals, "filters": filters,
        "today": today, "can_record": has_role(user, *PAYMENT_ROLES),
        "loan_statuses": dict(LoanStatus.choices)})



@require_safe
@role_required(*RECEIVABLES_ROLES)
def receivables_export(request: HttpRequest) -> HttpResponse:
    """The filtered receivables as CSV, streamed: the list's columns (the buyer's name
    masked as on the list), the lender's amount and state, the days overdue."""
    user = request.user
    today = user.store.today()
    consultants = list(User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT))
    filters = ReceivablesFilterForm(request.GET or None, consultants=consultants)
    values = filters.cleaned_data if filters.is_valid() else {}
    rows = receivables_for_user(user=user, overdue_only=bool(values.get("overdue")),
                                consultant_id=values.get("consultant"),
                                plan=values.get("plan") or "")
    header = [_("Contract"), _("Buyer"), _("Payment plan"), _("Consultant"),
              _("Amount due (CNY)"), pgettext("money", "Received"), _("Refunded"), _("Balance"),
              _("Customer's part"), _("Loan"), _("Loan status"), _("Balance due by"),
              _("Days overdue")]
    plans, loans = dict(PaymentPlan.choices), dict(LoanStatus.choices)

    def row(c: Contract) -> list:
        late = c.m_customer_due > 0 and c.promised_payment_date and c.promised_payment_date < today
        return [c.number, mask_name(c.buyer_name), str(plans.get(c.payment_plan, c.payment_plan)),
                c.consultant.get_full_name() or c.consultant.username, c.amount_due,
                c.money_paid, c.money_refunded, c.m_balance, c.m_customer_due,
                c.m_loan_amount if c.m_loan_status else "",
                str(loans.get(c.m_loan_status, c.m_loan_status)),
                csv_day(c.promised_payment_date),
                (today - c.promised_payment_date).days if late else ""]

    return csv_response(header=header, rows=(row(c) for c in rows.iterator(chunk_size=CHUNK_SIZE)),
                        filename=f"receivables-{today:%Y%m%d}")

# --- A payment ----------------------------------------------------------------------------
def _payment_context(contract: Contract, form: PaymentRecordForm) -> dict:
    return {"contract": contract, "form": form, "position": money_position(contract)}


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*PAYMENT_ROLES)
def payment_record(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)
    if contract.store_id != request.user.store_id:
        raise Http404
    if contract.status not in COLLECTING_STATUSES:
        return render(request, PAYMENT_FORM, {"contract": contract, "closed": True,
                                              "position": money_position(contract)},
                      status=409 if request.method == "POST" else 200)
    received_range = payment_received_range(contract)
    if request.method != "POST":
        position = money_position(contract)
        kind, amount = PaymentKind.BALANCE, position.customer_due
        if amount <= 0 and position.loan_outstanding > 0:
            kind, amount = PaymentKind.LOAN, min(position.loan_outstanding,
                                                 position.balance_due)
        form = PaymentRecordForm(initial={"kind": kind, "amount": amount or None},
                                 received_range=received_range)
        return render(request, PAYMENT_FORM, _payment_context(contract, form))
    form = PaymentRecordForm(request.POST, received_range=received_range)
    status = 400
    if form.is_valid():
        try:
            payment = finance.payment_collect(actor=request.user, contract=contract,
                                              **form.cleaned_data)
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(kind)s of ¥%(amount)s recorded on %(contract)s.")
                             % {"kind": payment.get_kind_display(),
                                "amount": f"{payment.amount:,.2f}", "contract": contract})
            return redirect(_back(request, contract.get_absolute_url()))
    return render(request, PAYMENT_FORM, _payment_context(contract, form), status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*PAYMENT_DATE_ROLES)
def payment_date_set(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)
    if contract.store_id != request.user.store_id:
        raise Http404
    day_range = payment_date_range(contract.store)
    if request.method != "POST":
        form = PaymentDateForm(initial={"promised_payment_date":
                                        contract.promised_payment_date},
                               day_range=day_range)
        return render(request, PAYMENT_DATE, {"contract": contract, "form": form})
    prefix = f"c{contract.pk}" if f"c{contract.pk}-promised_payment_date" in request.POST \
        else None
    form = PaymentDateForm(request.POST, prefix=prefix, day_range=day_range)
    status = 400
    if form.is_valid():
        try:
            finance.contract_payment_date_set(
                actor=request.user, contract=contract,
                day=form.cleaned_data["promised_payment_date"])
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            day = form.cleaned_data["promised_payment_date"]
            messages.success(request, (_("%(contract)s: balance due by %(day)s.")
                                       % {"contract": contract, "day": day.isoformat()})
                             if day else _("%(contract)s: payment date cleared.")
                             % {"contract": contract})
            return redirect(_back(request, contract.get_absolute_url()))
    return render(request, PAYMENT_DATE, {"contract": contract, "form": form}, status=status)


# --- The loan -----------------------------------------------------------------------------
def _loan_of(contract: Contract) -> LoanApplication | None:
    return (LoanApplication.objects.filter(contract_id=contract.pk)
            .select_related("decided_by", "created_by").first())


def _loan_context(request, contract, loan, form, decide_form=None) -> dict:
    can_decide = (loan is not None and loan.status == LoanStatus.SUBMITTED
                  and finance.can_decide_loan(request.user, loan))
    return {"contract": contract, "loan": loan, "form": form,
            "decide_form": decide_form or (LoanDecideForm() if can_decide else None),
            "position": money_position(contract),
            "documents_total": len(LoanDocument.values),
            "granted": loan is not None and loan.status in LOAN_GRANTED_STATUSES}


def _loan_form(loan: LoanApplication | None, contract: Contract, data=None):
    if loan is not None and loan.status in LOAN_GRANTED_STATUSES:
        return LoanDocumentsForm(data, initial={"documents": [
            key for key, ticked in (loan.documents or {}).items() if ticked]})
    if loan is not None:
        initial = {"lender": loan.lender, "amount": loan.amount,
                   "term_months": loan.term_months, "annual_rate": loan.annual_rate,
                   "note": loan.note,
                   "documents": [key for key, ticked in (loan.documents or {}).items()
                                 if ticked]}
    else:
        initial = {"amount": contract.loan_principal or None,
                   "term_months": contract.loan_term_months,
                   "annual_rate": contract.loan_annual_rate}
    return LoanForm(data, initial=initial)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*FINANCE_WORK_ROLES)
def loan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)
    if not finance.can_arrange_finance(request.user, contract):
        raise Http404
    loan = _loan_of(contract)
    if request.method != "POST":
        return render(request, LOAN_FORM,
                      _loan_context(request, contract, loan, _loan_form(loan, contract)))
    form = _loan_form(loan, contract, request.POST)
    status = 400
    if form.is_valid():
        try:
            if isinstance(form, LoanDocumentsForm):
                finance.loan_documents_update(actor=request.user, loan=loan,
                                              documents=form.documents_dict())
                notice = _("Loan documents updated.")
            else:
                data = {k: v for k, v in form.cleaned_data.items() if k != "documents"}
                finance.loan_submit(actor=request.user, contract=contract,
                                    documents=form.documents_dict(), **data)
                notice = _("Loan application to %(lender)s saved.") % {
                    "lender": form.cleaned_data["lender"]}
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, notice)
            return redirect(contract.get_absolute_url())
    return render(request, LOAN_FORM, _loan_context(request, contract, _loan_of(contract),
                                                    form), status=status)


@require_http_methods(["POST"])
@role_required(*LOAN_DECIDE_ROLES)
def loan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    loan = get_object_or_404(LoanApplication.objects.filter(store_id=request.user.store_id),
                             pk=pk)
    contract = contract_get_for_user(user=request.user, pk=loan.contract_id)
    form = LoanDecideForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            loan = finance.loan_decide(actor=request.user, loan=loan, **form.cleaned_data)
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, LOAN_DECIDED[loan.status])
            return redirect(contract.get_absolute_url())
    fresh = _loan_of(contract)
    return render(request, LOAN_FORM, _loan_context(request, contract, fresh,
                                                    _loan_form(fresh, contract), form),
                  status=status)


# --- Insurance ----------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*FINANCE_WORK_ROLES)
def insurance_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)
    if not finance.can_arrange_finance(request.user, contract):
        raise Http404
    start_range = finance.policy_start_range(contract.store.today())
    form = InsuranceForm(request.POST if request.method == "POST" else None,
                         start_range=start_range)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                policy = finance.insurance_add(actor=request.user, contract=contract,
                                               **form.cleaned_data)
            except ValidationError as error:
                status = refusal_status(error)
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Policy %(number)s of %(insurer)s recorded.")
                                 % {"number": policy.policy_number,
                                    "insurer": policy.insurer})
                return redirect(contract.get_absolute_url())
    return render(request, INSURANCE_FORM, {"contract": contract, "form": form,
                                            "start_range": start_range}, status=status)
