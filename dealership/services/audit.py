"""Writing the audit trail. Called by every service that changes an audited model."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from dealership.enums import AuditAction
from dealership.models import Audited, AuditEntry
from dealership.models.audit import audit_store_id


def _labelled(instance: Audited, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Foreign keys are recorded with the related row's name, so the log reads by itself."""
    out = {}
    for name, (old, new) in changes.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            # The related row the instance holds already (e.g. the owner it was created
            # with) is not read again.
            cached = field.get_cached_value(instance, None)
            labels = {cached.pk: str(cached)} if cached is not None else {}
            unknown = [v for v in (old, new) if v and v not in labels]
            if unknown:
                related = field.related_model._default_manager
                labels.update((obj.pk, str(obj)) for obj in related.filter(pk__in=unknown))
            old = {"id": old, "label": labels.get(old, "")} if old else None
            new = {"id": new, "label": labels.get(new, "")} if new else None
        out[name] = [old, new]
    return out


def audit_log(
    *, actor, instance: models.Model, action: str, changes: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Write one audit row. No side effects beyond the row itself."""
    return AuditEntry.objects.create(
        store_id=audit_store_id(instance),
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
        reason=reason[:255],
    )


def audit_created(*, actor, instance: Audited, reason: str = "") -> AuditEntry:
    changes = {name: [None, value] for name, value in instance.audit_values().items()
               if value not in (None, "")}
    entry = audit_log(actor=actor, instance=instance, action=AuditAction.CREATE,
                      changes=_labelled(instance, changes), reason=reason)
    instance.audit_reset()
    return entry


def audit_changes(*, actor, instance: Audited, reason: str = "") -> AuditEntry | None:
    """Record what changed since the row was loaded; nothing when nothing changed."""
    diff = instance.audit_diff()
    if not diff:
        return None
    entry = audit_log(actor=actor, instance=instance, action=AuditAction.UPDATE,
                      changes=_labelled(instance, diff), reason=reason)
    instance.audit_reset()
    return entry


def audit_forget_fields(*, model: type[models.Model], object_ids: list, fields: tuple[str, ...]
                        ) -> None:
    """Erasure (PIPL Art. 47): drop these fields' old and new values from the audit rows of
    these records; who changed what, and when, stays. A handful of rows per person, so the
    JSON of each is edited key by key. The records' stores lead the lookup
    (audit_object_idx)."""
    entries = list(AuditEntry.objects.filter(
        store_id__in=model._default_manager.filter(pk__in=object_ids).values("store_id"),
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in object_ids]))
    for entry in entries:
        entry.changes = {name: value for name, value in entry.changes.items()
                         if name not in fields}
    AuditEntry.objects.bulk_update(entries, ["changes"])
