"""After-sales views: the service desk."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import Role, StockStatus
from dealership.models import StockVehicle
from dealership.permissions import role_required


@require_safe
@role_required(Role.SERVICE_ADVISOR)
def service_desk(request: HttpRequest) -> HttpResponse:
    """The service desk: vehicles the store has delivered, the base of after-sales."""
    delivered = (
        StockVehicle.objects.filter(store_id=request.user.store_id,
                                    status=StockStatus.DELIVERED)
        .select_related("trim__series__brand", "colour").order_by("-updated_at")[:20]
    )
    return render(request, "aftersales/service_desk.html",
                  {"delivered": delivered, "today": request.user.store.today()})
