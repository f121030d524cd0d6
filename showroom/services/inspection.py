"""The daily showroom inspection (seed 003: the manager walks the floor 15:00–16:00).

A per-store checklist kept by the manager; each day the manager or a supervisor ticks
every item as in order or as a problem (with a note, and a photo if useful). Ticking an
item again the same day updates it; every tick is in the audit trail.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.services.audit import audit_log
from showroom.models import InspectionCheck, InspectionItem
from showroom.permissions import can_edit_inspection_items, can_inspect

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}

# The checklist a store starts with (seed 003). Stored in the language of the manager who
# creates it, so it reads naturally on the floor.
DEFAULT_ITEMS = (
    gettext_lazy("Display cars clean"),
    gettext_lazy("Price boards and spec sheets up to date"),
    gettext_lazy("Lounge drinks restocked"),
    gettext_lazy("Restrooms clean and tidy"),
    gettext_lazy("Promotional materials in place"),
    gettext_lazy("Test-drive cars fuelled and charged"),
)


def validate_inspection_photo(photo) -> str:
    """A JPEG or PNG of at most 5 MB that Pillow can read; returns the file extension."""
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB; take a smaller one."))
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationError(_("This file is not a readable photo.")) from None
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a JPEG or PNG photo."))
    if width * height > PHOTO_MAX_PIXELS:
        raise ValidationError(_("The photo has too many pixels."))
    return PHOTO_FORMATS[kind]


def inspection_items_create_defaults(*, actor: User, store: Store) -> list[InspectionItem]:
    """Give a store without a checklist the default one. Does nothing if it has items."""
    if not can_edit_inspection_items(actor, store):
        raise PermissionDenied
    with transaction.atomic():
        # Lock the store row: two clicks at once must not create the list twice.
        Store.objects.select_for_update().filter(pk=store.pk).first()
        if InspectionItem.objects.filter(store=store).exists():
            return list(InspectionItem.objects.filter(store=store))
        items = InspectionItem.objects.bulk_create([
            InspectionItem(store=store, text=str(text), position=(index + 1) * 10)
            for index, text in enumerate(DEFAULT_ITEMS)
        ])
        for item in items:
            audit_log(actor=actor, instance=item, action=AuditAction.CREATE,
                      changes={"text": [None, item.text]})
    return items


def inspection_item_save(*, actor: User, store: Store, item: InspectionItem | None,
                         text: str, position: int, is_active: bool) -> InspectionItem:
    """Add a checklist line or change one. Lines are retired (not in use), never deleted,
    so past days keep their ticks."""
    if not can_edit_inspection_items(actor, store):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Describe what to check.")})
    with transaction.atomic():
        if item is None:
            item = InspectionItem(store=store)
            before = {}
        else:
            item = InspectionItem.objects.select_for_update().get(pk=item.pk, store=store)
            before = {"text": item.text, "position": item.position, "is_active": item.is_active}
        item.text, item.position, item.is_active = text, position, is_active
        item.full_clean()
        item.save()
        after = {"text": text, "position": position, "is_active": is_active}
        changes = {key: [before.get(key), value] for key, value in after.items()
                   if before.get(key) != value}
        if changes:
            audit_log(actor=actor, instance=item,
                      action=AuditAction.UPDATE if before else AuditAction.CREATE,
                      changes=changes)
    return item


def inspection_check(*, actor: User, item: InspectionItem, ok: bool, note: str = "",
                     photo=None) -> InspectionCheck:
    """Tick one item of today's checklist (the store's local day).

    A problem needs a note; a photo (JPEG/PNG, ≤ 5 MB) may show it. Ticking the same item
    again today updates the tick (who, when, in order or not; a new photo replaces the
    shown one, the old file stays as evidence). Side effects: the tick row, an audit row.
    """
    store = item.store
    if not can_inspect(actor, store):
        raise PermissionDenied
    if not item.is_active:
        raise ValidationError(_("This item is no longer on the checklist."))
    note = (note or "").strip()
    if not ok and not note:
        raise ValidationError({"note": _("Describe the problem.")})
    extension = None
    if photo:
        try:
            extension = validate_inspection_photo(photo)
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from None
    now = timezone.now()
    today = timezone.localdate(now, store.tzinfo)
    with transaction.atomic():
        check, created = _locked_check(store=store, item=item, day=today, actor=actor, ok=ok,
                                       now=now)
        before = {"ok": None if created else check.ok, "note": "" if created else check.note,
                  "photo": "" if created else check.photo.name}
        check.ok, check.note, check.checked_by, check.checked_at = ok, note, actor, now
        if extension:
            check.photo.save(f"{uuid.uuid4().hex}.{extension}", photo, save=False)
        check.save()
        after = {"ok": check.ok, "note": check.note, "photo": check.photo.name}
        changes = {key: [before[key], value] for key, value in after.items()
                   if before[key] != value}
        audit_log(actor=actor, instance=check,
                  action=AuditAction.CREATE if created else AuditAction.UPDATE,
                  changes=changes)
    return check


def _locked_check(*, store: Store, item: InspectionItem, day, actor: User, ok: bool,
                  now) -> tuple[InspectionCheck, bool]:
    """Today's tick of the item, locked; created if missing (two ticks at once: the unique
    constraint lets one create it, the other then updates it)."""
    existing = (InspectionCheck.objects.select_for_update()
                .filter(store=store, date=day, item=item).first())
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return InspectionCheck.objects.create(store=store, date=day, item=item, ok=ok,
                                                  checked_by=actor, checked_at=now), True
    except IntegrityError:
        return InspectionCheck.objects.select_for_update().get(store=store, date=day,
                                                               item=item), False
