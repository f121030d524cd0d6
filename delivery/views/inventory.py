"""Inventory screens: the board (aging buckets, status counts, the filtered list, slow
stock with interested leads, shortage), one vehicle's page with its arrival and demo
buttons, receiving one car, the CSV import and its report, and the store's thresholds.

Reads are for the store's supervisors, manager, finance and the administrator; writes are
the manager's (delivery.permissions). Another store's vehicle is a 404. A refused move is
a 409 (the car is no longer in the state the button starts from), bad input a 400 with
the form re-rendered."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.enums import StockStatus
from dealership.exports import CHUNK_SIZE, csv_day, csv_response
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.models import StockVehicle, User
from dealership.permissions import can_see_stock_cost, role_required
from delivery.forms.inventory import (
    DeliverySettingsForm,
    StockArriveForm,
    StockImportForm,
    StockReceiveForm,
)
from delivery.permissions import INVENTORY_EDIT_ROLES, INVENTORY_VIEW_ROLES
from delivery.selectors.inventory import (
    delivery_settings_of,
    slow_stock,
    stock_board_figures,
    stock_get_for_user,
    stock_history,
    stock_import_get_for_user,
    stock_imports_recent,
    stock_list_for_user,
    stock_open_allocation,
    stock_shortage,
)
from delivery.services import inventory as services

PAGE_SIZE = 25
BOARD = "delivery/stock_board.html"
DETAIL = "delivery/stock_detail.html"
RECEIVE = "delivery/stock_receive.html"
IMPORT = "delivery/stock_import.html"
IMPORT_DETAIL = "delivery/stock_import_detail.html"
SETTINGS = "delivery/settings.html"
IMPORT_RESULTS = (services.RECEIVED, services.UNCHANGED, services.ERROR)


def _store_of(user: User):
    if user.store_id is None:  # an administrator without a store has no stock to show
        raise Http404
    return user.store


# --- The board ------------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*INVENTORY_VIEW_ROLES)
def stock_board(request: HttpRequest) -> HttpResponse:
    store = _store_of(request.user)
    today = store.today()
    filterset, rows = stock_list_for_user(user=request.user, params=request.GET, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for vehicle in page.object_list:
        vehicle.age = vehicle.age_days(today)  # store days on hand; None when not on hand
    context = {"filter": filterset, "page": page, "today": today,
               "filtered": any(request.GET.get(name) for name in filterset.filters),
               "can_edit": services.can_edit_stock(request.user),
               "show_cost": can_see_stock_cost(request.user)}
    status = 400 if filterset.errors else 200
    if request.htmx.target == "stock-rows":  # only the filter form swaps the rows
        return render(request, partial_template(request, BOARD, "stock-rows"), context,
                      status=status)
    settings = delivery_settings_of(store)
    context |= {"figures": stock_board_figures(store=store, today=today),
                "settings": settings,
                "slow": slow_stock(user=request.user, store=store, today=today,
                                   threshold=settings.slow_stock_days),
                "shortages": stock_shortage(store=store)}
    return render(request, BOARD, context, status=status)



@require_safe
@role_required(*INVENTORY_VIEW_ROLES)
def stock_board_export(request: HttpRequest) -> HttpResponse:
    """The board's filtered rows as CSV, streamed: the board's columns, the cost only for
    those who see it on the board."""
    today = _store_of(request.user).today()
    filterset, rows = stock_list_for_user(user=request.user, params=request.GET, today=today)
    if filterset.errors:
        return stock_board(request)  # the board with its filter errors, 400
    show_cost = can_see_stock_cost(request.user)
    header = [_("VIN"), _("Series"), _("Model year"), _("Trim"), _("Colour"), _("Status"),
              _("Arrived"), _("Days in stock"), _("Location"), _("List price (CNY)"),
              *([_("Cost (CNY)")] if show_cost else [])]
    statuses = {code: str(label) for code, label in StockStatus.choices}

    def row(vehicle: StockVehicle) -> list:
        return [vehicle.vin, vehicle.trim.series.name, vehicle.trim.model_year,
                vehicle.trim.name, vehicle.colour.name if vehicle.colour_id else "",
                statuses.get(vehicle.status, vehicle.status), csv_day(vehicle.arrival_date),
                vehicle.age_days(today), vehicle.location, vehicle.list_price,
                *([vehicle.cost] if show_cost else [])]

    return csv_response(header=header,
                        rows=(row(v) for v in rows.iterator(chunk_size=CHUNK_SIZE)),
                        filename=f"stock-board-{today:%Y%m%d}")

# --- One vehicle ----------------------------------------------------------------------------
def _detail_context(user: User, vehicle: StockVehicle, **extra) -> dict:
    today = vehicle.store.today()
    editable = services.can_edit_stock(user)
    history = stock_history(vehicle)
    labels = dict(StockStatus.choices)
    for entry in history:  # the status moves in the reader's words; never the cost
        change = entry.changes.get("status")
        entry.status_change = ([labels.get(code, code or "") for code in change]
                               if isinstance(change, list) and len(change) == 2 else None)
    context = {
        "vehicle": vehicle, "age": vehicle.age_days(today),
        "allocation": stock_open_allocation(vehicle),
        "history": history,
        "show_cost": can_see_stock_cost(user), "can_edit": editable,
        "can_arrive": editable and vehicle.status == services.S.IN_TRANSIT,
        "can_demo": editable and vehicle.status in (services.S.IN_STOCK, services.S.DEMO),
    }
    if context["can_arrive"] and "arrive_form" not in extra:
        context["arrive_form"] = StockArriveForm(store=vehicle.store,
                                                 initial={"location": vehicle.location})
    return context | extra


@require_safe
@role_required(*INVENTORY_VIEW_ROLES)
def stock_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = stock_get_for_user(user=request.user, pk=pk)
    return render(request, DETAIL, _detail_context(request.user, vehicle))


def _refused(request: HttpRequest, vehicle: StockVehicle, error: ValidationError,
             **extra) -> HttpResponse:
    """A move the car's state no longer allows (409), or input to fix (400)."""
    status = 400 if hasattr(error, "error_dict") else 409
    if status == 409:
        messages.error(request, " ".join(error.messages))
    fresh = stock_get_for_user(user=request.user, pk=vehicle.pk)
    return render(request, DETAIL, _detail_context(request.user, fresh, **extra),
                  status=status)


