"""Who may use the delivery stage's screens. The finance desk is the store's finance
staff's; what they may do to one payment or refund is the ledger's rule
(contracts.permissions.can_handle_payments), checked again by its services."""

from __future__ import annotations

from dealership.enums import Role

FINANCE_DESK_ROLES = (Role.FINANCE,)
