from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import Customer, Store, User
from dealership.navigation import home_url_name
from dealership.permissions import role_required
from dealership.selectors import count_per_store


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Every role lands on its own home page."""
    return redirect(home_url_name(request.user))


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (the admin)."""
    return redirect(static("img/favicon.svg"), permanent=True)


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@role_required(Role.ADMIN)
def console(request: HttpRequest) -> HttpResponse:
    """The administrator's home: stores and their staff, with links into the admin."""
    stores = Store.objects.select_related("group").annotate(
        staff_count=count_per_store(User.objects.filter(is_active=True)),
        customer_count=count_per_store(Customer.objects.all()),
    )
    unassigned = User.objects.filter(store__isnull=True, is_active=True).order_by("username")
    return render(request, "dealership/console.html",
                  {"stores": stores, "unassigned": unassigned})
