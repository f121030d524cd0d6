"""Test-drive screens: the day calendar of all demo vehicles, one vehicle's week, the
booking form, and a booking's page with its start, finish, feedback and cancel forms.
Every form works as a plain POST → redirect and, with htmx, returns its panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import can_view_full_pii, is_customer_in_scope, role_required
from showroom.enums import TestDriveStatus
from showroom.forms.test_drives import (
    BookingForm,
    CancelForm,
    FeedbackForm,
    OdometerEndForm,
    OdometerStartForm,
)
from showroom.models import TestDrive
from showroom.permissions import (
    BOOKING_ROLES,
    CALENDAR_ROLES,
    can_book_test_drive,
    can_handle_test_drive,
)
from showroom.selectors.test_drives import (
    calendar_day,
    calendar_vehicle,
    demo_vehicle_get_for_user,
    test_drive_get_for_user,
    week_start,
)
from showroom.services import test_drives as services

BOOK = "showroom/test_drive_book.html"
DETAIL = "showroom/test_drive_detail.html"
# Service errors on the slot belong to the form's "time" field.
FIELD_FOR = {"slot_start": "time"}


def _day(raw: str | None, today: dt.date) -> tuple[dt.date, str]:
    """The ?day= of a calendar, or today with a notice when it is no date."""
    if not raw:
        return today, ""
    try:
        day = dt.date.fromisoformat(raw)
        # The first and last year a date can hold leave no room for the previous/next
        # day and week links: no calendar is shown there.
        if not dt.MINYEAR < day.year < dt.MAXYEAR:
            raise ValueError(raw)
        return day, ""
    except ValueError:
        return today, _("“%(value)s” is not a date (YYYY-MM-DD); showing today.") % {
            "value": raw[:20]}


# --- Calendars ----------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*CALENDAR_ROLES)
def calendar(request: HttpRequest) -> HttpResponse:
    day, notice = _day(request.GET.get("day"), timezone.localdate())
    context = {**calendar_day(user=request.user, day=day), "notice": notice,
               "can_book": can_book_test_drive(request.user),
               "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)}
    return render(request, partial_template(request, "showroom/calendar.html", "calendar-grid"),
                  context, status=400 if notice else 200)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*CALENDAR_ROLES)
def vehicle_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = demo_vehicle_get_for_user(user=request.user, pk=pk)
    day, notice = _day(request.GET.get("day"), timezone.localdate())
    start = week_start(day)
    context = {**calendar_vehicle(user=request.user, vehicle=vehicle, start=start),
               "vehicle": vehicle, "notice": notice,
               "can_book": can_book_test_drive(request.user),
               "previous": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7)}
    return render(request,
                  partial_template(request, "showroom/calendar_vehicle.html", "vehicle-week"),
                  context, status=400 if notice else 200)


# --- Booking ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@role_required(*BOOKING_ROLES)
def test_drive_book(request: HttpRequest) -> HttpResponse:
    prefill = {key: request.GET[key] for key in ("vehicle", "day", "time", "customer", "lead",
                                                 "visit") if request.GET.get(key)}
    prefill.setdefault("day", timezone.localdate().isoformat())
    form = BookingForm(request.POST or None, user=request.user, initial=prefill)
    if request.method == "POST" and form.is_valid():
        try:
            drive = services.test_drive_book(actor=request.user, **form.booking_kwargs())
        except ValidationError as error:
            apply_service_errors(form, error, field_for=FIELD_FOR)
        else:
            messages.success(request, _("Test drive booked."))
            if request.htmx:
                return HttpResponseClientRedirect(drive.get_absolute_url())
            return redirect(drive)
    context = {"form": form, "agreement_template": services.AGREEMENT_TEMPLATE,
               "agreement_version": services.AGREEMENT_VERSION}
    return render(request, partial_template(request, BOOK, "booking-form"), context,
                  status=400 if form.is_bound else 200)


# --- One booking --------------------------------------------------------------------------
def _detail_context(user, drive: TestDrive, **forms_: forms.Form) -> dict:
    can_handle = can_handle_test_drive(user, drive)
    in_scope = is_customer_in_scope(user, drive.customer)
    feedback_initial = {"rating_overall": drive.rating_overall,
                        "rating_handling": drive.rating_handling,
                        "rating_comfort": drive.rating_comfort, "feedback": drive.feedback}
    return {
        "drive": drive, "can_handle": can_handle,
        "customer_in_scope": in_scope,
        # The licence number masked until an audited "show in full", as on the customer page.
        "can_reveal": in_scope and can_view_full_pii(user, drive.customer), "revealed": False,
        "start_form": forms_.get("start_form") or OdometerStartForm(),
        "finish_form": forms_.get("finish_form") or OdometerEndForm(),
        "feedback_form": forms_.get("feedback_form") or FeedbackForm(initial=feedback_initial),
        "cancel_form": forms_.get("cancel_form") or CancelForm(),
        "can_start": services.is_startable_today(drive),
        "statuses": TestDriveStatus,
    }


@require_safe
@vary_on_headers("HX-Request")
@role_required(*CALENDAR_ROLES)
def test_drive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drive = test_drive_get_for_user(user=request.user, pk=pk)
    return render(request, partial_template(request, DETAIL, "test-drive-panel"),
                  _detail_context(request.user, drive))


@require_POST
@role_required(*CALENDAR_ROLES)
def test_drive_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The driving-licence number in full, once, audited."""
    drive = test_drive_get_for_user(user=request.user, pk=pk)
    services.test_drive_reveal_licence(actor=request.user, test_drive=drive)
    if request.htmx:
        return render(request, f"{DETAIL}#driving-licence",
                      {"drive": drive, "can_reveal": True, "revealed": True})
    return render(request, DETAIL, {**_detail_context(request.user, drive), "revealed": True})


