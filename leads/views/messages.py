"""The Messages page (what the outbox sent, or would have), settling a message stuck in
"sending" (mark sent / requeue), and opting a customer out."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
from leads.senders import DeliveryReport, get_sender
from leads.services.messages import (
    is_message_stuck,
    message_delivery_report,
    message_mark_sent,
    message_requeue,
)

PAGE_SIZE = 25


def _decorate(messages, *, now) -> None:
    """Labels, and for a message stuck in "sending" the gateway's delivery report (asked
    only for the stuck rows of one page: a handful of calls at most)."""
    sender = None
    for message in messages:
        message.purpose_label = purpose_label(message.purpose)
        message.is_stuck = is_message_stuck(message, now)
        message.report = ""
        if message.is_stuck:
            sender = sender or get_sender()
            message.report = message_delivery_report(message=message, sender=sender)
            message.report_label = DeliveryReport(message.report).label


def _list_context(request: HttpRequest) -> tuple[dict, int]:
    filterset, rows = message_list_for_user(user=request.user, params=request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    _decorate(page.object_list, now=now)
    context = {
        "filter": filterset, "page": page,
        "stuck_count": outbox_stuck(now=now,
                                    messages=message_scope_for_user(request.user)).count(),
        "can_opt_out": request.user.has_perm("dealership.change_customer"),
    }
    return context, 400 if filterset.is_bound and not filterset.is_valid() else 200


@require_safe
@vary_on_headers("HX-Request")
@role_required(*MESSAGE_ROLES)
def message_list(request: HttpRequest) -> HttpResponse:
    context, status = _list_context(request)
    template = partial_template(request, "leads/message_list.html", "message-rows")
    return render(request, template, context, status=status)


def _settle_view(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    message = get_object_or_404(message_scope_for_user(request.user).select_related("customer"),
                                pk=pk)
    try:
        message = service(message=message, actor=request.user)
        refusal = ""
    except ValidationError as error:
        refusal = " ".join(error.messages)
    status = 409 if refusal else 200
    if request.htmx:
        _decorate([message], now=timezone.now())
        context = {"message": message, "refusal": refusal,
                   "back": request.htmx.current_url_abs_path or reverse("leads:message_list"),
                   "can_opt_out": request.user.has_perm("dealership.change_customer")}
        return render(request, "leads/message_list.html#message-row", context, status=status)
    if refusal:
        context, _status = _list_context(request)
        return render(request, "leads/message_list.html", {**context, "refusal": refusal},
                      status=status)
    flash.success(request, done % {"name": message.customer.name})
    return redirect(_back(request, reverse("leads:message_list")))


@require_POST
@role_required(*MESSAGE_ROLES)
def message_mark_sent_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A message stuck in "sending": the customer got it (the gateway says so, or
    someone checked its portal)."""
    return _settle_view(request, pk, message_mark_sent, _("The message to %(name)s is marked "
                                                          "as sent."))


@require_POST
@role_required(*MESSAGE_ROLES)
def message_requeue_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A message stuck in "sending": the customer did not get it, send it again."""
    return _settle_view(request, pk, message_requeue, _("The message to %(name)s is back in "
                                                        "the queue."))


def _back(request: HttpRequest, default: str) -> str:
    back = request.POST.get("next", "")
    # Only a local path: a bare word would be reversed as a URL name by redirect() (500).
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return default
    return back


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
    return redirect(_back(request, customer.get_absolute_url()))
