"""Writing a store's own catalogue: its accessories and value-added packages. The store's
manager (or the administrator) adds, changes, retires and brings back items; every price
change goes into the core's price history; quotes keep the prices they were written with
(they store each line's price).

A stale edit (someone saved the row since the form was shown) is refused, as in the
core's catalogue services (dealership.services.catalogue)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.enums import PackageKind
from contracts.models import Accessory, ValuePackage
from dealership.enums import PriceKind
from dealership.models import Store, User
from dealership.money import ZERO, fen
from dealership.permissions import can_edit_store_catalogue
from dealership.services.audit import audit_changes, audit_created
from dealership.services.catalogue import (
    catalogue_ensure_current,
    catalogue_save_or_refuse,
    catalogue_set_active,
    money_errors,
    price_change_record,
)

MAX_ITEM_PRICE = Decimal("1000000")
ACCESSORY_FIELDS = ("code", "name", "price")
PACKAGE_FIELDS = ("name", "kind", "description", "price")


def _refuse_unless_store_editor(actor: User, store_id: int) -> None:
    if not can_edit_store_catalogue(actor, store_id):
        raise PermissionDenied


def _set_active(*, actor: User, model: type[Accessory | ValuePackage],
                item: Accessory | ValuePackage, is_active: bool) -> Accessory | ValuePackage:
    _refuse_unless_store_editor(actor, item.store_id)
    with transaction.atomic():
        locked = model.objects.select_for_update(of=("self",)).get(pk=item.pk)
        catalogue_set_active(actor=actor, locked=locked, is_active=is_active)
    return locked


# --- Accessories ---------------------------------------------------------------------------
def _accessory_errors(item: Accessory) -> dict[str, list[str]]:
    errors = money_errors(item.price, field="price", low=ZERO, high=MAX_ITEM_PRICE,
                          low_included=True)
    if not item.code:
        errors["code"] = [_("Enter the accessory's code.")]
    elif (Accessory.objects.filter(store_id=item.store_id, code=item.code)
          .exclude(pk=item.pk).exists()):
        errors["code"] = [_("The store has an accessory with this code already.")]
    if not item.name:
        errors["name"] = [_("Enter the accessory's name.")]
    return errors


def accessory_create(*, actor: User, store: Store, code: str, name: str,
                     price: Decimal) -> Accessory:
    """Add an accessory to the store's catalogue, on sale. Side effects: an audit row and
    the first row of its price history."""
    _refuse_unless_store_editor(actor, store.pk)
    item = Accessory(store=store, code=code.strip().upper(), name=name.strip(),
                     price=fen(Decimal(price)))
    with transaction.atomic():
        errors = _accessory_errors(item)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(item, field="code",
                        message=_("The store has an accessory with this code already."))
        audit_created(actor=actor, instance=item)
        price_change_record(actor=actor, item_kind=PriceKind.ACCESSORY, item=item,
                            field="price", old=None, new=item.price)
    return item


def accessory_update(*, actor: User, accessory: Accessory, version: str,
                     **values: Any) -> Accessory:
    """Change an accessory's code, name or price. Side effects: an audit row of what
    changed; a price history row when the price changed."""
    _refuse_unless_store_editor(actor, accessory.store_id)
    unknown = set(values) - set(ACCESSORY_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Accessory.objects.select_for_update(of=("self",)).get(pk=accessory.pk)
        catalogue_ensure_current(locked=locked, fields=ACCESSORY_FIELDS, version=version)
        old_price = locked.price
        for name, value in values.items():
            setattr(locked, name, value)
        locked.code, locked.name = locked.code.strip().upper(), locked.name.strip()
        locked.price = fen(Decimal(locked.price))
        errors = _accessory_errors(locked)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(locked, field="code",
                        message=_("The store has an accessory with this code already."),
                        update_fields=list(values))
        audit_changes(actor=actor, instance=locked)
        price_change_record(actor=actor, item_kind=PriceKind.ACCESSORY, item=locked,
                            field="price", old=old_price, new=locked.price)
    return locked


def accessory_set_active(*, actor: User, accessory: Accessory, is_active: bool) -> Accessory:
    """Retire an accessory (new quotes no longer offer it; quotes written keep it) or put
    it back on sale. Side effects: an audit row."""
    return _set_active(actor=actor, model=Accessory, item=accessory, is_active=is_active)


# --- Value-added packages ------------------------------------------------------------------
def _package_errors(item: ValuePackage) -> dict[str, list[str]]:
    errors = money_errors(item.price, field="price", low=ZERO, high=MAX_ITEM_PRICE,
                          low_included=True)
    if item.kind not in PackageKind.values:
        errors["kind"] = [_("Choose the kind of package.")]
    if not item.name:
        errors["name"] = [_("Enter the package's name.")]
    elif (ValuePackage.objects.filter(store_id=item.store_id, name=item.name)
          .exclude(pk=item.pk).exists()):
        errors["name"] = [_("The store has a package of this name already.")]
    return errors


def package_create(*, actor: User, store: Store, name: str, kind: str, price: Decimal,
                   description: str = "") -> ValuePackage:
    """Add a value-added package to the store's offer. Side effects: an audit row and the
    first row of its price history."""
    _refuse_unless_store_editor(actor, store.pk)
    item = ValuePackage(store=store, name=name.strip(), kind=kind,
                        description=description.strip(), price=fen(Decimal(price)))
    with transaction.atomic():
        errors = _package_errors(item)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(item, field="name",
                        message=_("The store has a package of this name already."))
        audit_created(actor=actor, instance=item)
        price_change_record(actor=actor, item_kind=PriceKind.PACKAGE, item=item,
                            field="price", old=None, new=item.price)
    return item


def package_update(*, actor: User, package: ValuePackage, version: str,
                   **values: Any) -> ValuePackage:
    """Change a package's name, kind, description or price. Side effects: an audit row of
    what changed; a price history row when the price changed."""
    _refuse_unless_store_editor(actor, package.store_id)
    unknown = set(values) - set(PACKAGE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = ValuePackage.objects.select_for_update(of=("self",)).get(pk=package.pk)
        catalogue_ensure_current(locked=locked, fields=PACKAGE_FIELDS, version=version)
        old_price = locked.price
        for name, value in values.items():
            setattr(locked, name, value)
        locked.name, locked.description = locked.name.strip(), locked.description.strip()
        locked.price = fen(Decimal(locked.price))
        errors = _package_errors(locked)
        if errors:
            raise ValidationError(errors)
        catalogue_save_or_refuse(locked, field="name",
                        message=_("The store has a package of this name already."),
                        update_fields=list(values))
        audit_changes(actor=actor, instance=locked)
        price_change_record(actor=actor, item_kind=PriceKind.PACKAGE, item=locked,
                            field="price", old=old_price, new=locked.price)
    return locked


def package_set_active(*, actor: User, package: ValuePackage,
                       is_active: bool) -> ValuePackage:
    """Stop offering a package or offer it again. Side effects: an audit row."""
    return _set_active(actor=actor, model=ValuePackage, item=package, is_active=is_active)
