"""Writes of the pre-delivery inspection (PDI): the store's checklist (copied from the
defaults on first use, then the manager's to add to, rename, reorder and retire) and the
checks made on the allocated car. Checks are appended, never edited: an item's latest
check counts, so a failed item blocks delivery until a later check passes it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.enums import ContractStatus
from contracts.models import Contract
from contracts.permissions import can_work_contract
from dealership.enums import AuditAction, Role
from dealership.models import Store, User
from dealership.permissions import has_role
from dealership.services.audit import audit_log
from delivery.enums import DEFAULT_PDI_ITEMS, LeadEventKind
from delivery.models import Allocation, PdiCheck, PdiItem
from delivery.selectors.pdi import PdiState, pdi_state
from leads.services.notifications import notification_send

LABEL_MAX = PdiItem._meta.get_field("label").max_length
NOTE_MAX = PdiCheck._meta.get_field("note").max_length


def pdi_items_ensure(*, store: Store) -> list[PdiItem]:
    """The store's checklist, copied from DEFAULT_PDI_ITEMS (in the active language) the
    first time it is needed; afterwards it is left as the manager made it. Two first uses
    at once copy it once: the store's row is locked while checking."""
    items = list(PdiItem.objects.filter(store_id=store.pk).order_by("order", "id"))
    if items:
        return items
    with transaction.atomic():
        Store.objects.select_for_update(of=("self",)).filter(pk=store.pk).first()
        if not PdiItem.objects.filter(store_id=store.pk).exists():
            PdiItem.objects.bulk_create([
                PdiItem(store_id=store.pk, label=str(label)[:LABEL_MAX], order=n * 10)
                for n, label in enumerate(DEFAULT_PDI_ITEMS, start=1)])
        return list(PdiItem.objects.filter(store_id=store.pk).order_by("order", "id"))


def _require_manager(actor: User, store_id: int) -> None:
    if not (has_role(actor, Role.MANAGER) and actor.store_id == store_id):
        raise PermissionDenied


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": _("Say what is to be checked.")})
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": _("Keep it under %(max)s characters.")
                               % {"max": LABEL_MAX}})
    return label


def pdi_item_add(*, actor: User, store: Store, label: str) -> PdiItem:
    """A new item at the end of the store's list. Side effects: the audit row."""
    _require_manager(actor, store.pk)
    label = _clean_label(label)
    with transaction.atomic():
        items = pdi_items_ensure(store=store)
        item = PdiItem.objects.create(
            store_id=store.pk, label=label,
            order=(max((i.order for i in items), default=0) + 10))
        audit_log(actor=actor, instance=item, action=AuditAction.CREATE,
                  changes={"label": [None, label], "order": [None, item.order]})
    return item


def pdi_item_update(*, actor: User, item: PdiItem, label: str | None = None,
                    order: int | None = None, active: bool | None = None) -> PdiItem:
    """Rename, move or retire (or bring back) one item; checks already made keep pointing
    at it. Side effects: the audit row of what changed."""
    _require_manager(actor, item.store_id)
    with transaction.atomic():
        locked = PdiItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        changes = {}
        if label is not None and (label := _clean_label(label)) != locked.label:
            changes["label"] = [locked.label, label]
            locked.label = label
        if order is not None and order != locked.order:
            if not 0 <= order <= 32767:
                raise ValidationError({"order": _("Enter a position from 0 to 32767.")})
            changes["order"] = [locked.order, order]
            locked.order = order
        if active is not None and active != locked.active:
            changes["active"] = [locked.active, active]
            locked.active = active
        if changes:
            locked.save(update_fields=list(changes))
            audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                      changes=changes)
    return locked


def note_field(item: PdiItem | int) -> str:
    """The name under which a failed item's missing note is reported."""
    return f"note_{item if isinstance(item, int) else item.pk}"


def pdi_record(*, actor: User, contract: Contract,
               results: list[tuple[PdiItem, bool, str]]) -> PdiState:
    """Record checks of several items on the contract's allocated car at once, each
    (item, passed, note); a failed item needs a note (reported on `note_<item id>`).
    Refused (ValidationError without a field) when the contract is not signed, no car is
    allocated, or an item is not one of the store's items in use.
    Side effects: one PdiCheck per result; when the inspection becomes passed by these
    checks, the consultant is notified (PDI_PASSED)."""
    if not can_work_contract(actor, contract):
        raise PermissionDenied
    errors, rows = {}, []
    for item, passed, note in results:
        note = " ".join((note or "").split())[:NOTE_MAX]
        if not passed and not note:
            errors[note_field(item)] = [_("Say what is wrong, so it can be put right.")]
        rows.append((item, bool(passed), note))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Mark at least one item as passed or failed."))
    with transaction.atomic():
        # The contract's row serialises inspections of its car: "became passed" is seen
        # by exactly one of two people recording at once.
        locked = (Contract.objects.select_for_update(of=("self",))
                  .select_related("store", "consultant", "lead").get(pk=contract.pk))
        if locked.status != ContractStatus.SIGNED:
            raise ValidationError(
                _("This contract is %(status)s; its car is not inspected any more.")
                % {"status": locked.get_status_display()})
        allocation = (Allocation.objects.filter(contract_id=locked.pk, released_at__isnull=True)
                      .select_related("vehicle").first())
        if allocation is None:
            raise ValidationError(_("No car is allocated to this contract yet: allocate "
                                    "one before inspecting it."))
        live = set(PdiItem.objects.filter(store_id=locked.store_id, active=True)
                   .values_list("pk", flat=True))
        if any(item.pk not in live for item, _passed, _note in rows):
            raise ValidationError(_("The inspection list has changed meanwhile; "
                                    "reload the page and check again."))
        before = pdi_state(locked, allocation.vehicle)
        now = timezone.now()
        PdiCheck.objects.bulk_create([
            PdiCheck(store_id=locked.store_id, contract_id=locked.pk,
                     vehicle_id=allocation.vehicle_id, item_id=item.pk, passed=passed,
                     note=note, checked_by=actor, checked_at=now)
            for item, passed, note in rows])
        after = pdi_state(locked, allocation.vehicle)
        if after.passed and not before.passed:
            notification_send(store=locked.store, user=locked.consultant,
                              kind=LeadEventKind.PDI_PASSED, lead=locked.lead)
    return after
