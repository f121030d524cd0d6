"""The inspection (PDI) and its store list, the delivery calendar and appointment, and the
handover itself: a phone-first page the consultant fills in next to the car, then
completes through the delivery gate. Forms work as plain POST → redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contracts.models import Contract
from dealership.forms import apply_service_errors, refusal_status
from dealership.permissions import role_required
from delivery.enums import HANDOVER_CHECKLIST, GateCondition
from delivery.forms.handover import (
    AppointmentForm,
    HandoverCompleteForm,
    HandoverForm,
    PdiCheckForm,
    PdiItemEditForm,
    PdiItemForm,
)
from delivery.models import Handover, PdiItem
from delivery.selectors.handover import (
    CALENDAR_ROLES,
    CALENDAR_SPAN_DAYS,
    HANDOVER_ROLES,
    PDI_ITEM_ROLES,
    can_override_gate,
    contract_for_handover,
    delivery_calendar_for_user,
    gate_view,
    handover_of,
    open_vehicle,
)
from delivery.selectors.pdi import pdi_items_for_store, pdi_state
from delivery.services import handover as services
from delivery.services import pdi as pdi_services

PDI_ITEMS = "delivery/pdi_items.html"
PDI = "delivery/pdi.html"
CALENDAR = "delivery/calendar.html"
APPOINTMENT = "delivery/appointment.html"
HANDOVER = "delivery/handover.html"


# --- The store's inspection list ----------------------------------------------------------
def _items_context(request: HttpRequest, *, form=None, edit_forms=None) -> dict:
    items = list(pdi_items_for_store(store_id=request.user.store_id, include_retired=True))
    edit_forms = edit_forms or {}
    for item in items:
        item.form = edit_forms.get(item.pk) or PdiItemEditForm(
            prefix=f"item-{item.pk}",
            initial={"label": item.label, "order": item.order, "active": item.active})
    return {"items": items, "form": form or PdiItemForm()}


@require_http_methods(["GET", "POST"])
@role_required(*PDI_ITEM_ROLES)
def pdi_items(request: HttpRequest) -> HttpResponse:
    # The list is the store's own from its first use: copied from the defaults once.
    pdi_services.pdi_items_ensure(store=request.user.store)
    form = PdiItemForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                pdi_services.pdi_item_add(actor=request.user, store=request.user.store,
                                          label=form.cleaned_data["label"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Item added to the inspection list."))
                return redirect("delivery:pdi_items")
        return render(request, PDI_ITEMS, _items_context(request, form=form), status=400)
    return render(request, PDI_ITEMS, _items_context(request))


@require_POST
@role_required(*PDI_ITEM_ROLES)
def pdi_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PdiItem, pk=pk, store_id=request.user.store_id)
    form = PdiItemEditForm(request.POST, prefix=f"item-{item.pk}")
    if form.is_valid():
        try:
            pdi_services.pdi_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Inspection list saved."))
            return redirect("delivery:pdi_items")
    return render(request, PDI_ITEMS, _items_context(request, edit_forms={item.pk: form}),
                  status=400)


# --- The inspection of one contract's car ---------------------------------------------------
def _pdi_context(contract: Contract, *, form: PdiCheckForm | None = None) -> dict:
    vehicle = open_vehicle(contract)
    state = pdi_state(contract, vehicle)
    items = [line.item for line in state.items]
    if vehicle is None:
        items = list(pdi_items_for_store(store_id=contract.store_id))
    return {"contract": contract, "vehicle": vehicle, "state": state,
            "form": form or PdiCheckForm(items=items)}


@require_http_methods(["GET", "POST"])
@role_required(*HANDOVER_ROLES)
def pdi(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for_handover(user=request.user, pk=pk)
    pdi_services.pdi_items_ensure(store=contract.store)
    if request.method == "GET":
        return render(request, PDI, _pdi_context(contract))
    items = list(pdi_items_for_store(store_id=contract.store_id))
    form = PdiCheckForm(request.POST, items=items)
    status = 400
    if form.is_valid():
        try:
            state = pdi_services.pdi_record(actor=request.user, contract=contract,
                                            results=form.cleaned_data["results"])
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Inspection passed: the car is ready for its "
                                        "handover.") if state.passed
                             else _("Inspection saved."))
            return redirect("delivery:pdi", pk=contract.pk)
    return render(request, PDI, _pdi_context(contract, form=form), status=status)


# --- The calendar and the appointment ---------------------------------------------------------
def _day(raw: str | None, today: dt.date) -> tuple[dt.date, str]:
    """The ?day= of the calendar (within a year of today), or today with a notice."""
    if not raw:
        return today, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return today, _("“%(value)s” is not a date (YYYY-MM-DD); showing today.") % {
            "value": raw[:20]}
    if abs((day - today).days) > CALENDAR_SPAN_DAYS:
        return today, _("The calendar shows a year either side of today; showing today.")
    return day, ""


@require_safe
@role_required(*CALENDAR_ROLES)
def delivery_calendar(request: HttpRequest) -> HttpResponse:
    today = request.user.store.today()
    day, notice = _day(request.GET.get("day"), today)
    span = dt.timedelta(days=CALENDAR_SPAN_DAYS)
    previous, following = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    context = {"day": day, "today": today, "notice": notice,
               "rows": delivery_calendar_for_user(user=request.user, day=day),
               "previous": previous if today - previous <= span else None,
               "next": following if following - today <= span else None}
    return render(request, CALENDAR, context, status=400 if notice else 200)


@require_http_methods(["GET", "POST"])
@role_required(*HANDOVER_ROLES)
def appointment(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for_handover(user=request.user, pk=pk)
    handover = handover_of(contract)
    initial = {"scheduled_at": handover.scheduled_at, "place": handover.place} if handover else {}
    form = AppointmentForm(request.POST or None, initial=initial)
    form.fields["scheduled_at"].set_range(*services.appointment_range(contract))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.handover_schedule(actor=request.user, contract=contract,
                                           **form.cleaned_data)
            except ValidationError as error:
                status = refusal_status(error)
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Delivery appointment saved."))
                return redirect("delivery:handover", pk=contract.pk)
    return render(request, APPOINTMENT, {"contract": contract, "handover": handover,
                                         "form": form}, status=status)


# --- The handover -----------------------------------------------------------------------------
def _stored_form(handover: Handover | None) -> HandoverForm:
    """The ceremony's form showing what is saved."""
    initial = {}
    if handover is not None:
        initial = {name: getattr(handover, name) for name, _label in HANDOVER_CHECKLIST}
        initial |= {"plate_number": handover.plate_number,
                    "plate_registered_on": handover.plate_registered_on}
    return HandoverForm(initial=initial)


