"""Contract screens: the list, drafting from a quote, the contract page with its actions
(one service per transition), the edit form, the manager's review queue, the draft
preview, the document panel and the stored PDF.

Every action works as a plain POST → redirect. With htmx, a done action returns the whole
contract page partial (its state, actions, timeline all change), a refused one the
actions panel with the errors: 400 for input to fix, 409 when the contract is no longer
in the state the action starts from (someone else acted first)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from contracts.enums import CANCELLABLE_CONTRACT_STATUSES, ContractStatus, DocumentStatus
from contracts.forms.contracts import (
    ApproveForm,
    CancelForm,
    ContractEditForm,
    RejectForm,
    SignForm,
)
from contracts.models import Contract
from contracts.permissions import (
    CONTRACT_REVIEW_ROLES,
    CONTRACT_VIEW_ROLES,
    CONTRACT_WRITE_ROLES,
    can_cancel_contract,
    can_close_contract,
    can_review_contract,
    can_work_contract,
)
from contracts.selectors.contracts import (
    contract_document_of,
    contract_get_for_user,
    contract_list_for_user,
    contract_status_now,
    contract_timeline,
    quote_get_for_contract,
    review_queue_for_user,
)
from contracts.selectors.ledger import contract_payments, contract_refund_of, money_received
from contracts.services import contracts as services
from contracts.services.documents import MAX_ATTEMPTS
from dealership.enums import Role
from dealership.exports import CHUNK_SIZE, csv_day, csv_response, csv_stamp
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.models import User
from dealership.money import ZERO
from dealership.pagination import paginate
from dealership.permissions import can_view_full_pii, role_required

LIST = "contracts/contract_list.html"
DETAIL = "contracts/contract_detail.html"
EDIT = "contracts/contract_edit.html"
QUEUE = "contracts/review_queue.html"
# Closing a delivered contract is the manager's or finance's (contracts.permissions).
CLOSE_ROLES = (*CONTRACT_WRITE_ROLES, Role.FINANCE)


# --- The list -----------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*CONTRACT_VIEW_ROLES)
def contract_list(request: HttpRequest) -> HttpResponse:
    filterset, contracts = contract_list_for_user(user=request.user, params=request.GET)
    page = paginate(contracts, request.GET)
    filtered = any(request.GET.get(name) for name in filterset.filters)
    # Only the filter form swaps the rows; another htmx request (a history restore) gets
    # the page.
    template = (partial_template(request, LIST, "contract-rows")
                if request.htmx.target == "contract-rows" else LIST)
    context = {"filter": filterset, "page": page, "filtered": filtered}
    return render(request, template, context, status=400 if filterset.errors else 200)



@require_safe
@role_required(*CONTRACT_VIEW_ROLES)
def contract_export(request: HttpRequest) -> HttpResponse:
    """The filtered contract list as CSV, streamed: the columns of the list."""
    filterset, contracts = contract_list_for_user(user=request.user, params=request.GET)
    if filterset.errors:
        return contract_list(request)  # the list with its filter errors, 400
    # The administrator has no store: the site's zone, as the customer export.
    tz = request.user.store.tzinfo if request.user.store_id else timezone.get_current_timezone()
    statuses = dict(ContractStatus.choices)
    header = [_("Contract"), _("Buyer"), _("Vehicle"), _("Colour"), _("Total (CNY)"),
              _("State"), _("Consultant"), _("Signed at"), _("Promised delivery")]
    draft = _("Draft #%(id)s")
    rows = ([c.number or draft % {"id": c.pk}, c.buyer_name, c.vehicle_description,
             c.colour_name, c.total_price, str(statuses.get(c.status, c.status)),
             str(c.consultant or ""), csv_stamp(c.signed_at, tz),
             csv_day(c.promised_delivery_date)]
            for c in contracts.iterator(chunk_size=CHUNK_SIZE))
    return csv_response(header=header, rows=rows,
                        filename=f"contracts-{timezone.localdate(timezone=tz):%Y%m%d}")

# --- Drafting from a quote ----------------------------------------------------------------
@require_POST
@role_required(*CONTRACT_WRITE_ROLES)
def contract_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote page's "Draft the contract" button."""
    quote = quote_get_for_contract(user=request.user, pk=pk)
    try:
        contract = services.contract_draft(actor=request.user, quote=quote)
    except ValidationError as error:
        text = " ".join(error.messages)
        if request.htmx:
            return render(request, "contracts/contract_create_error.html", {"message": text},
                          status=400)
        messages.error(request, text)
        return redirect("contracts:quote_detail", pk=quote.pk)
    messages.success(request, _("Contract drafted from quote %(number)s: check the buyer's "
                                "details, the deposit and the delivery date.")
                     % {"number": quote.number})
    url = reverse("contracts:contract_edit", kwargs={"pk": contract.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- The contract page --------------------------------------------------------------------
def _actions(user: User, contract: Contract) -> dict[str, bool]:
    """Which actions this user may take on the contract in its current state."""
    status, work = contract.status, can_work_contract(user, contract)
    cancel = status in CANCELLABLE_CONTRACT_STATUSES and can_cancel_contract(user, contract)
    return {
        "edit": status == ContractStatus.DRAFT and work,
        "submit": status == ContractStatus.DRAFT and work,
        "review": (status == ContractStatus.IN_REVIEW
                   and can_review_contract(user, contract)),
        "sign": status == ContractStatus.APPROVED and work,
        "close": status == ContractStatus.DELIVERED and can_close_contract(user, contract),
        "cancel": cancel,
        # A seller looking at a signed contract: say who can cancel it now.
        "cancel_is_managers": status == ContractStatus.SIGNED and work and not cancel,
    }


def _sign_form(contract: Contract, data=None) -> SignForm:
    return SignForm(data, deposit_required=contract.deposit_amount > 0)


def _document_context(contract: Contract) -> dict:
    """The document panel: it polls while a worker may still store the PDF, and stops
    once it is ready or the worker has given up."""
    document = contract_document_of(contract)
    polling = document is not None and (
        document.status == DocumentStatus.PENDING
        or (document.status == DocumentStatus.FAILED and document.attempts < MAX_ATTEMPTS))
    return {"contract": contract, "document": document, "polling": polling}


def _detail_context(user: User, contract: Contract, **overrides) -> dict:
    actions = _actions(user, contract)
    context = {
        "contract": contract, "actions": actions, "statuses": ContractStatus,
        # Phone and ID number masked until an audited "show in full", as on the customer page.
        "can_reveal": can_view_full_pii(user, contract.customer), "revealed": False,
        "timeline": contract_timeline(contract=contract),
        "payments": contract_payments(contract=contract),
        "refund": contract_refund_of(contract=contract), **_document_context(contract),
        # What a cancellation now would owe back to the customer.
        "refund_if_cancelled": (money_received(contract=contract) if actions["cancel"]
                                else ZERO),
        "approve_form": ApproveForm(), "reject_form": RejectForm(),
        "cancel_form": CancelForm(), "sign_form": _sign_form(contract),
    }
    context.update(overrides)
    return context


@require_safe
@role_required(*CONTRACT_VIEW_ROLES)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)
    return render(request, DETAIL, _detail_context(request.user, contract))


@require_POST
@role_required(*CONTRACT_VIEW_ROLES)
def contract_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer's phone and ID number in full, once, audited."""
    contract = contract_get_for_user(user=request.user, pk=pk)
    services.contract_reveal_pii(actor=request.user, contract=contract)
    context = {"contract": contract, "can_reveal": True, "revealed": True}
    if request.htmx:
        return render(request, partial_template(request, DETAIL, "buyer-details"), context)
    return render(request, DETAIL, _detail_context(request.user, contract, revealed=True))


# --- The edit form ------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@role_required(*CONTRACT_WRITE_ROLES)
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)
    if not can_work_contract(request.user, contract):
        raise PermissionDenied
    if request.method == "GET" and contract.status != ContractStatus.DRAFT:
        messages.info(request, _("Only a draft can be changed; this contract is %(status)s.")
                      % {"status": contract.get_status_display()})
        return redirect(contract)
    form = ContractEditForm.for_contract(
        contract, request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.contract_update(actor=request.user, contract=contract,
                                         **form.update_kwargs())
            except ValidationError as error:
                apply_service_errors(form, error)
                if contract_status_now(pk=contract.pk) != ContractStatus.DRAFT:
                    status = 409
            else:
                messages.success(request, _("Draft saved."))
                url = contract.get_absolute_url()
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render(request, partial_template(request, EDIT, "contract-form"),
                  {"contract": contract, "form": form}, status=status)


# --- Transitions --------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One action of the contract page: its service, who may take it, the states it
    starts from, its form (on the page under `form_name`) and what it says when done."""

    service: Callable[..., Contract]
    allowed: Callable[[User, Contract], bool]
    starts_from: tuple[str, ...]
    done: Promise
    form: Callable[..., forms.Form] | None = None
    form_name: str = ""


STEPS = {
    "submit": Step(services.contract_submit, can_work_contract, (ContractStatus.DRAFT,),
                   gettext_lazy("Sent to the manager for review.")),
    "approve": Step(services.contract_approve, can_review_contract,
                    (ContractStatus.IN_REVIEW,), gettext_lazy("Contract approved."),
                    lambda contract, data: ApproveForm(data), "approve_form"),
    "reject": Step(services.contract_reject, can_review_contract,
                   (ContractStatus.IN_REVIEW,),
                   gettext_lazy("Sent back to the consultant with your reason."),
                   lambda contract, data: RejectForm(data), "reject_form"),
    "sign": Step(services.contract_sign, can_work_contract, (ContractStatus.APPROVED,),
                 gettext_lazy("Signed. The contract PDF is being generated."),
                 _sign_form, "sign_form"),
    "close": Step(services.contract_close, can_close_contract, (ContractStatus.DELIVERED,),
                  gettext_lazy("Contract closed.")),
    "cancel": Step(services.contract_cancel, can_cancel_contract,
                   CANCELLABLE_CONTRACT_STATUSES, gettext_lazy("Contract cancelled."),
                   lambda contract, data: CancelForm(data), "cancel_form"),
}


def _from_queue(request: HttpRequest) -> bool:
    return request.POST.get("from") == "queue"


def _transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """form → service → the page (or the queue's row); a refusal keeps the input."""
    step = STEPS[name]
    contract = contract_get_for_user(user=request.user, pk=pk)
    if not step.allowed(request.user, contract):
        raise PermissionDenied
    form = step.form(contract, request.POST) if step.form else None
    errors: list[str] = []
    status = 400
    if form is None or form.is_valid():
        try:
            step.service(actor=request.user, contract=contract,
                         **(form.cleaned_data if form else {}))
        except ValidationError as error:
            # A wrong state and bad input raise the same error; the state now tells which.
            if contract_status_now(pk=contract.pk) not in step.starts_from:
                status, errors = 409, error.messages
            elif form is not None:
                apply_service_errors(form, error)
            else:
                errors = error.messages
        else:
            return _done(request, pk, str(step.done))
    return _refused(request, pk, status=status, errors=errors,
                    forms_={step.form_name: form} if form is not None and status == 400
                    else {})


def _done(request: HttpRequest, pk: int, text: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, text)
        return redirect("contracts:review_queue" if _from_queue(request)
                        else reverse("contracts:contract_detail", kwargs={"pk": pk}))
    contract = contract_get_for_user(user=request.user, pk=pk)
    if _from_queue(request):
        return render(request, partial_template(request, QUEUE, "review-row"),
                      {"contract": contract, "notice": text, "reject_form": RejectForm()})
    response = render(request, partial_template(request, DETAIL, "contract-page"),
                      _detail_context(request.user, contract, notice=text))
    # The action was posted from the actions panel; its outcome changes the whole page.
    return retarget(reswap(response, "outerHTML"), "#contract-page")


def _refused(request: HttpRequest, pk: int, *, status: int, errors: list[str],
             forms_: dict[str, forms.Form]) -> HttpResponse:
    # Read again: after a 409 the panel shows what may be done in the state now.
    contract = contract_get_for_user(user=request.user, pk=pk)
    if _from_queue(request):
        form = forms_.get("reject_form") or RejectForm()
        errors = errors or [text for form_ in forms_.values()
                            for texts in form_.errors.values() for text in texts]
        context = {"contract": contract, "errors": errors, "reject_form": form}
        if request.htmx:
            return render(request, partial_template(request, QUEUE, "review-row"), context,
                          status=status)
        context["contracts"] = review_queue_for_user(user=request.user)
        return render(request, QUEUE, context, status=status)
    context = _detail_context(request.user, contract, action_errors=errors, **forms_)
    return render(request, partial_template(request, DETAIL, "contract-actions"), context,
                  status=status)


@require_POST
@role_required(*CONTRACT_WRITE_ROLES)
def contract_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@require_POST
@role_required(*CONTRACT_REVIEW_ROLES)
def contract_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "approve")


@require_POST
@role_required(*CONTRACT_REVIEW_ROLES)
def contract_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "reject")


