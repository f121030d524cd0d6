from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import User
from dealership.permissions import role_required


@require_safe
@role_required(Role.RECEPTIONIST, Role.MANAGER)
def desk(request: HttpRequest) -> HttpResponse:
    """The reception desk: today, the store's hours and the consultants of the store."""
    consultants = (
        User.objects.filter(store_id=request.user.store_id, role=Role.CONSULTANT,
                            is_active=True)
        .select_related("team").order_by("username")
    )
    context = {"now": timezone.localtime(), "store": request.user.store,
               "consultants": consultants}
    return render(request, "showroom/desk.html", context)
