"""The store catalogue's services: accessories and value-added packages, audited, with
their price history in the core, refused for other stores and for stale edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.enums import PackageKind
from contracts.models import Accessory, ValuePackage
from contracts.services.catalogue import (
    ACCESSORY_FIELDS,
    PACKAGE_FIELDS,
    accessory_create,
    accessory_set_active,
    accessory_update,
    package_create,
    package_set_active,
    package_update,
)
from dealership.enums import AuditAction, PriceKind, Role
from dealership.models import AuditEntry, PriceChange
from dealership.services.catalogue import catalogue_version
from tests.contracts.factories import AccessoryFactory, ValuePackageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _accessory_version(item: Accessory) -> str:
    return catalogue_version(instance=Accessory.objects.get(pk=item.pk),
                             fields=ACCESSORY_FIELDS)


def _package_version(item: ValuePackage) -> str:
    return catalogue_version(instance=ValuePackage.objects.get(pk=item.pk),
                             fields=PACKAGE_FIELDS)


# --- Accessories ---------------------------------------------------------------------------
def test_accessory_create_saves_audits_and_starts_the_price_history(manager, store):
    with mock.patch.object(timezone, "now", return_value=NOW):
        item = accessory_create(actor=manager, store=store, code=" mat-01 ", name="全包脚垫",
                                price=Decimal("880"))

    item = Accessory.objects.get(pk=item.pk)
    assert (item.store, item.code, item.name, item.price, item.is_active) == (
        store, "MAT-01", "全包脚垫", Decimal("880.00"), True)
    entry = AuditEntry.objects.get(content_type__model="accessory")
    assert (entry.action, entry.store_id, entry.actor) == (AuditAction.CREATE, store.pk, manager)
    assert entry.changes["price"] == [None, "880.00"]
    change = PriceChange.objects.get()
    assert (change.store_id, change.item_kind, change.item_id, change.field, change.old,
            change.new, change.changed_by, change.changed_at) == (
        store.pk, PriceKind.ACCESSORY, item.pk, "price", None, Decimal("880.00"), manager, NOW)


def test_accessory_create_refuses_another_stores_manager(manager, other_store):
    with pytest.raises(PermissionDenied):
        accessory_create(actor=manager, store=other_store, code="A", name="B",
                         price=Decimal("1"))

    assert Accessory.objects.count() == 0


def test_accessory_create_refuses_a_consultant(consultant, store):
    with pytest.raises(PermissionDenied):
        accessory_create(actor=consultant, store=store, code="A", name="B", price=Decimal("1"))


def test_accessory_create_refuses_a_duplicate_code_on_the_code_field(manager, store):
    AccessoryFactory(store=store, code="MAT-01")

    with pytest.raises(ValidationError) as caught:
        accessory_create(actor=manager, store=store, code="mat-01", name="另一个",
                         price=Decimal("1"))

    assert caught.value.message_dict == {
        "code": ["The store has an accessory with this code already."]}
    assert Accessory.objects.count() == 1


def test_the_same_code_in_another_store_is_fine(make_user, store, other_store):
    admin = make_user(Role.ADMIN)
    AccessoryFactory(store=store, code="MAT-01")

    item = accessory_create(actor=admin, store=other_store, code="MAT-01", name="脚垫",
                            price=Decimal("1"))

    assert item.store == other_store


def test_accessory_create_refuses_a_price_above_the_bound(manager, store):
    with pytest.raises(ValidationError) as caught:
        accessory_create(actor=manager, store=store, code="A", name="B",
                         price=Decimal("1000000.01"))

    assert caught.value.message_dict == {
        "price": ["Enter an amount from ¥0.00 to ¥1,000,000.00."]}


def test_accessory_update_records_price_history_and_audit(manager, store):
    item = AccessoryFactory(store=store, price=Decimal("800.00"), name="脚垫")

    accessory_update(actor=manager, accessory=item, version=_accessory_version(item),
                     price=Decimal("880"), name="全包脚垫")

    item.refresh_from_db()
    assert (item.price, item.name) == (Decimal("880.00"), "全包脚垫")
    change = PriceChange.objects.get()
    assert (change.store_id, change.old, change.new) == (
        store.pk, Decimal("800.00"), Decimal("880.00"))
    entry = AuditEntry.objects.get(content_type__model="accessory")
    assert entry.changes == {"name": ["脚垫", "全包脚垫"], "price": ["800.00", "880.00"]}


def test_accessory_update_refuses_a_stale_edit(manager, store, make_user):
    other_manager = make_user(Role.MANAGER, username="mgr2")
    item = AccessoryFactory(store=store, price=Decimal("800.00"))
    shown = _accessory_version(item)
    accessory_update(actor=other_manager, accessory=item, version=shown, price=Decimal("850"))

    with pytest.raises(ValidationError) as caught:
        accessory_update(actor=manager, accessory=item, version=shown, price=Decimal("900"))

    assert not hasattr(caught.value, "error_dict")
    item.refresh_from_db()
    assert item.price == Decimal("850.00")
    assert PriceChange.objects.count() == 1


def test_accessory_update_refuses_another_stores_manager(other_store, store, make_user):
    other_manager = make_user(Role.MANAGER, username="mgr-other", store=other_store)
    item = AccessoryFactory(store=store, price=Decimal("800.00"))

    with pytest.raises(PermissionDenied):
        accessory_update(actor=other_manager, accessory=item,
                         version=_accessory_version(item), price=Decimal("1"))

    item.refresh_from_db()
    assert item.price == Decimal("800.00")


def test_accessory_set_active_retires_once(manager, store):
    item = AccessoryFactory(store=store)

    accessory_set_active(actor=manager, accessory=item, is_active=False)
    with pytest.raises(ValidationError) as caught:
        accessory_set_active(actor=manager, accessory=item, is_active=False)

    assert caught.value.messages == [f"“{item.name}” is already retired."]
    assert Accessory.objects.get(pk=item.pk).is_active is False
    assert list(AuditEntry.objects.values_list("changes", flat=True)) == [
        {"is_active": [True, False]}]


# --- Packages ------------------------------------------------------------------------------
def test_package_create_and_update_record_the_price_history(manager, store):
    item = package_create(actor=manager, store=store, name="首保套餐", kind=PackageKind.MAINTENANCE,
                          price=Decimal("0"), description="首次保养免费")

    package_update(actor=manager, package=item, version=_package_version(item),
                   price=Decimal("1200"))

    rows = list(PriceChange.objects.order_by("id").values_list("item_kind", "old", "new"))
    assert rows == [(PriceKind.PACKAGE, None, Decimal("0.00")),
                    (PriceKind.PACKAGE, Decimal("0.00"), Decimal("1200.00"))]


def test_package_create_refuses_a_duplicate_name(manager, store):
    ValuePackageFactory(store=store, name="洗车券")

    with pytest.raises(ValidationError) as caught:
        package_create(actor=manager, store=store, name="洗车券", kind=PackageKind.WASH,
                       price=Decimal("0"))

    assert caught.value.message_dict == {
        "name": ["The store has a package of this name already."]}


def test_package_create_refuses_an_unknown_kind(manager, store):
    with pytest.raises(ValidationError) as caught:
        package_create(actor=manager, store=store, name="X", kind="spa", price=Decimal("0"))

    assert caught.value.message_dict == {"kind": ["Choose the kind of package."]}


def test_package_set_active_brings_back(manager, store):
    item = ValuePackageFactory(store=store, is_active=False)

    package_set_active(actor=manager, package=item, is_active=True)

    assert ValuePackage.objects.get(pk=item.pk).is_active is True
