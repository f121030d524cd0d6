"""Monthly targets (the manager sets them; everyone selling sees their progress) and the
store's working calendar the targets' pace counts on."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dealership.enums import Role
from dealership.forms import apply_service_errors, refusal_status
from dealership.models import User
from dealership.permissions import has_role, role_required
from reports.forms.targets import ClosedDayForm, MonthForm, ReportSettingsForm, TargetGridForm
from reports.models import ClosedDay, Target
from reports.permissions import TARGET_SET_ROLES, TARGET_VIEW_ROLES
from reports.selectors.targets import (
    month_end,
    month_start,
    report_settings_of,
    target_board,
    working_days,
)
from reports.services.targets import (
    cell_name,
    closed_day_add,
    closed_day_range,
    closed_day_remove,
    report_settings_update,
    targets_copy_previous_month,
    targets_set,
)

PAGE = "reports/targets_board.html"
CALENDAR = "reports/targets_calendar.html"


def _month_of(request: HttpRequest, store) -> tuple[dt.date, MonthForm | None]:
    """The month asked for (?month=YYYY-MM), or this month; with the refused form when the
    month is not one targets can be seen for."""
    this_month = month_start(store.today())
    if "month" not in request.GET:
        return this_month, None
    form = MonthForm(request.GET, store=store)
    if form.is_valid():
        return form.cleaned_data["month"], None
    return this_month, form


def _progress(user: User, store, month: dt.date):
    """Month to date of `month` (the whole month once it is over; None before it begins),
    cut to what the user may see: a consultant their own line, a supervisor their team's."""
    today = store.today()
    if month > today:
        return None
    board = target_board(store=store, day=min(today, month_end(month)))
    if user.role == Role.CONSULTANT:
        board.consultants = [c for c in board.consultants if c.consultant.pk == user.pk]
        board.team = []
    elif user.role == Role.SUPERVISOR:
        board.consultants = [c for c in board.consultants
                             if c.consultant.team is not None
                             and c.consultant.team.supervisor_id == user.pk]
    return board


def _grid(store, month: dt.date, data=None) -> TargetGridForm:
    consultants = list(User.objects.filter(store=store, role=Role.CONSULTANT, is_active=True)
                       .select_related("team").order_by("team__name", "name", "username"))
    initial = {"month": f"{month:%Y-%m}"}
    for consultant_id, metric, value in Target.objects.filter(
            store=store, month=month).values_list("consultant", "metric", "value"):
        initial[cell_name(consultant_id, metric)] = (
            value if metric == "value_added" else value.to_integral_value())
    return TargetGridForm(data, initial=initial, store=store, consultants=consultants)


def _render(request, *, month, month_form, grid, status=200) -> HttpResponse:
    store = request.user.store
    context = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "month_form": month_form or MonthForm(initial={"month": f"{month:%Y-%m}"}, store=store),
        "grid": grid,
        "board": _progress(request.user, store, month),
        "today": store.today(),
    }
    return render(request, PAGE, context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*TARGET_VIEW_ROLES)
def target_board_page(request: HttpRequest) -> HttpResponse:
    """GET: the month's progress (and, for the manager, the grid). POST: save the grid."""
    user, store = request.user, request.user.store
    can_set = has_role(user, *TARGET_SET_ROLES)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        return _save(request)
    month, month_form = _month_of(request, store)
    grid = _grid(store, month) if can_set else None
    return _render(request, month=month, month_form=month_form, grid=grid,
                   status=400 if month_form is not None else 200)


def _save(request: HttpRequest) -> HttpResponse:
    store = request.user.store
    posted = MonthForm({"month": request.POST.get("month", "")}, store=store)
    month = posted.cleaned_data["month"] if posted.is_valid() else month_start(store.today())
    grid = _grid(store, month, data=request.POST)
    if grid.is_valid():
        try:
            changed = targets_set(store=store, month=grid.cleaned_data["month"],
                                  values=grid.cells(), actor=request.user)
        except ValidationError as error:
            apply_service_errors(grid, error)
        else:
            messages.success(request, _("Targets of %(month)s saved (%(count)s changed).")
                             % {"month": f"{month:%Y-%m}", "count": changed})
            return redirect(f"{reverse('reports:targets')}?month={month:%Y-%m}")
    return _render(request, month=month, month_form=None, grid=grid, status=400)


@require_POST
@role_required(*TARGET_SET_ROLES)
def target_copy(request: HttpRequest) -> HttpResponse:
    """Fill the month's empty cells with last month's targets."""
    store = request.user.store
    form = MonthForm(request.POST, store=store)
    if not form.is_valid():
        grid = _grid(store, month_start(store.today()))
        return _render(request, month=month_start(store.today()), month_form=form, grid=grid,
                       status=400)
    month = form.cleaned_data["month"]
    copied = targets_copy_previous_month(store=store, month=month, actor=request.user)
    if copied:
        messages.success(request, _("%(count)s targets copied from last month.")
                         % {"count": copied})
    else:
        messages.info(request, _("Nothing to copy: last month has no target for an empty "
                                 "cell of this month."))
    return redirect(f"{reverse('reports:targets')}?month={month:%Y-%m}")


# --- The working calendar ---------------------------------------------------------------
def _calendar(request, *, settings_form=None, closed_form=None, status=200) -> HttpResponse:
    store = request.user.store
    settings = report_settings_of(store)
    earliest, latest = closed_day_range(store)
    today = store.today()
    context = {
        "settings_form": settings_form or ReportSettingsForm(initial={
            "working_weekdays": list(settings.working_weekdays),
            "daily_report_at": settings.daily_report_at}),
        "closed_form": closed_form or ClosedDayForm(store=store),
        "closed_days": ClosedDay.objects.filter(store=store, day__gte=earliest,
                                                day__lte=latest).order_by("day"),
        "working_days": len(working_days(store=store, month=today, settings=settings)),
        "today": today,
    }
    return render(request, CALENDAR, context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*TARGET_SET_ROLES)
def target_calendar(request: HttpRequest) -> HttpResponse:
    """The working weekdays and the daily report's time (POST saves them)."""
    if request.method == "GET":
        return _calendar(request)
    form = ReportSettingsForm(request.POST)
    if form.is_valid():
        try:
            report_settings_update(store=request.user.store,
                                   working_weekdays="".join(form.cleaned_data["working_weekdays"]),
                                   daily_report_at=form.cleaned_data["daily_report_at"],
                                   actor=request.user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The working calendar is saved."))
            return redirect("reports:target_calendar")
    return _calendar(request, settings_form=form, status=400)


@require_POST
@role_required(*TARGET_SET_ROLES)
def closed_day_create(request: HttpRequest) -> HttpResponse:
    form = ClosedDayForm(request.POST, store=request.user.store)
    if form.is_valid():
        try:
            closed_day_add(store=request.user.store, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(day)s is marked closed.")
                             % {"day": form.cleaned_data["day"].isoformat()})
            return redirect("reports:target_calendar")
    return _calendar(request, closed_form=form, status=400)


@require_POST
@role_required(*TARGET_SET_ROLES)
def closed_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    closed = get_object_or_404(ClosedDay, store=request.user.store, pk=pk)
    try:
        closed_day_remove(store=request.user.store, pk=closed.pk, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _calendar(request, status=refusal_status(error))
    messages.success(request, _("%(day)s is a working day again.") % {"day": closed.day})
    return redirect("reports:target_calendar")
