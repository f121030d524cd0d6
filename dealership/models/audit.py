"""The audit trail: who changed which field of which record, when, from what to what.

Models that matter inherit `Audited` and list their `AUDIT_FIELDS`; services call
`dealership.services.audit.audit_changes()` after a save. The snapshot taken when a row
is loaded is what "from" means, so a diff never needs a second query.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import AuditAction


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


class Audited(models.Model):
    """Mixin for models whose changes are audited field by field."""

    AUDIT_FIELDS: tuple[str, ...] = ()
    # Fields whose audit copy is masked (personal data must not leak through the log).
    AUDIT_MASKS: dict[str, Callable[[str], str]] = {}

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_snapshot = instance.audit_values()
        return instance

    def audit_values(self) -> dict[str, Any]:
        values = {}
        for name in self.AUDIT_FIELDS:
            field = self._meta.get_field(name)
            attname = field.attname
            if attname not in self.__dict__:  # deferred: unknown, not "changed"
                continue
            value = _plain(self.__dict__[attname])
            mask = self.AUDIT_MASKS.get(name)
            values[name] = mask(value) if (mask and value) else value
        return values

    def audit_diff(self) -> dict[str, list[Any]]:
        before = getattr(self, "_audit_snapshot", {})
        after = self.audit_values()
        return {
            name: [before.get(name), value]
            for name, value in after.items()
            if name in before and before[name] != value
        }

    def audit_reset(self) -> None:
        self._audit_snapshot = self.audit_values()


def audit_store_id(instance: models.Model) -> int | None:
    """The store an audit row of `instance` is filed under: the store itself, the row's
    store, or none (group-wide: the catalogue, group staff)."""
    if instance._meta.label == "dealership.Store":
        return instance.pk
    return getattr(instance, "store_id", None)


class AuditQuerySet(models.QuerySet):
    def of(self, instance: models.Model) -> AuditQuerySet:
        """The record's entries, in the store they are filed under (audit_object_idx).
        A record moved to another store (a car, in the admin) shows the entries written
        since it is there: the move's own entry is the first."""
        store_id = audit_store_id(instance)
        in_store = Q(store__isnull=True) if store_id is None else Q(store_id=store_id)
        content_type = ContentType.objects.get_for_model(type(instance))
        return self.filter(in_store, content_type=content_type, object_id=str(instance.pk))


class AuditEntry(models.Model):
    store = models.ForeignKey(
        "dealership.Store", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("store"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    # {field: [old, new]}; foreign keys as {"id": .., "label": ..}
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["store", "content_type", "object_id", "-created_at"],
                         name="audit_object_idx"),
            models.Index(fields=["store", "-created_at"], name="audit_store_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
