"""The group executive's figures: aggregates per store, never a customer row."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import Role, StockStatus
from dealership.models import Customer, StockVehicle, Store
from dealership.permissions import has_role, role_required
from dealership.selectors import count_per_store


@require_safe
@role_required(Role.GROUP_EXEC, Role.ADMIN)
def group_overview(request: HttpRequest) -> HttpResponse:
    """Aggregates per store of the group; no customer row is ever shown here."""
    stores = Store.objects.filter(is_active=True)
    if not has_role(request.user, Role.ADMIN):
        stores = stores.filter(group_id=request.user.dealer_group_id)
    stores = stores.annotate(
        customer_count=count_per_store(Customer.objects.all()),
        on_hand=count_per_store(StockVehicle.objects.on_hand()),
        in_transit=count_per_store(StockVehicle.objects.filter(status=StockStatus.IN_TRANSIT)),
    ).order_by("code")
    return render(request, "reports/group_overview.html", {"stores": stores})
