from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.enums import Role
from dealership.exports import CHUNK_SIZE, csv_day, csv_response
from dealership.filters import StockFilter
from dealership.htmx import partial_template
from dealership.models import StockVehicle
from dealership.permissions import can_see_stock_cost, has_role, role_required

STOCK_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.ADMIN)


def _stock_filter(request: HttpRequest) -> StockFilter:
    vehicles = StockVehicle.objects.select_related("trim__series__brand", "colour", "store")
    if not has_role(request.user, Role.ADMIN):
        vehicles = vehicles.filter(store_id=request.user.store_id)
    return StockFilter(request.GET, queryset=vehicles.order_by("arrival_date", "vin"))


@require_safe
@vary_on_headers("HX-Request")
@role_required(*STOCK_ROLES)
def stock_list(request: HttpRequest) -> HttpResponse:
    filterset = _stock_filter(request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "today": timezone.localdate(),
               "show_cost": can_see_stock_cost(request.user)}
    return render(request, partial_template(request, "dealership/stock_list.html", "stock-rows"),
                  context)


@require_safe
@role_required(*STOCK_ROLES)
def stock_export(request: HttpRequest) -> HttpResponse:
    """The filtered stock list as CSV, streamed: the list's columns, the cost only for
    those who see it on the list."""
    filterset = _stock_filter(request)
    if filterset.errors:
        response = stock_list(request)
        response.status_code = 400
        return response
    show_cost = can_see_stock_cost(request.user)
    header = [_("VIN"), _("Vehicle"), _("Colour"), _("Status"), _("Age (days)"),
              _("List price (CNY)"), *([_("Cost (CNY)")] if show_cost else []), _("Location"),
              _("Arrived on")]

    def row(vehicle: StockVehicle) -> list:
        return [vehicle.vin, str(vehicle.trim), str(vehicle.colour or ""),
                vehicle.get_status_display(), vehicle.age_days(), vehicle.list_price,
                *([vehicle.cost] if show_cost else []), vehicle.location,
                csv_day(vehicle.arrival_date)]

    rows = (row(vehicle) for vehicle in filterset.qs.iterator(chunk_size=CHUNK_SIZE))
    return csv_response(header=header, rows=rows, filename=f"stock-{timezone.localdate():%Y%m%d}")
