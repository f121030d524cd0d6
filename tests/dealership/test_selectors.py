"""A record's audit rows and an item's price history are read in the store they are filed
under: the store leads audit_object_idx and price_change_item_idx (issue 15 §6). Rows of
no store (the group's catalogue) are read as such."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealership.enums import AuditAction, PriceKind
from dealership.models import PriceChange, StockVehicle
from dealership.selectors import audit_entries_for, price_history_for
from dealership.services.audit import audit_changes, audit_created, audit_log
from tests.factories import StockVehicleFactory, TrimFactory

pytestmark = pytest.mark.django_db


def test_audit_entries_for_a_catalogue_record_read_the_rows_of_no_store():
    trim = TrimFactory()
    entry = audit_log(actor=None, instance=trim, action=AuditAction.UPDATE, reason="msrp")

    assert (entry.store_id, list(audit_entries_for(instance=trim))) == (None, [entry])


def test_audit_entries_for_a_car_moved_to_another_store_begin_with_the_move(store,
                                                                           other_store):
    vehicle = StockVehicle.objects.get(pk=StockVehicleFactory(store=store).pk)
    audit_created(actor=None, instance=vehicle)
    vehicle.store = other_store
    vehicle.save()
    move = audit_changes(actor=None, instance=vehicle, reason="admin")

    assert (move.store_id, move.changes["store"][1]["id"]) == (other_store.pk, other_store.pk)
    assert list(audit_entries_for(instance=vehicle)) == [move]


def test_price_history_for_reads_the_items_store(store):
    def change(store, new):
        return PriceChange.objects.create(store=store, item_kind=PriceKind.ACCESSORY,
                                          item_id=7, item_label="脚垫", field="price",
                                          new=Decimal(new))

    ours, groups = change(store, "300"), change(None, "250")

    assert list(price_history_for(item_kind=PriceKind.ACCESSORY, item_id=7,
                                  store_id=store.pk)) == [ours]
    assert list(price_history_for(item_kind=PriceKind.ACCESSORY, item_id=7,
                                  store_id=None)) == [groups]
