"""Reads of campaigns and the marketing home: leads, visits and deals per campaign and channel.

Every figure comes from one annotated query, never from a query per campaign.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from dealership.models import Store, User
from leads.enums import (
    Channel,
    LeadStatus,
)
from leads.models import Campaign, Lead
from leads.selectors.leads import lead_scope_for_user
from leads.selectors.periods import Period, percent, ratio

# A campaign's "visits": leads that reached the showroom (the showroom stage comes later).
VISITED_STATUSES = (LeadStatus.VISITED, LeadStatus.TEST_DRIVEN, LeadStatus.NEGOTIATING,
                    LeadStatus.WON)


def _with_figures(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return campaigns.annotate(
        lead_count=Count("leads"),
        visit_count=Count("leads", filter=Q(leads__status__in=VISITED_STATUSES)),
        deal_count=Count("leads", filter=Q(leads__status=LeadStatus.WON)),
    )


def with_costs(campaign: Campaign) -> Campaign:
    """Cost per lead and per deal from the annotated counts (None when nothing to divide)."""
    campaign.cost_per_lead = ratio(campaign.budget, campaign.lead_count)
    campaign.cost_per_deal = ratio(campaign.budget, campaign.deal_count)
    return campaign


def campaign_list_for_user(*, user: User) -> QuerySet[Campaign]:
    return _with_figures(Campaign.objects.filter(store_id=user.store_id)).order_by(
        "-starts_on", "name", "id")


def campaign_get_for_user(*, user: User, pk: int) -> Campaign:
    try:
        return with_costs(campaign_list_for_user(user=user).get(pk=pk))
    except (Campaign.DoesNotExist, ValueError):
        raise Http404 from None


def campaign_leads(*, user: User, campaign: Campaign) -> QuerySet[Lead]:
    """The campaign's leads this user may open (a supervisor: their teams')."""
    return (lead_scope_for_user(user).filter(campaign=campaign)
            .select_related("customer", "owner").order_by("-created_at", "-id"))


def leads_by_channel(*, store: Store, period: Period) -> list[dict]:
    """Every channel with its leads created in the period (zero included)."""
    counts = dict(Lead.objects.filter(store=store, created_at__gte=period.start,
                                      created_at__lt=period.end)
                  .order_by().values_list("channel").annotate(n=Count("id"))
                  .values_list("channel", "n"))
    total = sum(counts.values())
    return [{"code": channel.value, "label": channel.label, "leads": counts.get(channel, 0),
             "share": percent(counts.get(channel, 0), total)} for channel in Channel]


def leads_by_campaign(*, store: Store, period: Period, limit: int = 10) -> list[Campaign]:
    """Campaigns with leads created in the period, the busiest first."""
    in_period = Q(leads__created_at__gte=period.start, leads__created_at__lt=period.end)
    return list(
        Campaign.objects.filter(store=store)
        .annotate(period_leads=Count("leads", filter=in_period),
                  period_deals=Count("leads", filter=in_period
                                     & Q(leads__status=LeadStatus.WON)))
        .filter(period_leads__gt=0).order_by("-period_leads", "name")[:limit]
    )


def campaigns_running(*, store: Store, today: dt.date) -> int:
    return Campaign.objects.filter(store=store, starts_on__lte=today,
                                   ends_on__gte=today).count()
