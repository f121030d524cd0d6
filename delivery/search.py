"""Plates in the header's search box (dealership.search): a delivered (or registered) car
by its plate number, opening its contract."""

from __future__ import annotations

from contracts.permissions import customer_scope_q
from dealership.models import User
from dealership.search import GROUP_SIZE, SearchGroup, SearchHit, SearchQuery
from delivery.models import Handover


def search_plates(user: User, query: SearchQuery) -> SearchGroup:
    if not query.plate:
        return SearchGroup()
    handovers = (Handover.objects.filter(customer_scope_q(user, "contract__customer"),
                                         plate_number=query.plate)
                 .select_related("contract")
                 .order_by("-id")[:GROUP_SIZE + 1])
    # No list filters by plate: no "see all" link.
    return SearchGroup.of(
        SearchHit(title=handover.plate_number, url=handover.contract.get_absolute_url(),
                  detail=f"{handover.contract} · {handover.contract.buyer_name}")
        for handover in handovers)
