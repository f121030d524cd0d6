"""The leads in the header's search box (dealership.search): by the customer's name, whole
phone or its tail; open leads first, the phone masked as in the lists."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When

from dealership.models import User
from dealership.search import (
    GROUP_SIZE,
    SearchGroup,
    SearchHit,
    SearchQuery,
    detail_line,
    list_url,
)
from leads.enums import CLOSED_STATUSES
from leads.selectors.leads import lead_scope_for_user


def search_leads(user: User, query: SearchQuery) -> SearchGroup:
    condition = Q()
    if query.name:
        condition |= Q(customer__name__icontains=query.name)
    if query.phone:
        condition |= Q(customer__phone=query.phone)
    if query.phone_suffix:
        condition |= Q(customer__phone__endswith=query.phone_suffix)
    if not condition:
        return SearchGroup()
    closed = Case(When(status__in=CLOSED_STATUSES, then=Value(1)), default=Value(0),
                  output_field=IntegerField())
    leads = (lead_scope_for_user(user).filter(condition).select_related("customer", "owner")
             .order_by(closed, "-created_at", "-id")[:GROUP_SIZE + 1])
    hits = [SearchHit(title=f"{lead.customer.name} #{lead.pk}", url=lead.get_absolute_url(),
                      detail=detail_line(lead.customer.phone_masked, lead.get_status_display(),
                                         lead.owner))
            for lead in leads]
    return SearchGroup.of(hits, see_all_url=list_url("leads:list", q=query.text))
