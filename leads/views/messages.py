"""The Messages page (what the outbox sent, or would have) and opting a customer out."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.htmx import partial_template
from dealership.permissions import CUSTOMER_ROLES, can_edit_customer, role_required
from dealership.selectors import customer_get_for_user
from leads.messaging import (
    MESSAGE_ROLES,
    SOURCE_STAFF,
    customer_opt_out,
    message_list_for_user,
    message_scope_for_user,
    outbox_stuck,
    purpose_label,
)

PAGE_SIZE = 25


@require_safe
@vary_on_headers("HX-Request")
@role_required(*MESSAGE_ROLES)
def message_list(request: HttpRequest) -> HttpResponse:
    filterset, rows = message_list_for_user(user=request.user, params=request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for message in page.object_list:
        message.purpose_label = purpose_label(message.purpose)
    context = {
        "filter": filterset, "page": page,
        "stuck_count": outbox_stuck(now=timezone.now(),
                                    messages=message_scope_for_user(request.user)).count(),
        "can_opt_out": request.user.has_perm("dealership.change_customer"),
    }
    template = partial_template(request, "leads/message_list.html", "message-rows")
    status = 400 if filterset.is_bound and not filterset.is_valid() else 200
    return render(request, template, context, status=status)


@require_POST
@role_required(*CUSTOMER_ROLES)
def customer_opt_out_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the customer wants no more marketing messages, then go back."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    if not can_edit_customer(request.user, customer):
        raise PermissionDenied
    # No form here: drop the NUL PostgreSQL refuses to store (a 500 otherwise).
    note = request.POST.get("note", "").replace("\x00", "").strip()[:200]
    customer_opt_out(customer=customer, source=SOURCE_STAFF, actor=request.user, note=note)
    flash.success(request, _("%(name)s will get no more marketing messages.")
                  % {"name": customer.name})
    back = request.POST.get("next", "")
    # Only a local path: a bare word would be reversed as a URL name by redirect() (500).
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = customer.get_absolute_url()
    return redirect(back)
