"""After-sales views: the customer care desk (calls due, follow-ups, the week ahead), the
care step list, closing a step or a follow-up (htmx row swap; a plain POST redirects),
and the store's care settings.

Refusals: another store's (or another consultant's) step is a 404, a role that may not a
403, a missing outcome a 400 with the row re-rendered and the text kept, a step someone
else closed a moment ago a 409."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from aftersales.forms.care import CareSettingsForm, OutcomeForm
from aftersales.permissions import CARE_SETTINGS_ROLES, CARE_WORK_ROLES, SERVICE_BOOKING_ROLES
from aftersales.selectors.care import (
    care_desk_rows,
    care_settings_of,
    care_step_get_for_user,
    care_step_list_for_user,
    care_steps_with_scripts,
    care_task_get_for_user,
)
from aftersales.services.care import (
    can_work_care_step,
    can_work_care_task,
    care_settings_update,
    care_step_complete,
    care_step_skip,
    care_task_complete,
)
from dealership.enums import Role
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import has_role, role_required

DESK = "aftersales/care_desk.html"
STEPS = "aftersales/care_steps.html"
SETTINGS = "aftersales/care_settings.html"
ROWS = "aftersales/care_rows.html"
PAGE_SIZE = 25
CARE_LIST_ROLES = (Role.CUSTOMER_CARE, Role.SUPERVISOR, Role.MANAGER)


def _store_of(request: HttpRequest):
    if request.user.store_id is None:  # an administrator has no store: no care desk
        raise Http404
    return request.user.store


# --- The desk -------------------------------------------------------------------------------
@require_safe
@role_required(Role.CUSTOMER_CARE)
def care_desk(request: HttpRequest) -> HttpResponse:
    store = _store_of(request)
    today = timezone.localdate()  # the middleware activated the store's time zone
    context = care_desk_rows(store=store, today=today) | {"today": today,
                                                          "next": request.get_full_path()}
    return render(request, DESK, context)


# --- The list -------------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*CARE_LIST_ROLES)
def care_steps(request: HttpRequest) -> HttpResponse:
    _store_of(request)
    today = timezone.localdate()
    filterset, rows = care_step_list_for_user(user=request.user, params=request.GET,
                                              today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "today": today,
               "filtered": any(request.GET.get(name) for name in filterset.filters),
               "next": request.get_full_path()}
    status = 400 if filterset.errors else 200
    if request.htmx.target == "care-step-rows":
        return render(request, partial_template(request, STEPS, "care-step-rows"), context,
                      status=status)
    return render(request, STEPS, context, status=status)


# --- Closing a step or a task -------------------------------------------------------------------
def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    # Only a local path: a bare word would be reversed as a URL name by redirect().
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    if request.user.role == Role.CONSULTANT:
        return reverse("my_day")
    return reverse("aftersales:care_desk")


def _step_row(request: HttpRequest, step, *, form=None, notice: str = "", status: int = 200):
    store = step.store
    step = care_steps_with_scripts([step], settings=care_settings_of(store), store=store)[0]
    context = {"step": step, "form": form, "notice": notice, "today": timezone.localdate(),
               "next": request.POST.get("next", ""), "can_work": True,
               "can_book": has_role(request.user, *SERVICE_BOOKING_ROLES)}
    return render(request, partial_template(request, ROWS, "care-step-row"), context,
                  status=status)


def _close_step(request: HttpRequest, pk: int, service, done_message: str) -> HttpResponse:
    step = care_step_get_for_user(user=request.user, pk=pk)
    if not can_work_care_step(request.user, step):
        raise PermissionDenied
    form = OutcomeForm(request.POST)
    status, notice = 200, ""
    if form.is_valid():
        try:
            service(actor=request.user, step=step, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            status = 400 if hasattr(error, "error_dict") else 409
            apply_service_errors(form, error)
            notice = " ".join(error.messages)
        else:
            notice = done_message % {"name": step.customer.name}
    else:
        status = 400
    if not request.htmx:
        if status == 200:
            messages.success(request, notice)
            return redirect(_next_url(request))
        if status == 409:
            messages.error(request, notice)
            return redirect(_next_url(request))
    fresh = care_step_get_for_user(user=request.user, pk=pk)
    return _step_row(request, fresh, form=form if status == 400 else None, notice=notice,
                     status=status)


@require_POST
@role_required(*CARE_WORK_ROLES)
def care_step_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _close_step(request, pk, care_step_complete, _("Done: %(name)s."))


@require_POST
@role_required(*CARE_WORK_ROLES)
def care_step_skipped(request: HttpRequest, pk: int) -> HttpResponse:
    return _close_step(request, pk, care_step_skip, _("Skipped: %(name)s."))


@require_POST
@role_required(*CARE_WORK_ROLES)
def care_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = care_task_get_for_user(user=request.user, pk=pk)
    if not can_work_care_task(request.user, task):
        raise PermissionDenied
    form = OutcomeForm(request.POST)
    status, notice = 200, ""
    if form.is_valid():
        try:
            care_task_complete(actor=request.user, task=task,
                               outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            status = 400 if hasattr(error, "error_dict") else 409
            apply_service_errors(form, error)
            notice = " ".join(error.messages)
        else:
            notice = _("Done: %(name)s.") % {"name": task.customer.name}
    else:
        status = 400
    if not request.htmx and status in (200, 409):
        (messages.success if status == 200 else messages.error)(request, notice)
        return redirect(_next_url(request))
    fresh = care_task_get_for_user(user=request.user, pk=pk)
    return render(request, partial_template(request, ROWS, "care-task-row"),
                  {"task": fresh, "form": form if status == 400 else None, "notice": notice,
                   "today": timezone.localdate(), "next": request.POST.get("next", "")},
                  status=status)


# --- Settings -------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*CARE_SETTINGS_ROLES)
def care_settings(request: HttpRequest) -> HttpResponse:
    store = _store_of(request)
    posted = request.method == "POST"
    form = CareSettingsForm(request.POST if posted else None, instance=care_settings_of(store))
    if posted and form.is_valid():
        try:
            care_settings_update(actor=request.user, store=store, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Care settings saved."))
            return redirect("aftersales:care_settings")
    return render(request, SETTINGS, {"form": form, "store": store},
                  status=400 if form.is_bound else 200)