def _handover_context(request: HttpRequest, contract: Contract, *, form=None,
                      complete_form=None, refusal: str = "") -> dict:
    handover = handover_of(contract)
    gate = gate_view(contract)
    form = form or _stored_form(handover)
    form.fields["plate_registered_on"].set_range(*services.plate_date_range(contract))
    return {"contract": contract, "handover": handover, "gate": gate, "form": form,
            "complete_form": complete_form or HandoverCompleteForm(),
            "can_override": can_override_gate(request.user), "refusal": refusal,
            "conditions": [(c, c not in gate.unmet) for c in GateCondition]}


@require_http_methods(["GET", "POST"])
@role_required(*HANDOVER_ROLES)
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for_handover(user=request.user, pk=pk)
    if request.method == "GET":
        return render(request, HANDOVER, _handover_context(request, contract))
    form = HandoverForm(request.POST, request.FILES)
    form.fields["plate_registered_on"].set_range(*services.plate_date_range(contract))
    status = 400
    if form.is_valid():
        values = dict(form.cleaned_data)
        photo = values.pop("photo", None) or None
        try:
            services.handover_update(actor=request.user, contract=contract, photo=photo,
                                     **values)
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Handover saved."))
            return redirect("delivery:handover", pk=contract.pk)
    return render(request, HANDOVER, _handover_context(request, contract, form=form),
                  status=status)


@require_POST
@role_required(*HANDOVER_ROLES)
def handover_complete(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for_handover(user=request.user, pk=pk)
    form = HandoverCompleteForm(request.POST)
    status, refusal = 400, ""
    if form.is_valid():
        try:
            services.handover_complete(actor=request.user, contract=contract,
                                       **form.cleaned_data)
        except ValidationError as error:
            status = refusal_status(error)
            if status == 409:
                refusal = " ".join(error.messages)
            elif set(error.message_dict) <= {"override_reason", "override_condition"}:
                apply_service_errors(form, error)
            else:  # the ceremony is not finished: say which box, on the checklist
                refusal = _("Finish the handover first: tick every box and upload the "
                            "photo.")
                checklist = _stored_form(handover_of(contract))
                checklist._errors, checklist.cleaned_data = ErrorDict(), {}
                apply_service_errors(checklist, error)
                return render(request, HANDOVER, _handover_context(
                    request, contract, form=checklist, complete_form=form,
                    refusal=refusal), status=400)
        else:
            messages.success(request, _("Handed over: the contract and the car are "
                                        "delivered."))
            return redirect("delivery:handover", pk=contract.pk)
    contract.refresh_from_db()
    return render(request, HANDOVER, _handover_context(request, contract, complete_form=form,
                                                       refusal=refusal), status=status)


@require_safe
@role_required(*HANDOVER_ROLES)
def handover_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo with the customer, to those who may open the contract: never a public
    media URL."""
    contract = contract_for_handover(user=request.user, pk=pk)
    handover = Handover.objects.filter(contract_id=contract.pk).first()
    if handover is None or not handover.photo:
        raise Http404
    response = FileResponse(handover.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
