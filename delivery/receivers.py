"""What delivery does when a lower stage announces something (connected in
DeliveryConfig.ready)."""

from __future__ import annotations

from contracts.models import Contract
from dealership.models import User


def release_car_of_cancelled_contract(sender, *, contract: Contract, actor: User | None,
                                      **kwargs) -> None:
    """A cancelled contract gives its car back to stock, in the cancellation's own
    transaction (a failure here rolls the cancellation back)."""
    from delivery.services.allocation import allocation_release_on_cancel

    allocation_release_on_cancel(actor=actor, contract=contract)
