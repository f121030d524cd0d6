"""Segments of the store's owners and the care campaigns sent to them.

Who is in a segment: the store's customers who own a car delivered by the store (a
contract delivered or closed): after-sales speaks to owners, not to prospects. Each owner
is put, in SQL (one annotated queryset, no loop in Python), into one segment of each of
three kinds:

- value: what they spent with the store = purchases (the out-the-door price of their
  signed, delivered and closed contracts) + service spend (the amounts of the items of
  their service records). High from ¥300,000, medium from ¥200,000, low below (most
  cars the store sells cost ¥170,000 to ¥360,000: one car alone is rarely "high").
- need, from the needs analysis of their latest showroom visit: premium when they bought
  a car listed at ¥300,000 or more, or stated a budget ceiling of ¥400,000 or more
  (ceilings are stated generously: ¥300,000 is common for a mid-range car); else
  business when the car was for business use or a company car; else family (private
  use: family, commute, or no needs recorded).
- loyalty: at risk when, in the last 12 months, they answered a survey with a score of 6
  or less or complained (a recent problem outweighs a past referral); else advocate when
  they referred someone or bought twice; satisfied otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils import timezone

from aftersales.enums import LOW_SCORE_MAX, LoyaltySegment, NeedSegment, ValueSegment
from aftersales.models import CareCampaign, Complaint, Referral, ServiceItem, Survey
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.models import Customer, Store, User
from leads.messaging import counted_messages, message_render
from leads.selectors.policy import policy_for
from showroom.enums import CustomerType, Usage
from showroom.models import Visit

# The thresholds of the segments, defined once (see the module's docstring).
HIGH_VALUE_FROM = Decimal("300000")
MEDIUM_VALUE_FROM = Decimal("200000")
PREMIUM_BUDGET_FROM = 400_000
PREMIUM_PRICE_FROM = Decimal("300000")
AT_RISK_WINDOW = dt.timedelta(days=365)
ADVOCATE_PURCHASES = 2

OWNER_STATUSES = (ContractStatus.DELIVERED, ContractStatus.CLOSED)
PURCHASE_STATUSES = (ContractStatus.SIGNED, ContractStatus.DELIVERED, ContractStatus.CLOSED)

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)

# Why an owner of the segment gets no message, in the order they are told.
EXCLUDED_ANONYMISED = "anonymised"
EXCLUDED_NO_CONSENT = "no_consent"
EXCLUDED_WEEKLY_LIMIT = "weekly_limit"

SEGMENT_KINDS = ("value", "need", "loyalty")
SEGMENT_CHOICES = {"value": ValueSegment, "need": NeedSegment, "loyalty": LoyaltySegment}


def _per_customer(queryset: QuerySet, expression, output_field, key: str = "customer"
                  ) -> Subquery:
    """One aggregate of the customer's rows as a correlated subquery (no GROUP BY on the
    outer query, so the customers stay one row each and can still be locked)."""
    return Subquery(queryset.order_by().values(key).annotate(total=expression)
                    .values("total")[:1], output_field=output_field)


def segment_annotated(*, store: Store, now: dt.datetime) -> QuerySet[Customer]:
    """The store's owners, each annotated with `purchases`, `service_spend`, `value_total`,
    `purchase_count`, `value_segment`, `need_segment` and `loyalty_segment`."""
    purchases = Contract.objects.filter(customer=OuterRef("pk"), status__in=PURCHASE_STATUSES)
    service_items = ServiceItem.objects.filter(store=store, record__customer=OuterRef("pk"))
    latest_visit = Visit.objects.filter(customer=OuterRef("pk")).order_by("-arrived_at", "-pk")
    since = now - AT_RISK_WINDOW
    owners = Contract.objects.filter(customer=OuterRef("pk"), status__in=OWNER_STATUSES)
    return (
        Customer.objects.filter(store=store).filter(Exists(owners))
        .annotate(
            purchases=Coalesce(_per_customer(purchases, Sum("total_price"), _MONEY), _ZERO),
            purchase_count=Coalesce(_per_customer(purchases, Count("pk"), IntegerField()), 0),
            top_list_price=_per_customer(purchases, Max("list_price"), _MONEY),
            service_spend=Coalesce(_per_customer(service_items, Sum("amount"), _MONEY,
                                                 key="record__customer"), _ZERO),
            need_usage=Subquery(latest_visit.values("usage")[:1]),
            need_customer_type=Subquery(latest_visit.values("customer_type")[:1]),
            need_budget=Subquery(latest_visit.values("budget_max")[:1]),
            referred=Exists(Referral.objects.filter(store=store, referrer=OuterRef("pk"))),
            low_score=Exists(Survey.objects.filter(customer=OuterRef("pk"),
                                                   lowest_score__lte=LOW_SCORE_MAX,
                                                   answered_at__gte=since)),
            complained=Exists(Complaint.objects.filter(store=store, customer=OuterRef("pk"),
                                                       received_at__gte=since)),
        )
        .annotate(value_total=F("purchases") + F("service_spend"))
        .annotate(
            value_segment=Case(
                When(value_total__gte=HIGH_VALUE_FROM, then=Value(ValueSegment.HIGH)),
                When(value_total__gte=MEDIUM_VALUE_FROM, then=Value(ValueSegment.MEDIUM)),
                default=Value(ValueSegment.LOW), output_field=CharField()),
            need_segment=Case(
                When(Q(need_budget__gte=PREMIUM_BUDGET_FROM)
                     | Q(top_list_price__gte=PREMIUM_PRICE_FROM),
                     then=Value(NeedSegment.PREMIUM)),
                When(Q(need_usage=Usage.BUSINESS) | Q(need_customer_type=CustomerType.COMPANY),
                     then=Value(NeedSegment.BUSINESS)),
                default=Value(NeedSegment.FAMILY), output_field=CharField()),
            loyalty_segment=Case(
                When(Q(low_score=True) | Q(complained=True),
                     then=Value(LoyaltySegment.AT_RISK)),
                When(Q(referred=True) | Q(purchase_count__gte=ADVOCATE_PURCHASES),
                     then=Value(LoyaltySegment.ADVOCATE)),
                default=Value(LoyaltySegment.SATISFIED), output_field=CharField()),
        )
    )


def segment_customers(*, store: Store, value=(), need=(), loyalty=(),
                      now: dt.datetime | None = None) -> QuerySet[Customer]:
    """The store's owners in the segment (an empty kind means any), annotated with their
    three segments, by name."""
    customers = segment_annotated(store=store, now=now or timezone.now())
    if value:
        customers = customers.filter(value_segment__in=list(value))
    if need:
        customers = customers.filter(need_segment__in=list(need))
    if loyalty:
        customers = customers.filter(loyalty_segment__in=list(loyalty))
    return customers.order_by("name", "pk")


def segment_counts(*, store: Store, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """How many owners in each segment, in one query: {"value": {"high": n, …}, "need":
    {…}, "loyalty": {…}, "all": {"all": n}}."""
    customers = segment_annotated(store=store, now=now or timezone.now())
    aggregates = {"all": Count("pk")}
    for kind in SEGMENT_KINDS:
        for choice in SEGMENT_CHOICES[kind]:
            aggregates[f"{kind}__{choice.value}"] = Count(
                "pk", filter=Q(**{f"{kind}_segment": choice.value}))
    row = customers.aggregate(**aggregates)
    counts: dict[str, dict[str, int]] = {"all": {"all": row["all"]}}
    for kind in SEGMENT_KINDS:
        counts[kind] = {choice.value: row[f"{kind}__{choice.value}"]
                        for choice in SEGMENT_CHOICES[kind]}
    return counts


# --- Campaigns --------------------------------------------------------------------------------
def campaign_list_for_user(*, user: User) -> QuerySet[CareCampaign]:
    if user.store_id is None:
        return CareCampaign.objects.none()
    return (CareCampaign.objects.filter(store_id=user.store_id)
            .select_related("created_by", "sent_by").order_by("-created_at", "-pk"))


def campaign_get_for_user(*, user: User, pk: int) -> CareCampaign:
    campaign = (campaign_list_for_user(user=user).select_related("store")
                .filter(pk=pk).first())
    if campaign is None:
        raise Http404
    return campaign


def campaign_segment(campaign: CareCampaign) -> dict[str, list[str]]:
    """The campaign's stored segment, as lists of known codes (unknown codes dropped)."""
    segment = campaign.segment or {}
    return {kind: [code for code in segment.get(kind, []) or []
                   if code in SEGMENT_CHOICES[kind].values]
            for kind in SEGMENT_KINDS}


