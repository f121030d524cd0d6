"""Landing pages of the roles that work leads: consultant, supervisor, marketing."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import User
from dealership.permissions import role_required


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
