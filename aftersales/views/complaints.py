"""Complaints: the board by SLA state, the list, a complaint's page with its clocks and
actions, the intake.

Writes are plain POST → redirect. A refusal re-renders the page with the form and the
input kept: 400 for input to fix, 409 when someone else acted first (the complaint is no
longer in a state that allows the action). The board and the clocks poll with htmx every
minute; the server writes the countdowns ("1 h 12 min left"), no script does.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from aftersales.enums import ComplaintStatus
from aftersales.forms.complaints import (
    AssignForm,
    CloseForm,
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintListFilterForm,
    CustomerSearchForm,
    NoteForm,
    ProposeForm,
    ReopenForm,
    ResolveForm,
    RespondForm,
)
from aftersales.models import Complaint
from aftersales.permissions import (
    COMPLAINT_VIEW_ROLES,
    COMPLAINT_WORK_ROLES,
    can_work_complaint,
    can_work_complaints,
)
from aftersales.selectors import complaints as selectors
from aftersales.services import complaints as services
from contracts.models import Contract
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.models import Customer, User
from dealership.permissions import role_required

PAGE_SIZE = 25
CUSTOMERS_FOUND = 10
BOARD = "aftersales/complaint_board.html"
LIST = "aftersales/complaint_list.html"
DETAIL = "aftersales/complaint_detail.html"
CREATE = "aftersales/complaint_create.html"


def _status_of(error: ValidationError) -> int:
    errors = (error.error_list if not hasattr(error, "error_dict")
              else [e for errors in error.error_dict.values() for e in errors])
    return 409 if any(e.code == services.CONFLICT for e in errors) else 400


def _store_user(request: HttpRequest) -> User:
    if request.user.store_id is None:
        raise Http404
    return request.user


def _filters(form) -> tuple[dict, bool]:
    if not form.is_bound:
        return {}, True
    valid = form.is_valid()
    return (form.cleaned_data if valid else {}), valid


# --- Board and list --------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*COMPLAINT_VIEW_ROLES)
def complaint_board(request: HttpRequest) -> HttpResponse:
    """The scope's open complaints by SLA state (breached, due soon, on track, awaiting
    the customer's feedback) and the latest closed; htmx polls the board every minute."""
    user = _store_user(request)
    form = ComplaintFilterForm(request.GET or None,
                               handlers=services.complaint_handlers(user.store))
    filters, valid = _filters(form)
    now = timezone.now()
    context = {"form": form, "now": now, "may_work": can_work_complaints(user),
               "filtered": any(filters.values()),
               **selectors.complaint_board(user=user, filters=filters, now=now)}
    return render(request, partial_template(request, BOARD, "complaint-board"), context,
                  status=200 if valid else 400)


@require_safe
@role_required(*COMPLAINT_VIEW_ROLES)
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Every complaint of the scope, newest first, filtered and paginated."""
    user = _store_user(request)
    form = ComplaintListFilterForm(request.GET or None,
                                   handlers=services.complaint_handlers(user.store))
    filters, valid = _filters(form)
    page = Paginator(selectors.complaint_list_for_user(user=user, filters=filters),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    context = {"form": form, "page": page, "now": now,
               "rows": selectors.complaint_rows(page.object_list, now),
               "may_work": can_work_complaints(user),
               "filtered": any(filters.values())}
    return render(request, LIST, context, status=200 if valid else 400)


# --- A complaint's page ----------------------------------------------------------------------
def _action_forms(user: User, complaint: Complaint) -> dict:
    """The forms the complaint's state offers (none to who only looks on)."""
    if not can_work_complaint(user, complaint):
        return {}
    status = complaint.status
    forms: dict = {"note": NoteForm(auto_id="note-%s")}
    if status == ComplaintStatus.OPEN:
        forms["respond"] = RespondForm(auto_id="respond-%s")
    if status in (ComplaintStatus.OPEN, ComplaintStatus.RESPONDED):
        forms["propose"] = ProposeForm(auto_id="propose-%s")
    if status in (ComplaintStatus.OPEN, ComplaintStatus.RESPONDED, ComplaintStatus.PROPOSED):
        forms["resolve"] = ResolveForm(auto_id="resolve-%s")
    if status == ComplaintStatus.RESOLVED:
        forms["close"] = CloseForm(auto_id="close-%s")
    if status in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED):
        forms["reopen"] = ReopenForm(auto_id="reopen-%s")
    if status != ComplaintStatus.CLOSED:
        forms["assign"] = AssignForm(handlers=services.complaint_handlers(complaint.store)
                                     .exclude(pk=complaint.handler_id), auto_id="assign-%s")
    return forms


# Each action's heading and button, in the order the page shows them.
ACTION_TITLES = {
    "respond": (gettext_lazy("First response"), gettext_lazy("Record the response")),
    "propose": (gettext_lazy("Proposal"), gettext_lazy("Record the proposal")),
    "resolve": (gettext_lazy("Resolution"), gettext_lazy("Mark resolved")),
    "close": (gettext_lazy("Close with the customer's feedback"),
              gettext_lazy("Close the complaint")),
    "reopen": (gettext_lazy("The customer reopens it"), gettext_lazy("Reopen")),
    "assign": (gettext_lazy("Hand over"), gettext_lazy("Hand over")),
    "note": (gettext_lazy("Add a note"), gettext_lazy("Add the note")),
}


