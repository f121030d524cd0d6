from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.enums import Role
from dealership.filters import StockFilter
from dealership.htmx import partial_template
from dealership.models import StockVehicle
from dealership.permissions import can_see_stock_cost, has_role, role_required

STOCK_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.ADMIN)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*STOCK_ROLES)
def stock_list(request: HttpRequest) -> HttpResponse:
    vehicles = StockVehicle.objects.select_related("trim__series__brand", "colour", "store")
    if not has_role(request.user, Role.ADMIN):
        vehicles = vehicles.filter(store_id=request.user.store_id)
    filterset = StockFilter(request.GET, queryset=vehicles.order_by("arrival_date", "vin"))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "today": timezone.localdate(),
               "show_cost": can_see_stock_cost(request.user)}
    return render(request, partial_template(request, "dealership/stock_list.html", "stock-rows"),
                  context)
