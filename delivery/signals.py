"""The hook delivery offers to the stages above it (after-sales subscribes to it; delivery
never imports after-sales).

`vehicle_delivered` is sent once per completed handover, after its transaction has
committed (so a receiver sees the delivered contract and car, and a rolled-back handover
sends nothing). sender is delivery.models.Handover; keyword arguments, all primitives:

    contract_id: int
    vehicle_id: int | None      (None only when a manager overrode the "car" condition)
    store_id: int
    customer_id: int
    consultant_id: int
    delivered_at: datetime      (aware; the moment the handover was completed)

Receivers should be quick and queue their work (a Celery task) rather than do it inline.
"""

from django.dispatch import Signal

vehicle_delivered = Signal()
