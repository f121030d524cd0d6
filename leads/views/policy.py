"""The store's lead policy: cadences, first-contact SLA and its ladder, pool, messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dealership.enums import Role
from dealership.models import Store
from dealership.permissions import role_required
from leads.forms.policy import PolicyForm
from leads.permissions import can_edit_policy
from leads.selectors.policy import policy_for, policy_last_change
from leads.services.board import policy_update


def _store_for(request: HttpRequest) -> Store:
    """The manager's own store; an administrator picks one with ?store=<code>."""
    if request.user.store_id:
        return request.user.store
    code = request.GET.get("store", "")
    store = (Store.objects.filter(code=code) if code else Store.objects.order_by("code")).first()
    if store is None:
        raise Http404
    return store


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.MANAGER, Role.ADMIN)
def policy(request: HttpRequest) -> HttpResponse:
    if not can_edit_policy(request.user):
        raise PermissionDenied
    store = _store_for(request)
    current = policy_for(store)
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            policy_update(actor=request.user, policy=current, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The lead policy of %(store)s is saved.") % {
                "store": store.name})
            url = reverse("leads:policy")
            return redirect(url if request.user.store_id else f"{url}?store={store.code}")
    context = {"form": form, "store": store, "last_change": policy_last_change(current),
               "stores": None if request.user.store_id else Store.objects.order_by("code")}
    return render(request, "leads/policy_form.html", context,
                  status=400 if form.is_bound else 200)
