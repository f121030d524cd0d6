"""The manager's home: the live store overview."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.db_router import reads_from_replica
from dealership.permissions import role_required
from reports.permissions import HOME_ROLES
from reports.selectors.home import store_overview_for


@require_safe
@role_required(*HOME_ROLES)
@reads_from_replica
def store_overview(request: HttpRequest) -> HttpResponse:
    """Today's figures against target and what waits for the manager, each card linking
    to its own screen."""
    overview = store_overview_for(user=request.user)
    return render(request, "reports/store_overview.html",
                  {"overview": overview, "today": overview.figures.first_day})
