"""Calling the customer from the lead page or "my day": one audited reveal, then a page
with the number to dial (a tel: link) above the follow-up form, ready for the outcome."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from dealership.permissions import role_required
from leads.enums import TouchKind
from leads.forms.leads import TouchForm
from leads.permissions import SELLER_ROLES, can_call_lead
from leads.selectors.leads import lead_get_for_user
from leads.services.calls import lead_call_reveal


@require_POST
@role_required(*SELLER_ROLES)
def lead_call(request: HttpRequest, pk: int) -> HttpResponse:
    """A plain form POST (not htmx): the browser shows this page, whose tel: link the
    phone hands to its dialer. Without script a POST cannot dial by itself, and a redirect
    to tel: is not followed by htmx; the page also keeps the follow-up form one tap away."""
    lead = lead_get_for_user(user=request.user, pk=pk)
    if not can_call_lead(request.user, lead):
        raise PermissionDenied
    phone = lead_call_reveal(actor=request.user, lead=lead)
    context = {"lead": lead, "phone": phone,
               "touch_form": TouchForm(initial={"kind": TouchKind.CALL})}
    response = render(request, "leads/lead_call.html", context)
    # The number is shown once, for this call: not kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response
