"""After-sales views: the customer care desk."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import Customer
from dealership.permissions import role_required


@require_safe
@role_required(Role.CUSTOMER_CARE)
def care_desk(request: HttpRequest) -> HttpResponse:
    """Customer care: the store's newest customers and how many may be contacted."""
    customers = Customer.objects.filter(store_id=request.user.store_id)
    figures = customers.aggregate(total=Count("id"),
                                  consenting=Count("id", filter=Q(marketing_consent=True)))
    recent = customers.select_related("owner").order_by("-created_at", "-id")[:10]
    return render(request, "aftersales/care_desk.html", {"figures": figures, "recent": recent})
