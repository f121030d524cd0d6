"""Landing pages of the roles that work leads: consultant, supervisor, marketing."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import Customer
from dealership.permissions import role_required


@require_safe
@role_required(Role.MARKETING)
def marketing_home(request: HttpRequest) -> HttpResponse:
    """Marketing: the store's audience; campaigns and lead sources arrive with leads."""
    figures = Customer.objects.filter(store_id=request.user.store_id).aggregate(
        total=Count("id"),
        consenting=Count("id", filter=Q(marketing_consent=True)),
    )
    by_city = (
        Customer.objects.filter(store_id=request.user.store_id).exclude(city="")
        .values("city").annotate(n=Count("id")).order_by("-n", "city")[:10]
    )
    return render(request, "leads/marketing_home.html", {"figures": figures, "by_city": by_city})
