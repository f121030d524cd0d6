"""Landing pages of the roles that work leads: consultant, supervisor, marketing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.permissions import role_required
from dealership.selectors import customer_scope_for_user


@require_safe
@role_required(Role.CONSULTANT)
def my_day(request: HttpRequest) -> HttpResponse:
    """A consultant's day: their book of customers and what is due today."""
    customers = customer_scope_for_user(request.user)
    context = {
        "today": timezone.localdate(),
        "customer_count": customers.count(),
        "recent_customers": customers.order_by("-created_at", "-id")[:10],
    }
    return render(request, "leads/my_day.html", context)
