"""The group catalogue's services: trims and colours, their audit rows and price history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dealership.enums import AuditAction, Powertrain, PriceKind, Role
from dealership.models import AuditEntry, Colour, PriceChange, Trim
from dealership.services.catalogue import (
    COLOUR_FIELDS,
    TRIM_FIELDS,
    catalogue_version,
    colour_create,
    colour_set_active,
    colour_update,
    price_change_record,
    trim_create,
    trim_set_active,
    trim_update,
)
from tests.factories import ColourFactory, SeriesFactory, TrimFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def _version(trim: Trim) -> str:
    return catalogue_version(instance=Trim.objects.get(pk=trim.pk), fields=TRIM_FIELDS)


# --- trim_create ---------------------------------------------------------------------------
def test_trim_create_saves_audits_and_starts_the_price_history(admin):
    series = SeriesFactory()

    with mock.patch.object(timezone, "now", return_value=NOW):
        trim = trim_create(actor=admin, series=series, name=" 2.5L 豪华版 ", model_year=2026,
                           powertrain=Powertrain.HEV, msrp=Decimal("239800.004"), seats=5)

    trim = Trim.objects.get(pk=trim.pk)
    assert (trim.name, trim.msrp, trim.is_active) == ("2.5L 豪华版", Decimal("239800.00"), True)
    entry = AuditEntry.objects.get(object_id=str(trim.pk), content_type__model="trim")
    assert entry.action == AuditAction.CREATE
    assert entry.changes["msrp"] == [None, "239800.00"]
    change = PriceChange.objects.get()
    assert (change.store_id, change.item_kind, change.item_id, change.field) == (
        None, PriceKind.TRIM, trim.pk, "msrp")
    assert (change.old, change.new, change.changed_by, change.changed_at,
            change.effective_from) == (None, Decimal("239800.00"), admin, NOW, NOW)


def test_trim_create_refuses_a_manager(manager):
    with pytest.raises(PermissionDenied):
        trim_create(actor=manager, series=SeriesFactory(), name="X", model_year=2026,
                    powertrain=Powertrain.EV, msrp=Decimal("100000"))

    assert Trim.objects.count() == 0
    assert PriceChange.objects.count() == 0


@pytest.mark.parametrize(("msrp", "message"), [
    (Decimal("0"), "Enter an amount above ¥0.00 and up to ¥10,000,000.00."),
    (Decimal("10000000.01"), "Enter an amount above ¥0.00 and up to ¥10,000,000.00."),
])
def test_trim_create_refuses_a_price_out_of_range(admin, msrp, message):
    with pytest.raises(ValidationError) as caught:
        trim_create(actor=admin, series=SeriesFactory(), name="X", model_year=2026,
                    powertrain=Powertrain.EV, msrp=msrp)

    assert caught.value.message_dict == {"msrp": [message]}
    assert Trim.objects.count() == 0


def test_trim_create_refuses_a_duplicate_name_on_the_name_field(admin):
    existing = TrimFactory(name="2.0L 风尚版", model_year=2025)

    with pytest.raises(ValidationError) as caught:
        trim_create(actor=admin, series=existing.series, name="2.0L 风尚版", model_year=2025,
                    powertrain=Powertrain.ICE, msrp=Decimal("180000"))

    assert caught.value.message_dict == {
        "name": ["This series already has a 2025 trim of this name."]}
    assert Trim.objects.count() == 1


def test_trim_create_refuses_a_model_year_out_of_range(admin):
    with pytest.raises(ValidationError) as caught:
        trim_create(actor=admin, series=SeriesFactory(), name="X", model_year=1999,
                    powertrain=Powertrain.EV, msrp=Decimal("100000"))

    latest = timezone.localdate().year + 2
    assert caught.value.message_dict == {
        "model_year": [f"Enter a model year from 2000 to {latest}."]}


# --- trim_update ---------------------------------------------------------------------------
def test_trim_update_records_the_price_change_and_the_audit(admin):
    trim = TrimFactory(msrp=Decimal("209800.00"))
    version = _version(trim)

    with mock.patch.object(timezone, "now", return_value=NOW):
        trim_update(actor=admin, trim=trim, version=version, msrp=Decimal("199800"),
                    seats=7)

    trim.refresh_from_db()
    assert (trim.msrp, trim.seats) == (Decimal("199800.00"), 7)
    change = PriceChange.objects.get()
    assert (change.old, change.new, change.changed_by, change.effective_from) == (
        Decimal("209800.00"), Decimal("199800.00"), admin, NOW)
    entry = AuditEntry.objects.get(content_type__model="trim", action=AuditAction.UPDATE)
    assert entry.changes == {"msrp": ["209800.00", "199800.00"], "seats": [5, 7]}


def test_trim_update_without_a_price_change_writes_no_price_history(admin):
    trim = TrimFactory(msrp=Decimal("209800.00"), name="旧名")

    trim_update(actor=admin, trim=trim, version=_version(trim), name="新名",
                msrp=Decimal("209800"))

    trim.refresh_from_db()
    assert trim.name == "新名"
    assert PriceChange.objects.count() == 0


def test_trim_update_refuses_a_stale_edit_and_keeps_the_other_change(admin, make_user):
    other_admin = make_user(Role.ADMIN, username="admin2")
    trim = TrimFactory(msrp=Decimal("209800.00"))
    shown_to_both = _version(trim)
    trim_update(actor=other_admin, trim=trim, version=shown_to_both, msrp=Decimal("205000"))

    with pytest.raises(ValidationError) as caught:
        trim_update(actor=admin, trim=trim, version=shown_to_both, msrp=Decimal("199000"))

    assert not hasattr(caught.value, "error_dict")  # names no field: a 409 in views
    assert "Someone else changed" in caught.value.messages[0]
    trim.refresh_from_db()
    assert trim.msrp == Decimal("205000.00")
    assert list(PriceChange.objects.values_list("new", flat=True)) == [Decimal("205000.00")]


def test_trim_update_refuses_a_duplicate_name(admin):
    first = TrimFactory(name="A", model_year=2025)
    second = TrimFactory(series=first.series, name="B", model_year=2025)

    with pytest.raises(ValidationError) as caught:
        trim_update(actor=admin, trim=second, version=_version(second), name="A")

    assert list(caught.value.message_dict) == ["name"]
    second.refresh_from_db()
    assert second.name == "B"


def test_trim_update_refuses_a_manager(manager):
    trim = TrimFactory(msrp=Decimal("209800.00"))

    with pytest.raises(PermissionDenied):
        trim_update(actor=manager, trim=trim, version=_version(trim), msrp=Decimal("1"))

    trim.refresh_from_db()
    assert trim.msrp == Decimal("209800.00")


# --- trim_set_active -----------------------------------------------------------------------
def test_trim_set_active_retires_and_brings_back(admin):
    trim = TrimFactory()

    trim_set_active(actor=admin, trim=trim, is_active=False)
    assert Trim.objects.get(pk=trim.pk).is_active is False
    trim_set_active(actor=admin, trim=trim, is_active=True)

    assert Trim.objects.get(pk=trim.pk).is_active is True
    changes = list(AuditEntry.objects.filter(content_type__model="trim")
                   .order_by("id").values_list("changes", flat=True))
    assert changes == [{"is_active": [True, False]}, {"is_active": [False, True]}]


def test_trim_set_active_refuses_a_second_retirement(admin):
    trim = TrimFactory(is_active=False)

    with pytest.raises(ValidationError) as caught:
        trim_set_active(actor=admin, trim=trim, is_active=False)

    assert caught.value.messages == [f"“{trim}” is already retired."]
    assert AuditEntry.objects.count() == 0


# --- colours -------------------------------------------------------------------------------
def test_colour_create_and_update_record_the_surcharge_history(admin):
    series = SeriesFactory()
    colour = colour_create(actor=admin, series=series, name="珍珠白", hex_code="#F5F5F0",
                           surcharge=Decimal("3000"))
    version = catalogue_version(instance=Colour.objects.get(pk=colour.pk),
                                fields=COLOUR_FIELDS)

    colour_update(actor=admin, colour=colour, version=version, surcharge=Decimal("2500"))

    rows = list(PriceChange.objects.order_by("id").values_list(
        "item_kind", "item_id", "field", "old", "new"))
    assert rows == [
        (PriceKind.COLOUR, colour.pk, "surcharge", None, Decimal("3000.00")),
        (PriceKind.COLOUR, colour.pk, "surcharge", Decimal("3000.00"), Decimal("2500.00")),
    ]


def test_colour_create_refuses_a_bad_code_and_a_negative_surcharge(admin):
    with pytest.raises(ValidationError) as caught:
        colour_create(actor=admin, series=SeriesFactory(), name="红", hex_code="red",
                      surcharge=Decimal("-1"))

    assert sorted(caught.value.message_dict) == ["hex_code", "surcharge"]
    assert Colour.objects.count() == 0


def test_colour_create_refuses_a_duplicate_name(admin):
    existing = ColourFactory(name="黑")

    with pytest.raises(ValidationError) as caught:
        colour_create(actor=admin, series=existing.series, name="黑")

    assert caught.value.message_dict == {
        "name": ["This series already has a colour of this name."]}


def test_colour_set_active_stops_offering(admin):
    colour = ColourFactory()

    colour_set_active(actor=admin, colour=colour, is_active=False)

    assert Colour.objects.get(pk=colour.pk).is_active is False


# --- price_change_record -------------------------------------------------------------------
def test_price_change_record_writes_nothing_when_the_price_is_the_same(admin):
    trim = TrimFactory()

    assert price_change_record(actor=admin, item_kind=PriceKind.TRIM, item=trim, field="msrp",
                               old=Decimal("100.00"), new=Decimal("100")) is None
    assert PriceChange.objects.count() == 0


def test_price_change_record_takes_the_items_store(admin, store):
    class StoreItem:  # what a store-owned row looks like to the core
        pk = 42
        store_id = store.pk

        def __str__(self) -> str:
            return "脚垫"

    change = price_change_record(actor=admin, item_kind=PriceKind.ACCESSORY, item=StoreItem(),
                                 field="price", old=Decimal("800"), new=Decimal("880"))

    assert (change.store_id, change.item_id, change.item_label, change.old, change.new) == (
        store.pk, 42, "脚垫", Decimal("800.00"), Decimal("880.00"))