@require_POST
@role_required(*CONTRACT_WRITE_ROLES)
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "sign")


@require_POST
@role_required(*CLOSE_ROLES)
def contract_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "close")


@require_POST
@role_required(*CONTRACT_WRITE_ROLES)
def contract_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "cancel")


# --- The manager's review queue -----------------------------------------------------------
@require_safe
@role_required(*CONTRACT_REVIEW_ROLES)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, QUEUE, {"contracts": review_queue_for_user(user=request.user),
                                   "reject_form": RejectForm()})


# --- Documents ----------------------------------------------------------------------------
@require_safe
@role_required(*CONTRACT_VIEW_ROLES)
def contract_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """An unsigned contract, rendered now with a "draft" watermark; never stored."""
    contract = contract_get_for_user(user=request.user, pk=pk)
    if contract.signed_at is not None:
        return redirect("contracts:contract_download", pk=contract.pk)
    # WeasyPrint is heavy to import: only this view and the worker need it.
    from contracts.documents import contract_pdf

    response = HttpResponse(contract_pdf(contract, draft=True),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="contract-draft-{contract.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@role_required(*CONTRACT_VIEW_ROLES)
def contract_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The document panel; it polls itself while the PDF is being generated."""
    contract = contract_get_for_user(user=request.user, pk=pk)
    # The panel's own URL, polled by htmx: any request gets the panel, which is all its
    # context holds.
    return render(request, f"{DETAIL}#contract-document", _document_context(contract))


@require_safe
@role_required(*CONTRACT_VIEW_ROLES)
def contract_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF of a signed contract, exactly as written once; never re-rendered."""
    contract = contract_get_for_user(user=request.user, pk=pk)
    document = contract_document_of(contract)
    if document is None or document.status != DocumentStatus.READY:
        raise Http404
    etag = f'"{document.sha256}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = FileResponse(document.file.open("rb"), content_type="application/pdf",
                                as_attachment=True, filename=f"{contract.number}.pdf")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
