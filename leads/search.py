"""The leads in the header's search box (dealership.search): by the customer's name, whole
phone or its tail; open leads first, the phone masked as in the lists."""

from __future__ import annotations

from django.db.models import F

from dealership.enums import Role
from dealership.models import User
from dealership.permissions import has_role
from dealership.search import (
    GROUP_SIZE,
    SearchGroup,
    SearchHit,
    SearchQuery,
    detail_line,
    list_url,
)
from leads.selectors.leads import lead_scope_for_user


def search_leads(user: User, query: SearchQuery) -> SearchGroup:
    if (condition := query.customer_q(prefix="customer__")) is None:
        return SearchGroup()
    leads = lead_scope_for_user(user).filter(condition)
    if not has_role(user, Role.ADMIN):
        # A lead's customer is of the lead's store. Said to the database, it finds the
        # customers on their (store, phone) / (store, phone_last4) indexes first.
        leads = leads.filter(customer__store_id=user.store_id)
    leads = (leads.select_related("customer", "owner")
             .order_by(F("open").desc(), "-created_at", "-id")[:GROUP_SIZE + 1])
    hits = [SearchHit(title=f"{lead.customer.name} #{lead.pk}", url=lead.get_absolute_url(),
                      detail=detail_line(lead.customer.phone_masked, lead.get_status_display(),
                                         lead.owner))
            for lead in leads]
    return SearchGroup.of(hits, see_all_url=list_url("leads:list", q=query.text))