def _transition(request: HttpRequest, pk: int, *, form_class: type[forms.Form], name: str,
                service: Callable[..., TestDrive], done: str) -> HttpResponse:
    """The shared shape of start/finish/feedback/cancel: form → service → panel or redirect;
    a refusal re-renders the panel with the input kept (400)."""
    drive = test_drive_get_for_user(user=request.user, pk=pk)
    if not can_handle_test_drive(request.user, drive):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(test_drive=drive, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error, field_for=FIELD_FOR)
        else:
            if not request.htmx:
                messages.success(request, done)
                return redirect(drive)
            drive = test_drive_get_for_user(user=request.user, pk=pk)
            context = {**_detail_context(request.user, drive), "notice": done}
            return render(request, partial_template(request, DETAIL, "test-drive-panel"), context)
    return render(request, partial_template(request, DETAIL, "test-drive-panel"),
                  _detail_context(request.user, drive, **{name: form}), status=400)


@require_POST
@role_required(*BOOKING_ROLES)
def test_drive_start(request: HttpRequest, pk: int) -> HttpResponse:
    drive = test_drive_get_for_user(user=request.user, pk=pk)
    if drive.status == TestDriveStatus.BOOKED and not services.is_startable_today(drive):
        # Not on its day: refused here too, with the panel and the message (400).
        if not can_handle_test_drive(request.user, drive):
            raise PermissionDenied
        form = OdometerStartForm(request.POST)
        form.is_valid()
        form.add_error(None, services.start_refusal(drive))
        return render(request, partial_template(request, DETAIL, "test-drive-panel"),
                      _detail_context(request.user, drive, start_form=form), status=400)
    return _transition(request, pk, form_class=OdometerStartForm, name="start_form",
                       service=services.test_drive_start, done=_("The test drive started."))


@require_POST
@role_required(*BOOKING_ROLES)
def test_drive_finish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, form_class=OdometerEndForm, name="finish_form",
                       service=services.test_drive_finish, done=_("The test drive is done."))


@require_POST
@role_required(*BOOKING_ROLES)
def test_drive_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, form_class=FeedbackForm, name="feedback_form",
                       service=services.test_drive_feedback, done=_("Feedback saved."))


@require_POST
@role_required(*BOOKING_ROLES)
def test_drive_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, form_class=CancelForm, name="cancel_form",
                       service=services.test_drive_cancel,
                       done=_("The test drive was cancelled; the slot is free again."))
