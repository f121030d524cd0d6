"""Reads for the contract screens: the list, one contract with what its page shows, the
manager's review queue and its badge count. Always scoped with customer_scope_q: a
consultant sees their own customers' contracts, a supervisor the team's, manager and
finance the store's; outside the scope a contract does not exist (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from contracts.enums import ContractStatus
from contracts.models import Contract, ContractDocument, ContractEvent, Quote
from contracts.permissions import CONTRACT_REVIEW_ROLES, customer_scope_q
from dealership.enums import Role
from dealership.models import User
from dealership.permissions import has_role


def contract_scope_for_user(user: User) -> QuerySet[Contract]:
    return Contract.objects.filter(customer_scope_q(user))


def in_own_store(queryset: QuerySet, user: User) -> QuerySet:
    """The scope says "the customer's store"; a contract or quote is of its customer's
    store, so saying it of the row's own `store` too changes no answer and lets the list
    walk its index (store, newest first) instead of joining every customer of the store."""
    if user.store_id is None or has_role(user, Role.ADMIN):
        return queryset
    return queryset.filter(store_id=user.store_id)


def contract_list_for_user(*, user: User, params) -> tuple:
    """The contract list: (filterset, queryset), newest first, with the consultant joined."""
    from contracts.filters import ContractFilter

    base = in_own_store(contract_scope_for_user(user), user).select_related(
        "consultant").order_by("-created_at", "-id")
    filterset = ContractFilter(params or None, queryset=base, user=user)
    return filterset, filterset.qs


def contract_get_for_user(*, user: User, pk: int) -> Contract:
    """One contract with everything its page and the permission predicates read, the
    document and the refund owed included (None when there is none)."""
    try:
        contract = contract_scope_for_user(user).select_related(
            "store", "quote", "customer__owner__team", "consultant__team", "created_by",
            "reviewed_by", "signed_by", "cancelled_by", "document", "refund_obligation",
        ).get(pk=pk)
    except (Contract.DoesNotExist, ValueError):
        raise Http404 from None
    return contract


def contract_document_of(contract: Contract) -> ContractDocument | None:
    try:
        return contract.document
    except ContractDocument.DoesNotExist:
        return None


def contract_timeline(*, contract: Contract) -> QuerySet[ContractEvent]:
    """The contract's events, newest first, with who did them."""
    # The store too: the timeline is read off contract_event_idx (store, contract, -created_at).
    return (contract.events.filter(store_id=contract.store_id).select_related("actor")
            .order_by("-created_at", "-id"))


def contract_status_now(*, pk: int) -> str | None:
    """The state the contract is in right now (after someone else may have acted)."""
    return Contract.objects.filter(pk=pk).values_list("status", flat=True).first()


def quote_get_for_contract(*, user: User, pk: int) -> Quote:
    """The quote a contract is drafted from, when this user may open its customer."""
    try:
        return (Quote.objects.filter(customer_scope_q(user))
                .select_related("store", "customer__owner__team", "consultant").get(pk=pk))
    except (Quote.DoesNotExist, ValueError):
        raise Http404 from None


# --- The manager's review queue -------------------------------------------------------------
def _in_review(user: User) -> QuerySet[Contract]:
    return Contract.objects.filter(store_id=user.store_id, status=ContractStatus.IN_REVIEW)


def review_queue_for_user(*, user: User) -> QuerySet[Contract]:
    """The store's contracts waiting for the manager, the longest waiting first."""
    return _in_review(user).select_related("consultant").order_by("submitted_at", "id")


def review_queue_count(user: User) -> int:
    """For the navigation badge: one COUNT for a manager, no query (0) for anyone else."""
    if user.store_id is None or not has_role(user, *CONTRACT_REVIEW_ROLES):
        return 0
    return _in_review(user).count()
