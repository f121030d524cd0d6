"""Who may do what in the money stage. Each view names its roles from here; the
predicates decide one action on one loaded row."""

from __future__ import annotations

from django.db.models import Q

from contracts.enums import ApprovalTier, ContractStatus
from dealership.enums import Role
from dealership.permissions import has_role, is_customer_in_scope

QUOTE_WRITE_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
QUOTE_VIEW_ROLES = (*QUOTE_WRITE_ROLES, Role.FINANCE, Role.ADMIN)
APPROVER_ROLES = (Role.SUPERVISOR, Role.MANAGER)
CONTRACT_WRITE_ROLES = QUOTE_WRITE_ROLES
CONTRACT_VIEW_ROLES = (*QUOTE_WRITE_ROLES, Role.FINANCE, Role.ADMIN)
CONTRACT_REVIEW_ROLES = (Role.MANAGER,)
POLICY_VIEW_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)
POLICY_EDIT_ROLES = (Role.ADMIN,)


def customer_scope_q(user, path: str = "customer") -> Q:
    """The rows whose customer (reached by `path`) this user may open; the same rule as
    dealership.selectors.customer_scope_for_user, as a filter on another model."""
    if has_role(user, Role.ADMIN):
        return Q()
    if user.store_id is None:
        return Q(pk__in=[])
    store = Q(**{f"{path}__store_id": user.store_id})
    if user.role == Role.CONSULTANT:
        return store & Q(**{f"{path}__owner": user})
    if user.role == Role.SUPERVISOR:
        return store & (Q(**{f"{path}__owner": user})
                        | Q(**{f"{path}__owner__team__supervisor": user}))
    if user.role in (Role.MANAGER, Role.FINANCE):
        return store
    return Q(pk__in=[])


def can_write_quote(user, quote=None, customer=None) -> bool:
    """Build or revise a quote: a seller who may open the customer."""
    customer = customer if customer is not None else quote.customer
    return (user.store_id is not None and has_role(user, *QUOTE_WRITE_ROLES)
            and customer.store_id == user.store_id and is_customer_in_scope(user, customer))


def can_decide_approval(user, approval) -> bool:
    """A supervisor decides the supervisor tier for their own team; the manager decides
    every tier. Nobody decides a discount they asked for or a quote of their own."""
    if not has_role(user, *APPROVER_ROLES) or user.store_id != approval.store_id:
        return False
    quote = approval.quote
    if user.pk in (approval.requested_by_id, quote.consultant_id):
        return False
    if user.role == Role.MANAGER:
        return True
    team = quote.consultant.team
    return (approval.tier == ApprovalTier.SUPERVISOR and team is not None
            and team.supervisor_id == user.pk)


def can_see_cost(user) -> bool:
    return user.has_perm("dealership.view_stock_cost")


def can_work_contract(user, contract) -> bool:
    """Edit a draft, send it for review, sign it: a seller who may open the customer."""
    return (has_role(user, *CONTRACT_WRITE_ROLES) and contract.store_id == user.store_id
            and is_customer_in_scope(user, contract.customer))


def can_review_contract(user, contract) -> bool:
    """The store's manager reviews, never their own contract."""
    return (has_role(user, *CONTRACT_REVIEW_ROLES) and contract.store_id == user.store_id
            and contract.consultant_id != user.pk)


def can_cancel_contract(user, contract) -> bool:
    """Before signing, its seller; once signed, only the manager (money may be involved)."""
    if contract.status == ContractStatus.SIGNED:
        return has_role(user, Role.MANAGER) and contract.store_id == user.store_id
    return can_work_contract(user, contract)


def can_deliver_contract(user, contract) -> bool:
    return can_work_contract(user, contract)


def can_close_contract(user, contract) -> bool:
    return has_role(user, Role.MANAGER, Role.FINANCE) and contract.store_id == user.store_id


def can_edit_discount_policy(user) -> bool:
    """The discount policy binds every seller of the store: only the administrator."""
    return has_role(user, *POLICY_EDIT_ROLES)


def can_handle_payments(user, store_id: int) -> bool:
    """The store's finance staff confirm payments and settle refunds in the ledger."""
    return (has_role(user, Role.FINANCE) and user.store_id is not None
            and user.store_id == store_id)
