"""Quotes and contracts in the header's search box (dealership.search): a quote by its
number (Q000123) or its customer's name; a contract by its number (or its year-sequence
tail) or the buyer's name."""

from __future__ import annotations

from django.db.models import Q

from contracts.selectors.contracts import contract_scope_for_user
from contracts.selectors.quotes import quote_scope_for_user
from dealership.models import User
from dealership.search import (
    GROUP_SIZE,
    SearchGroup,
    SearchHit,
    SearchQuery,
    list_url,
    name_q,
)


def search_quotes(user: User, query: SearchQuery) -> SearchGroup:
    condition = Q()
    if query.quote_id is not None:
        condition |= Q(pk=query.quote_id)
    if query.name:
        # The customer's name, on its trigram index (PostgreSQL) as the customers' search.
        condition |= name_q(query.name, prefix="customer__")
    if not condition:
        return SearchGroup()
    quotes = (quote_scope_for_user(user).filter(condition).select_related("customer")
              .order_by("-updated_at", "-id")[:GROUP_SIZE + 1])
    # The quote list filters by status and consultant only: no "see all" link.
    return SearchGroup.of(
        SearchHit(title=quote.number, url=quote.get_absolute_url(),
                  detail=f"{quote.customer.name} · {quote.get_status_display()}")
        for quote in quotes)


def search_contracts(user: User, query: SearchQuery) -> SearchGroup:
    condition = Q()
    if query.contract_number:
        condition |= Q(number__iendswith=query.contract_number)
    if query.name:
        condition |= Q(buyer_name__icontains=query.name)
    if not condition:
        return SearchGroup()
    contracts = (contract_scope_for_user(user).filter(condition)
                 .order_by("-created_at", "-id")[:GROUP_SIZE + 1])
    return SearchGroup.of(
        (SearchHit(title=str(contract), url=contract.get_absolute_url(),
                   detail=f"{contract.buyer_name} · {contract.get_status_display()}")
         for contract in contracts),
        see_all_url=list_url("contracts:contract_list", q=query.text))
