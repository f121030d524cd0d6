from __future__ import annotations

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import ON_HAND_STOCK_STATUSES, Role
from dealership.models import StockVehicle
from dealership.permissions import role_required


@require_safe
@role_required(Role.FINANCE)
def finance_desk(request: HttpRequest) -> HttpResponse:
    """Finance: what the store's stock on hand is worth; payments arrive with contracts."""
    on_hand = StockVehicle.objects.filter(store_id=request.user.store_id,
                                          status__in=ON_HAND_STOCK_STATUSES)
    figures = on_hand.aggregate(count=Count("id"), cost=Sum("cost"), list_value=Sum("list_price"))
    return render(request, "delivery/finance_desk.html", {"figures": figures})
