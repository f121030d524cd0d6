from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import Customer, Store, User
from dealership.navigation import home_url_name, nav_badges, nav_for, nav_sections
from dealership.pagination import bounded_count_label
from dealership.permissions import role_required
from dealership.selectors import count_per_store, count_per_store_bounded

# The console's customers per store: a dealer group's stores hold hundreds of thousands
# each, and the administrator needs their size, not the exact figure.
CONSOLE_CUSTOMER_BOUND = 10_000


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
@login_required
def nav_badges_view(request: HttpRequest) -> HttpResponse:
    """The navigation's counts ("3 waiting"), swapped in out of band after the page has
    loaded and refreshed every minute, so no page pays for them in its own queries.
    Any signed-in user: each count is scoped to the user by its own function."""
    items = nav_for(request.user)
    counts = nav_badges(request.user, items)
    badges = [(item, counts[item.url_name]) for item in items if item.has_badge]
    # A section folded in the desktop menu shows the sum of its items' counts.
    section_badges = [(section.group, sum(counts[item.url_name] for item in section.items
                                          if item.has_badge))
                      for section in nav_sections(items) if section.has_badge
                      and section.single is None]
    response = render(request, "components/nav_badges.html",
                      {"badges": badges, "section_badges": section_badges,
                       "badge_total": sum(counts.values()), "places": ("wide", "menu")})
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@role_required(Role.ADMIN)
def console(request: HttpRequest) -> HttpResponse:
    """The administrator's home: stores and their staff, with links into the admin."""
    stores = list(Store.objects.select_related("group").annotate(
        staff_count=count_per_store(User.objects.filter(is_active=True)),
        customer_count=count_per_store_bounded(Customer.objects.all(),
                                               CONSOLE_CUSTOMER_BOUND),
    ))
    for store in stores:
        store.customer_label = bounded_count_label(store.customer_count,
                                                   CONSOLE_CUSTOMER_BOUND)
    unassigned = User.objects.filter(store__isnull=True, is_active=True).order_by("username")
    return render(request, "dealership/console.html",
                  {"stores": stores, "unassigned": unassigned})
