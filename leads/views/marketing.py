"""Marketing's landing page: this month's leads by channel and campaign, the audience."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dealership.enums import Role
from dealership.models import Customer
from dealership.permissions import role_required
from leads.selectors.campaigns import campaigns_running, leads_by_campaign, leads_by_channel
from leads.selectors.periods import this_month


@require_safe
@role_required(Role.MARKETING)
def marketing_home(request: HttpRequest) -> HttpResponse:
    store = request.user.store
    month = this_month(store)
    customers = Customer.objects.filter(store=store)
    by_channel = leads_by_channel(store=store, period=month)
    context = {
        "month": month,
        "by_channel": by_channel,
        "month_leads": sum(row["leads"] for row in by_channel),
        "by_campaign": leads_by_campaign(store=store, period=month),
        "running": campaigns_running(store=store, today=month.last_day),
        "figures": customers.aggregate(
            total=Count("id"), consenting=Count("id", filter=Q(marketing_consent=True))),
        "by_city": customers.exclude(city="").values("city").annotate(n=Count("id"))
                   .order_by("-n", "city")[:10],
    }
    return render(request, "leads/marketing_home.html", context)