@require_POST
@role_required(*INVENTORY_EDIT_ROLES)
def stock_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = stock_get_for_user(user=request.user, pk=pk)
    form = StockArriveForm(request.POST, store=vehicle.store)
    if not form.is_valid():
        return render(request, DETAIL, _detail_context(request.user, vehicle, arrive_form=form),
                      status=400)
    try:
        vehicle = services.stock_arrive(actor=request.user, vehicle=vehicle,
                                        **form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return _refused(request, vehicle, error, arrive_form=form)
    messages.success(request, _("%(vin)s arrived: %(status)s.")
                     % {"vin": vehicle.vin, "status": vehicle.get_status_display()})
    return redirect("delivery:stock_detail", pk=vehicle.pk)


@require_POST
@role_required(*INVENTORY_EDIT_ROLES)
def stock_demo(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = stock_get_for_user(user=request.user, pk=pk)
    demo = request.POST.get("demo") == "1"
    try:
        vehicle = services.stock_set_demo(actor=request.user, vehicle=vehicle, demo=demo)
    except ValidationError as error:
        return _refused(request, vehicle, error)
    messages.success(request, _("%(vin)s is now %(status)s.")
                     % {"vin": vehicle.vin, "status": vehicle.get_status_display()})
    return redirect("delivery:stock_detail", pk=vehicle.pk)


# --- Receiving ------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*INVENTORY_EDIT_ROLES)
def stock_receive(request: HttpRequest) -> HttpResponse:
    store = _store_of(request.user)
    if not services.can_edit_stock(request.user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = StockReceiveForm(request.POST if posted else None, store=store)
    if posted and form.is_valid():
        try:
            vehicle, received = services.stock_receive(actor=request.user, store=store,
                                                       **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if received:
                messages.success(request, _("%(vin)s received: %(status)s.")
                                 % {"vin": vehicle.vin,
                                    "status": vehicle.get_status_display()})
            else:
                messages.info(request, _("%(vin)s is already in the store's stock; nothing "
                                         "changed.") % {"vin": vehicle.vin})
            return redirect("delivery:stock_detail", pk=vehicle.pk)
    return render(request, RECEIVE, {"form": form}, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*INVENTORY_EDIT_ROLES)
def stock_import(request: HttpRequest) -> HttpResponse:
    store = _store_of(request.user)
    if not services.can_edit_stock(request.user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = StockImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.stock_import(actor=request.user, store=store, file=upload.read(),
                                          filename=upload.name)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Import finished: %(received)s received, "
                                        "%(unchanged)s already in stock, %(errors)s errors.")
                             % {"received": batch.received, "unchanged": batch.unchanged,
                                "errors": batch.errors})
            return redirect("delivery:stock_import_detail", pk=batch.pk)
    context = {"form": form, "imports": stock_imports_recent(user=request.user),
               "columns": services.IMPORT_COLUMNS}
    return render(request, IMPORT, context, status=400 if form.is_bound else 200)


@require_safe
@role_required(*INVENTORY_EDIT_ROLES)
def stock_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = stock_import_get_for_user(user=request.user, pk=pk)
    result = request.GET.get("result", "")
    if result not in IMPORT_RESULTS:
        result = ""
    rows = [row for row in batch.rows if row.get("result") == result] if result else batch.rows
    context = {"batch": batch, "result": result,
               "page": Paginator(rows, 100).get_page(request.GET.get("page"))}
    return render(request, IMPORT_DETAIL, context)


# --- The store's thresholds -----------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*INVENTORY_EDIT_ROLES)
def delivery_settings(request: HttpRequest) -> HttpResponse:
    store = _store_of(request.user)
    current = delivery_settings_of(store)
    posted = request.method == "POST"
    form = DeliverySettingsForm(request.POST if posted else None, instance=current)
    if posted and form.is_valid():
        try:
            services.delivery_settings_update(actor=request.user, store=store,
                                              **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("delivery:settings")
    return render(request, SETTINGS, {"form": form, "store": store},
                  status=400 if form.is_bound else 200)
