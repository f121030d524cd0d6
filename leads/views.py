"""Landing pages of the roles that work leads: consultant, supervisor, marketing."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import Customer, User
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


@require_safe
@role_required(Role.SUPERVISOR)
def team_board(request: HttpRequest) -> HttpResponse:
    """A supervisor's board: the consultants they coach and the size of each book."""
    members = (
        User.objects.filter(team__supervisor=request.user, store_id=request.user.store_id,
                            is_active=True)
        .annotate(customer_count=Count("owned_customers", distinct=True))
        .select_related("team")
        .order_by("team__name", "username")
    )
    return render(request, "leads/team_board.html", {"members": members})


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
