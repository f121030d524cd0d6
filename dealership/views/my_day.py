"""A member of staff's day: the panels the stages registered for their role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dealership.services.users import user_mark_my_day_seen
from dealership.slots import my_day_context, my_day_panels_for


@require_safe
@login_required
def my_day(request: HttpRequest) -> HttpResponse:
    """The role's panels in order: figures above, cards below. Who may open the page
    follows from the panels, so a role no panel serves is refused (403). A full page view
    is a visit: the panels read the previous one ("since your last visit") before this
    one is stamped; an htmx refresh of a part of the page is not a visit."""
    panels = my_day_panels_for(request.user)
    if not panels:
        raise PermissionDenied
    # The middleware has activated the store's time zone: this is the store's day.
    day = timezone.localdate()
    context = my_day_context(user=request.user, day=day, panels=panels) | {
        "today": day,
        "summary_panels": [panel for panel in panels if panel.summary],
        "card_panels": [panel for panel in panels if not panel.summary],
    }
    if request.method == "GET" and not request.htmx:
        user_mark_my_day_seen(user=request.user)
    return render(request, "dealership/my_day.html", context)
