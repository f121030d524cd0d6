from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from dealership.enums import Role
from dealership.exports import CHUNK_SIZE, csv_response, csv_stamp
from dealership.forms import CustomerForm, apply_service_errors
from dealership.htmx import partial_template
from dealership.pagination import paginate
from dealership.permissions import (
    CUSTOMER_ROLES,
    can_create_customer,
    can_edit_customer,
    can_erase_customer,
    can_export_customer_data,
    can_view_full_pii,
    role_required,
)
from dealership.selectors import audit_entries_for, customer_get_for_user, customer_list_for_user
from dealership.services.customers import (
    customer_create,
    customer_reveal_pii,
    customer_update,
)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*CUSTOMER_ROLES)
def customer_list(request: HttpRequest) -> HttpResponse:
    filterset, customers = customer_list_for_user(user=request.user, params=request.GET)
    page = paginate(customers, request.GET)
    context = {"filter": filterset, "page": page,
               "can_create": can_create_customer(request.user)}
    return render(request,
                  partial_template(request, "dealership/customer_list.html", "customer-rows"),
                  context)



@require_safe
@role_required(*CUSTOMER_ROLES)
def customer_list_export(request: HttpRequest) -> HttpResponse:
    """The filtered customer list as CSV, streamed: the list's columns, the phone masked as
    on the list (the full number is revealed one customer at a time, audited)."""
    filterset, customers = customer_list_for_user(user=request.user, params=request.GET)
    if filterset.errors:
        response = customer_list(request)
        response.status_code = 400
        return response
    tz = request.user.store.tzinfo if request.user.store_id else timezone.get_current_timezone()
    header = [_("Name"), _("Mobile phone"), _("City"), _("Consultant"), _("Added on")]
    unassigned = _("Unassigned")
    rows = ([customer.name, customer.phone_masked, customer.city,
             str(customer.owner) if customer.owner_id else unassigned,
             csv_stamp(customer.created_at, tz)[:10]]
            for customer in customers.iterator(chunk_size=CHUNK_SIZE))
    return csv_response(header=header, rows=rows,
                        filename=f"customers-{timezone.localdate(timezone.now(), tz):%Y%m%d}")

@require_safe
@vary_on_headers("HX-Request")
@role_required(*CUSTOMER_ROLES)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    context = {
        "customer": customer,
        "can_reveal": can_view_full_pii(request.user, customer),
        "can_edit": can_edit_customer(request.user, customer),
        "can_export": can_export_customer_data(request.user, customer),
        "can_erase": can_erase_customer(request.user, customer),
        "history": audit_entries_for(instance=customer),
    }
    template = "dealership/customer_detail.html"
    if request.htmx and request.htmx.target == "history":
        template += "#history"
    return render(request, template, context)


@require_POST
@role_required(*CUSTOMER_ROLES)
def customer_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show phone and ID number in full, once, and audit that it happened."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    customer_reveal_pii(actor=request.user, customer=customer)
    context = {"customer": customer, "revealed": True, "can_reveal": True}
    if request.htmx:
        response = render(request, "dealership/customer_detail.html#contact-details", context)
        # The history panel reloads itself to show the reveal it just recorded.
        return trigger_client_event(response, "customer-history-changed")
    context.update(can_edit=can_edit_customer(request.user, customer),
                   history=audit_entries_for(instance=customer))
    return render(request, "dealership/customer_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
def customer_create_view(request: HttpRequest) -> HttpResponse:
    if not can_create_customer(request.user):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = request.user if request.user.role == Role.CONSULTANT else data.get("owner")
        try:
            customer = customer_create(actor=request.user, store=request.user.store,
                                       data=data, owner=owner)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Customer %(name)s added.") % {"name": customer.name})
            return redirect(customer)
    status = 400 if form.is_bound else 200
    return render(request, "dealership/customer_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*CUSTOMER_ROLES)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    if not can_edit_customer(request.user, customer):
        raise PermissionDenied
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_update(actor=request.user, customer=customer,
                                       data=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(customer)
    status = 400 if form.is_bound else 200
    return render(request, "dealership/customer_form.html",
                  {"form": form, "customer": customer}, status=status)
