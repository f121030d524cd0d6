"""A consultant's home: what is overdue, what is due today, tasks and notifications."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from dealership.enums import Role
from dealership.permissions import role_required
from leads.selectors_screens import my_day_for_user
from leads.services.notifications import notification_mark_all_read
from showroom.selectors import showroom_day_for_consultant


@require_safe
@role_required(Role.CONSULTANT)
def my_day(request: HttpRequest) -> HttpResponse:
    """Overdue leads first, then those due today, open tasks, unread notifications and the
    consultant's customers; each list capped, with a link to the full list."""
    context = (my_day_for_user(user=request.user)
               | showroom_day_for_consultant(request.user)
               | {"today": timezone.localdate()})
    return render(request, "leads/my_day.html", context)


@require_POST
@role_required(Role.CONSULTANT)
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the consultant's notifications read."""
    count = notification_mark_all_read(user=request.user)
    messages.success(request, ngettext("%(count)d notification marked read.",
                                       "%(count)d notifications marked read.", count)
                     % {"count": count})
    return redirect("leads:my_day")