def _detail_context(user: User, complaint: Complaint, *, bound: dict | None = None) -> dict:
    now = timezone.now()
    [row] = selectors.complaint_rows([complaint], now)
    forms = _action_forms(user, complaint)
    for name, form in (bound or {}).items():
        if name in forms:
            forms[name] = form
    forms = {name: forms[name] for name in ACTION_TITLES if name in forms}
    actions = [{"name": name, "title": ACTION_TITLES[name][0], "button": ACTION_TITLES[name][1],
                "form": form} for name, form in forms.items()]
    return {"complaint": complaint, "row": row, "now": now, "actions": actions,
            "events": list(complaint.events.all()), "breaches": list(complaint.breaches.all()),
            "may_work": can_work_complaint(user, complaint)}


@require_safe
@vary_on_headers("HX-Request")
@role_required(*COMPLAINT_VIEW_ROLES)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The complaint, its clocks (polled every minute), its timeline and, for who works
    it, the actions its state allows."""
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk)
    context = _detail_context(request.user, complaint)
    return render(request, partial_template(request, DETAIL, "complaint-clocks"), context)


ACTIONS = {
    "respond": (RespondForm, services.complaint_respond, gettext_lazy("First response recorded.")),
    "propose": (ProposeForm, services.complaint_propose, gettext_lazy("Proposal recorded.")),
    "resolve": (ResolveForm, services.complaint_resolve,
                gettext_lazy("Resolved; record the customer's feedback to close it.")),
    "close": (CloseForm, services.complaint_close, gettext_lazy("Complaint closed.")),
    "reopen": (ReopenForm, services.complaint_reopen,
               gettext_lazy("Complaint reopened; the clocks start again.")),
    "assign": (AssignForm, services.complaint_assign, gettext_lazy("Complaint handed over.")),
    "note": (NoteForm, services.complaint_note_add, gettext_lazy("Note added.")),
}


@require_POST
@role_required(*COMPLAINT_WORK_ROLES)
def complaint_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One action of the complaint's page (respond, propose, resolve, close, reopen, assign,
    note), each through its service."""
    user = _store_user(request)
    complaint = selectors.complaint_get_for_user(user=user, pk=pk)
    form_class, service, done = ACTIONS[action]
    extra = ({"handlers": services.complaint_handlers(complaint.store)}
             if action == "assign" else {})
    form = form_class(request.POST, auto_id=f"{action}-%s", **extra)
    status = 400
    if form.is_valid():
        try:
            service(actor=user, complaint=complaint, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            status = _status_of(error)
        else:
            messages.success(request, str(done))
            return redirect("aftersales:complaint_detail", pk=complaint.pk)
    context_extra = {}
    if status == 409:
        # Someone else acted first: show the complaint as it is now, and say why.
        complaint = selectors.complaint_get_for_user(user=user, pk=pk)
        context_extra["refusal"] = form.non_field_errors()
    return render(request, DETAIL,
                  _detail_context(user, complaint, bound={action: form}) | context_extra,
                  status=status)


# --- Intake ----------------------------------------------------------------------------------
def _customers_found(user: User, term: str) -> list[Customer]:
    term = term.strip()
    if not term:
        return []
    digits = "".join(ch for ch in term if ch.isdigit())
    match = Q(name__icontains=term)
    if len(digits) >= 4:
        match |= Q(phone__contains=digits)
    return list(Customer.objects.filter(store_id=user.store_id, anonymised_at__isnull=True)
                .filter(match).order_by("name", "pk")[:CUSTOMERS_FOUND])


@require_http_methods(["GET", "POST"])
@role_required(*COMPLAINT_WORK_ROLES)
def complaint_create(request: HttpRequest) -> HttpResponse:
    """GET without a customer: find them (name or phone). With `?customer=`: the intake
    form. POST: record the complaint, then its page."""
    user = _store_user(request)
    customers = Customer.objects.filter(store_id=user.store_id, anonymised_at__isnull=True)
    chosen_pk = request.POST.get("customer") or request.GET.get("customer")
    customer = (customers.filter(pk=chosen_pk).select_related("owner").first()
                if chosen_pk and str(chosen_pk).isdigit() else None)
    if customer is None:
        if chosen_pk:
            raise Http404
        search = CustomerSearchForm(request.GET or None)
        term = search.cleaned_data["q"] if search.is_valid() else ""
        return render(request, CREATE, {"search": search, "term": term,
                                        "found": _customers_found(user, term)})
    now = timezone.now()
    contracts = (Contract.objects.filter(customer=customer).exclude(number="")
                 .order_by("-signed_at", "-pk"))
    form = ComplaintForm(request.POST if request.method == "POST" else None,
                         initial={"customer": customer.pk},
                         customers=customers.filter(pk=customer.pk), contracts=contracts,
                         now=now)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("customer")
            try:
                complaint = services.complaint_create(actor=user, customer=customer, **data)
            except ValidationError as error:
                apply_service_errors(form, error)
                status = _status_of(error)
            else:
                messages.success(request, _("Complaint %(number)s recorded; the first "
                                            "response is due by %(due)s.")
                                 % {"number": complaint.number,
                                    "due": timezone.localtime(complaint.response_due_at)
                                    .strftime("%Y-%m-%d %H:%M")})
                return redirect("aftersales:complaint_detail", pk=complaint.pk)
    return render(request, CREATE, {"form": form, "customer": customer}, status=status)
