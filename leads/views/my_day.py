"""The leads stage's action on "my day" (a core page, dealership.views.my_day)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dealership.enums import Role
from dealership.permissions import role_required
from leads.services.notifications import notification_mark_all_read


@require_POST
@role_required(Role.CONSULTANT)
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark all of the consultant's notifications read."""
    count = notification_mark_all_read(user=request.user)
    messages.success(request, ngettext("%(count)d notification marked read.",
                                       "%(count)d notifications marked read.", count)
                     % {"count": count})
    return redirect("my_day")
