"""Read-only figures. Reports never write."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import ON_HAND_STOCK_STATUSES, Role, StockStatus
from dealership.models import Customer, StockVehicle
from dealership.permissions import role_required
from dealership.selectors import consultants_with_book, stock_summary
from delivery.selectors.inventory import delivery_settings_of


@require_safe
@role_required(Role.MANAGER)
def store_overview(request: HttpRequest) -> HttpResponse:
    """The manager's home: customers, consultants' books and stock of the store."""
    store = request.user.store
    today = store.today()  # the store's day, whatever the server's time zone
    month_start, _ = store.day_bounds(today.replace(day=1))
    customers = Customer.objects.filter(store=store).aggregate(
        total=Count("id"),
        this_month=Count("id", filter=Q(created_at__gte=month_start)),
    )
    slow_days = delivery_settings_of(store).slow_stock_days  # the store's own threshold
    slow = StockVehicle.objects.filter(
        store=store, status__in=ON_HAND_STOCK_STATUSES,
        arrival_date__lt=today - dt.timedelta(days=slow_days),
    ).count()
    summary = stock_summary(store=store)
    context = {
        "today": today,
        "customers": customers,
        "consultants": consultants_with_book(store=store),
        "stock": [(StockStatus(status).label, n) for status, n in summary.items()],
        "slow_stock": slow,
        "slow_days": slow_days,
    }
    return render(request, "reports/store_overview.html", context)
