from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from dealership.enums import AuditAction

register = template.Library()


def _display(field, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):  # foreign key recorded as {"id", "label"}
        return value.get("label") or f"#{value.get('id')}"
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@register.simple_tag
def audit_changes(entry) -> list[dict]:
    """The entry's changes as rows of (field label, old, new) in the reader's language."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    if entry.action == AuditAction.VIEW_PII:
        names = entry.changes.get("fields", [])
        labels = [str(model._meta.get_field(n).verbose_name) for n in names] if model else names
        return [{"label": _("Viewed"), "old": None, "new": ", ".join(labels)}]
    rows = []
    for name, pair in (entry.changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        label = str(field.verbose_name) if field is not None else name
        rows.append({
            "label": label[:1].upper() + label[1:],
            "old": None if entry.action == AuditAction.CREATE else _display(field, old),
            "new": _display(field, new),
        })
    return rows
