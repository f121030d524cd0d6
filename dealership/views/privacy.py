"""Data-subject requests on the customer page (PIPL Art. 44–47): a copy of everything
held about the customer, and erasure by anonymisation after a typed confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dealership.enums import Role
from dealership.forms import CustomerEraseForm, CustomerExportForm, apply_service_errors
from dealership.permissions import (
    CUSTOMER_ROLES,
    can_erase_customer,
    can_export_customer_data,
    role_required,
)
from dealership.selectors import customer_get_for_user
from dealership.services.privacy import customer_erase, customer_erase_blockers, customer_export

_CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@require_POST
@role_required(*CUSTOMER_ROLES)
def customer_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Download everything held about the customer (a POST: the export is audited)."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    if not can_export_customer_data(request.user, customer):
        raise PermissionDenied
    form = CustomerExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose JSON or CSV."), status=400,
                            content_type="text/plain; charset=utf-8")
    fmt = form.cleaned_data["format"]
    content = customer_export(actor=request.user, customer=customer, fmt=fmt)
    response = HttpResponse(content, content_type=_CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="customer-{customer.pk}-{stamp}.{fmt}"')
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER, Role.ADMIN)
def customer_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page of an erasure: what stays, what goes, what stands in the way."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    if not can_erase_customer(request.user, customer):
        raise PermissionDenied
    form = CustomerEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_erase(actor=request.user, customer=customer,
                           confirmation=form.cleaned_data["confirmation"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The customer's personal data has been erased."))
            return redirect(customer)
    context = {"customer": customer, "form": form,
               "blockers": customer_erase_blockers(customer=customer)}
    return render(request, "dealership/customer_erase.html", context,
                  status=400 if form.is_bound else 200)
