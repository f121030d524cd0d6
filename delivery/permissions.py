"""Who may use the delivery stage's screens. The finance desk is the store's finance
staff's; what they may do to one payment or refund is the ledger's rule
(contracts.permissions.can_handle_payments), checked again by its services.

The inventory board and the stock pages are for the store's supervisors, manager, finance
and the administrator (consultants have the core's stock list); receiving, arrivals, the
demo switch and the store's thresholds are the manager's (who holds add/change on stock
vehicles: delivery.services.inventory.can_edit_stock). The purchase cost is shown only to
`dealership.permissions.can_see_stock_cost` (manager, finance, admin)."""

from __future__ import annotations

from dealership.enums import Role

FINANCE_DESK_ROLES = (Role.FINANCE,)
INVENTORY_VIEW_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.ADMIN)
INVENTORY_EDIT_ROLES = (Role.MANAGER,)


# --- Allocation and order progress --------------------------------------------------------
# Orders are the signed contracts on their way to the customer: the sellers see the ones of
# the customers they may open (contracts.permissions.customer_scope_q), finance the store's.
ORDER_VIEW_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.FINANCE)
ALLOCATION_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)


def can_allocate(user, contract) -> bool:
    """Allocate, release or swap the car of a contract: the store's manager, and the
    seller (consultant, their supervisor) who may open the contract's customer."""
    from dealership.permissions import has_role, is_customer_in_scope

    if not has_role(user, *ALLOCATION_ROLES) or user.store_id != contract.store_id:
        return False
    return user.role == Role.MANAGER or is_customer_in_scope(user, contract.customer)


def can_override_allocation(user) -> bool:
    """A car of another trim or colour than the contract's: the manager decides (the
    customer's agreement is their call), with a reason that is audited."""
    from dealership.permissions import has_role

    return has_role(user, Role.MANAGER)