def campaign_audience(*, campaign: CareCampaign, now: dt.datetime,
                      limit: int | None = None) -> QuerySet[Customer]:
    """The campaign's segment, each owner annotated with `recent_messages` (counted
    against the weekly limit, the store's policy unless `limit` is given),
    `consultant_name` (for {consultant}) and `reason`: why they receive nothing
    ("anonymised", "no_consent", "weekly_limit"), or "" when they do."""
    if limit is None:
        limit = policy_for(campaign.store).messages_per_week
    recent = _per_customer(counted_messages(now).filter(customer=OuterRef("pk")), Count("pk"),
                           IntegerField())
    last_seller = (Contract.objects.filter(customer=OuterRef("pk"), status__in=OWNER_STATUSES)
                   .order_by("-delivered_at", "-pk").values("consultant__name")[:1])
    return (
        segment_customers(store=campaign.store, now=now, **campaign_segment(campaign))
        .annotate(
            recent_messages=Coalesce(recent, 0),
            consultant_name=Coalesce(NullIf("owner__name", Value("")), Subquery(last_seller),
                                     Value(""), output_field=CharField()),
        )
        .annotate(reason=Case(
            When(anonymised_at__isnull=False, then=Value(EXCLUDED_ANONYMISED)),
            When(marketing_consent=False, then=Value(EXCLUDED_NO_CONSENT)),
            When(recent_messages__gte=limit, then=Value(EXCLUDED_WEEKLY_LIMIT)),
            default=Value(""), output_field=CharField()))
    )


def campaign_preview(*, campaign: CareCampaign, now: dt.datetime) -> dict:
    """What sending would do now: {"in_segment", "recipients", "excluded", "anonymised",
    "no_consent", "weekly_limit", "limit", "sample"} (sample: the message the first
    recipient, by name, would get; None without recipients). Three queries (the policy,
    the numbers, the sample)."""
    limit = policy_for(campaign.store).messages_per_week
    audience = campaign_audience(campaign=campaign, now=now, limit=limit)
    numbers = audience.aggregate(
        in_segment=Count("pk"),
        recipients=Count("pk", filter=Q(reason="")),
        anonymised=Count("pk", filter=Q(reason=EXCLUDED_ANONYMISED)),
        no_consent=Count("pk", filter=Q(reason=EXCLUDED_NO_CONSENT)),
        weekly_limit=Count("pk", filter=Q(reason=EXCLUDED_WEEKLY_LIMIT)),
    )
    numbers["excluded"] = numbers["in_segment"] - numbers["recipients"]
    numbers["limit"] = limit
    first = (audience.filter(reason="").values("name", "consultant_name").first()
             if numbers["recipients"] else None)
    numbers["sample"] = None if first is None else message_render(
        campaign.template, name=first["name"], store=campaign.store.name,
        consultant=first["consultant_name"])
    return numbers
