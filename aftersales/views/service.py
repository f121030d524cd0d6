"""The service desk: the advisor's home (today's visits, check-in in place, first
maintenances to book, places left), booking (one click from the day-30 reminder), the day
and week calendars, an appointment's page with its actions, the service record, and the
manager's capacity per type. Forms work as plain POST → redirect; with htmx the desk's
row is swapped."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aftersales.enums import AppointmentStatus, AppointmentType
from aftersales.forms.service import (
    BookingForm,
    CancelForm,
    CapacityForm,
    CheckInForm,
    CompleteForm,
)
from aftersales.models import Appointment
from aftersales.permissions import (
    SERVICE_BOOKING_ROLES,
    SERVICE_DESK_ROLES,
    SERVICE_SETTINGS_ROLES,
    SERVICE_VIEW_ROLES,
    can_book_service,
    can_work_service_desk,
)
from aftersales.selectors import service as selectors
from aftersales.services import service as services
from dealership.forms import apply_service_errors, refusal_status
from dealership.htmx import partial_template
from dealership.permissions import role_required

DESK = "aftersales/service_desk.html"
BOOK = "aftersales/service_book.html"
DAY = "aftersales/service_day.html"
WEEK = "aftersales/service_week.html"
APPOINTMENT = "aftersales/service_appointment.html"
COMPLETE = "aftersales/service_complete.html"
RECORD = "aftersales/service_record.html"
CAPACITY = "aftersales/service_capacity.html"


def _day_param(raw: str | None, today: dt.date) -> tuple[dt.date, str]:
    """A ?day= / ?week= within a year of today, or today with a notice."""
    if not raw:
        return today, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return today, _("“%(value)s” is not a date (YYYY-MM-DD); showing today.") % {
            "value": raw[:20]}
    if abs((day - today).days) > selectors.CALENDAR_SPAN_DAYS:
        return today, _("The calendar shows a year either side of today; showing today.")
    return day, ""


# --- The desk -------------------------------------------------------------------------------
def _desk_context(request: HttpRequest) -> dict:
    desk = selectors.service_desk_board(user=request.user)
    for appointment in desk.appointments:
        appointment.check_in_form = CheckInForm(prefix=f"a{appointment.pk}")
    return {"desk": desk,
            "can_act": can_work_service_desk(request.user, request.user.store_id),
            "can_book": request.user.role in SERVICE_BOOKING_ROLES}


@require_safe
@role_required(*SERVICE_VIEW_ROLES)
def service_desk(request: HttpRequest) -> HttpResponse:
    return render(request, DESK, _desk_context(request))


# --- Capacity -------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@role_required(*SERVICE_SETTINGS_ROLES)
def service_capacity(request: HttpRequest) -> HttpResponse:
    store = request.user.store
    capacity = selectors.capacity_by_type(store_id=store.pk)
    form = CapacityForm(request.POST or None, capacity=capacity)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.service_capacity_set(actor=request.user, store=store,
                                              capacities=form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Workshop capacity saved."))
                return redirect("aftersales:service_capacity")
        return render(request, CAPACITY, {"form": form}, status=400)
    return render(request, CAPACITY, {"form": form})


# --- Booking --------------------------------------------------------------------------------
def _booking_initial(request: HttpRequest, step, customer) -> dict:
    """The form prefilled from the day-30 reminder: its customer and car, a first
    maintenance on the first day from tomorrow with a place, at the first slot."""
    store = request.user.store
    initial = {"slot": selectors.SLOT_TIMES[0].strftime("%H:%M")}
    if step is not None:
        kind = AppointmentType.FIRST_MAINTENANCE
        day = selectors.first_free_day(store=store, appointment_type=kind,
                                       start=store.today() + dt.timedelta(days=1))
        initial |= {"customer": step.customer_id, "vehicle": step.plan.vehicle_id,
                    "appointment_type": kind, "day": day, "care_step": step.pk}
    elif customer is not None:
        initial["customer"] = customer.pk
        vehicles = list(selectors.owner_vehicles(store_id=store.pk, customer_id=customer.pk)[:2])
        if len(vehicles) == 1:
            initial["vehicle"] = vehicles[0].pk
    return initial


def _int_param(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


@require_http_methods(["GET", "POST"])
@role_required(*SERVICE_BOOKING_ROLES)
def appointment_book(request: HttpRequest) -> HttpResponse:
    store = request.user.store
    data = request.POST if request.method == "POST" else request.GET
    step_pk = _int_param(data.get("care_step"))
    step = (selectors.care_step_for_booking(user=request.user, pk=step_pk)
            if step_pk is not None else None)
    customer, notice = step.customer if step is not None else None, ""
    if step is not None and not step.is_open:
        notice = _("This first-maintenance reminder is closed already (%(status)s).") % {
            "status": step.get_status_display()}
    if customer is None and (customer_pk := _int_param(request.GET.get("customer"))):
        customer = selectors.customer_get_for_booking(user=request.user, pk=customer_pk)
        if not selectors.owner_vehicles(store_id=store.pk, customer_id=customer.pk).exists():
            notice = _("%(name)s has no car handed over yet: only owners are booked into "
                       "the workshop.") % {"name": customer.name}
            customer = None
    form = BookingForm(request.POST or None, store_id=store.pk, customer=customer,
                       initial=_booking_initial(request, step, customer))
    form.fields["day"].set_range(*selectors.booking_range(store))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in
                      ("customer", "vehicle", "appointment_type", "day", "slot", "note")}
            try:
                appointment = services.appointment_book(actor=request.user, care_step=step,
                                                        **values)
            except ValidationError as error:
                status = refusal_status(error)
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Booked: %(type)s on %(day)s at %(slot)s.") % {
                    "type": appointment.get_appointment_type_display(),
                    "day": appointment.day.isoformat(),
                    "slot": appointment.slot.strftime("%H:%M")})
                return redirect("aftersales:appointment_detail", pk=appointment.pk)
    day = (getattr(form, "cleaned_data", {}).get("day") if form.is_bound
           else form.initial.get("day"))
    places = (selectors.places_between(store_id=store.pk, start=day, end=day)[day]
              if day else None)
    return render(request, BOOK, {"form": form, "step": step, "customer": customer,
                                  "places": places, "notice": notice}, status=status)


# --- Calendars ------------------------------------------------------------------------------
@require_safe
@role_required(*SERVICE_VIEW_ROLES)
def service_day(request: HttpRequest) -> HttpResponse:
    store = request.user.store
    today = store.today()
    day, notice = _day_param(request.GET.get("day"), today)
    context = {"board": selectors.service_day_board(store=store, day=day), "day": day,
               "today": today, "notice": notice,
               "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
               "can_book": request.user.role in SERVICE_BOOKING_ROLES}
    return render(request, DAY, context, status=400 if notice else 200)


@require_safe
@role_required(*SERVICE_VIEW_ROLES)
def service_week(request: HttpRequest) -> HttpResponse:
    store = request.user.store
    today = store.today()
    start, notice = _day_param(request.GET.get("week"), today)
    context = {"days": selectors.service_week_board(store=store, start=start),
               "start": start, "today": today, "notice": notice,
               "types": AppointmentType.choices,
               "previous": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7)}
    return render(request, WEEK, context, status=400 if notice else 200)


# --- One appointment ------------------------------------------------------------------------
def _appointment_context(request: HttpRequest, appointment: Appointment, **forms) -> dict:
    user = request.user
    booked = appointment.status == AppointmentStatus.BOOKED
    return {
        "appointment": appointment,
        "record": getattr(appointment, "record", None)
        if appointment.status == AppointmentStatus.COMPLETED else None,
        "can_act": can_work_service_desk(user, appointment.store_id),
        "can_cancel": booked and can_book_service(user, appointment.customer),
        "check_in_form": forms.get("check_in_form") or CheckInForm(
            prefix=f"a{appointment.pk}"),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "refusal": forms.get("refusal", ""),
    }


@require_safe
@role_required(*SERVICE_VIEW_ROLES)
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, pk=pk)
    return render(request, APPOINTMENT, _appointment_context(request, appointment))


def _refused(request: HttpRequest, appointment: Appointment, status: int, **forms
             ) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, pk=appointment.pk)
    return render(request, APPOINTMENT, _appointment_context(request, appointment, **forms),
                  status=status)


@require_POST
@role_required(*SERVICE_DESK_ROLES)
def appointment_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, pk=pk)
    form = CheckInForm(request.POST, prefix=f"a{appointment.pk}")
    status, notice = 400, ""
    if form.is_valid():
        try:
            services.appointment_check_in(actor=request.user, appointment=appointment,
                                          mileage=form.cleaned_data["mileage"])
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            status, notice = 200, _("Checked in.")
    if request.htmx:
        row = selectors.appointment_get_for_user(user=request.user, pk=pk)
        row.check_in_form = form if status != 200 else CheckInForm(prefix=f"a{pk}")
        return render(request, partial_template(request, DESK, "appointment-row"),
                      {"appointment": row, "notice": notice, "failed": status != 200,
                       "can_act": True}, status=status)
    if status == 200:
        messages.success(request, notice)
        return redirect("aftersales:appointment_detail", pk=pk)
    refusal = " ".join(form.non_field_errors())
    return _refused(request, appointment, status, check_in_form=form, refusal=refusal)


@require_http_methods(["GET", "POST"])
@role_required(*SERVICE_DESK_ROLES)
def appointment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, pk=pk)
    store = appointment.store
    initial = {"mileage": appointment.mileage_in}
    form = CompleteForm(request.POST or None, initial=initial)
    today = store.today()
    form.fields["next_due_on"].set_range(today + dt.timedelta(days=1),
                                         today + dt.timedelta(days=services.NEXT_DUE_HORIZON_DAYS))
    settings = selectors.care_settings_of(store)
    context = {"appointment": appointment, "form": form, "settings": settings,
               "default_due_on": today + dt.timedelta(days=settings.maintenance_interval_days)}
    if request.method == "GET":
        status = 200 if appointment.status == AppointmentStatus.CHECKED_IN else 409
        return render(request, COMPLETE, context, status=status)
    status = 400
    if form.is_valid():
        try:
            record = services.appointment_complete(actor=request.user, appointment=appointment,
                                                   **form.service_values())
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error, field_for={"items": "item_0"})
        else:
            messages.success(request, _("Visit completed; the service record is written."))
            return redirect("aftersales:service_record", pk=record.pk)
    context["appointment"] = selectors.appointment_get_for_user(user=request.user, pk=pk)
    return render(request, COMPLETE, context, status=status)


@require_POST
@role_required(*SERVICE_BOOKING_ROLES)
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.appointment_cancel(actor=request.user, appointment=appointment,
                                        reason=form.cleaned_data["reason"])
        except ValidationError as error:
            status = refusal_status(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Appointment cancelled; its place is free again."))
            return redirect("aftersales:appointment_detail", pk=pk)
    refusal = " ".join(form.non_field_errors())
    return _refused(request, appointment, status, cancel_form=form, refusal=refusal)


@require_POST
@role_required(*SERVICE_DESK_ROLES)
def appointment_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get_for_user(user=request.user, pk=pk)
    try:
        services.appointment_no_show(actor=request.user, appointment=appointment)
    except ValidationError as error:
        return _refused(request, appointment, refusal_status(error),
                        refusal=" ".join(error.messages))
    messages.success(request, _("Marked as a no-show; the place is free again."))
    return redirect("aftersales:appointment_detail", pk=pk)


# --- The record -----------------------------------------------------------------------------
@require_safe
@role_required(*SERVICE_VIEW_ROLES)
def service_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.service_record_get_for_user(user=request.user, pk=pk)
    items = list(record.items.all())
    total = sum((item.amount for item in items), start=services.Decimal(0))
    return render(request, RECORD, {"record": record, "items": items, "total": total})
