"""After-sales demo data: owners' files. Delivery's demo hands cars over with what the
showroom happened to record about their buyers, so most recent files miss a field or two.
Here the consultants complete every second file of the last 30 days from the signed
contract (ID number, address) and the conversation (gender), through the customer
service, so the data-quality list shows complete and incomplete files side by side."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from aftersales.selectors.owners import DATA_QUALITY_DAYS, DELIVERED_STATUSES
from contracts.models import Contract
from dealership.enums import Gender
from dealership.services.customers import customer_update


def seed(rng, *, store, scale: str) -> None:
    since = store.day_bounds(store.today() - dt.timedelta(days=DATA_QUALITY_DAYS))[0]
    contracts = (Contract.objects.filter(store=store, status__in=DELIVERED_STATUSES,
                                         delivered_at__gte=since,
                                         customer__anonymised_at__isnull=True)
                 .select_related("customer__owner__team").order_by("delivered_at", "id"))
    for index, contract in enumerate(contracts):
        customer, actor = contract.customer, contract.customer.owner
        if index % 2 or actor is None:
            continue
        data = {}
        if not customer.gender:
            data["gender"] = rng.choice((Gender.MALE, Gender.FEMALE))
        if not customer.address and contract.buyer_address:
            data["address"] = contract.buyer_address
        if not customer.id_number and contract.buyer_id_number:
            data["id_number"] = contract.buyer_id_number
        if not data:
            continue
        try:
            customer_update(actor=actor, customer=customer, data=data)
        except (ValidationError, PermissionDenied):
            # Another customer of the store holds the number: the file stays incomplete.
            continue
