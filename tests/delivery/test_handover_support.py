"""Builders shared by the inspection, handover and calendar tests (no tests here): a
signed contract driven through the real services, its car allocated, inspected, paid and
its ceremony ticked."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from contracts.enums import ContractStatus
from dealership.enums import StockStatus
from delivery.enums import HANDOVER_CHECKLIST
from delivery.models import Allocation, PdiItem
from delivery.services.handover import handover_update
from delivery.services.inventory import vehicle_move
from delivery.services.pdi import pdi_items_ensure, pdi_record
from tests.contracts.factories import make_contract, pay_the_balance
from tests.factories import CustomerFactory, StockVehicleFactory


def png(name: str = "photo.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def signed(consultant, manager, *, customer=None, **kwargs):
    customer = customer or CustomerFactory(store=consultant.store, owner=consultant)
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED,
                         **kwargs)


def allocate(contract, actor, *, status=StockStatus.IN_STOCK):
    """A car of the contract's trim, allocated and reserved (as the allocation service
    leaves it)."""
    vehicle = StockVehicleFactory(store=contract.store, trim=contract.trim, status=status)
    Allocation.objects.create(store=contract.store, contract=contract, vehicle=vehicle,
                              allocated_by=actor)
    vehicle_move(actor=actor, vehicle=vehicle, to=StockStatus.RESERVED, reason="test")
    vehicle.refresh_from_db()
    return vehicle


def items_of(store) -> list[PdiItem]:
    return [item for item in pdi_items_ensure(store=store) if item.active]


def pass_pdi(contract, actor):
    return pdi_record(actor=actor, contract=contract,
                      results=[(item, True, "") for item in items_of(contract.store)])


def tick_all(contract, actor, *, photo=True):
    values = {name: True for name, _label in HANDOVER_CHECKLIST}
    return handover_update(actor=actor, contract=contract, photo=png() if photo else None,
                           **values)


def ready(consultant, manager, **kwargs):
    """A signed contract whose car may be handed over now: paid, allocated, inspected,
    the ceremony ticked and photographed. Returns (contract, vehicle)."""
    contract = signed(consultant, manager, **kwargs)
    pay_the_balance(contract)
    vehicle = allocate(contract, manager)
    pass_pdi(contract, consultant)
    tick_all(contract, consultant)
    return contract, vehicle
