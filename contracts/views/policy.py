"""The store's discount policy: supervisors and managers read it as a sentence, the
administrator (who has no store of their own) picks a store and edits it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contracts.forms.policy import PolicyForm
from contracts.permissions import POLICY_VIEW_ROLES, can_edit_discount_policy
from contracts.selectors.policy import policy_get_for_user, policy_stores_for_user
from contracts.services.policy import EDITABLE_FIELDS, discount_policy_update
from dealership.forms import apply_service_errors
from dealership.permissions import role_required
from dealership.selectors import audit_entries_for

POLICY = "contracts/policy.html"


@require_http_methods(["GET", "POST"])
@role_required(*POLICY_VIEW_ROLES)
def discount_policy(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_edit = can_edit_discount_policy(user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    policy = policy_get_for_user(user=user, store_code=request.GET.get("store"))
    if policy is None and request.method == "POST":
        raise Http404
    form = None
    if can_edit and policy is not None:
        initial = model_to_dict(policy, fields=EDITABLE_FIELDS)
        form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            discount_policy_update(actor=user, policy=policy, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The discount policy of %(store)s is saved.")
                             % {"store": policy.store.name})
            return redirect(f"{reverse('contracts:discount_policy')}?store={policy.store.code}")
    history = (audit_entries_for(instance=policy, limit=10)
               if policy is not None and user.has_perm("dealership.view_auditentry") else [])
    context = {"policy": policy, "form": form, "can_edit": can_edit, "history": history,
               "stores": policy_stores_for_user(user) if can_edit else []}
    return render(request, POLICY, context, status=400 if form is not None and form.errors else 200)
