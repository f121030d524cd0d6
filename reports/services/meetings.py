"""The manager's meeting notes: added on the morning or evening meeting page, removed
softly (`removed_at`) so the audit trail and the daily report keep what was said."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from reports.enums import MeetingKind, NoteTopic
from reports.models import MeetingNote
from reports.permissions import can_write_meeting_notes
from reports.selectors.meetings import meeting_day_range

BODY_MAX = 1000


def meeting_note_add(*, store: Store, day: dt.date, meeting: str, topic: str, body: str,
                     actor: User) -> MeetingNote:
    """Add a note to the `meeting` of the store's `day`. Refused (naming the field) for a
    day outside the meetings' range, an unknown meeting or topic, or an empty or too long
    text; PermissionDenied for anyone but a manager of the store. Audited."""
    if not can_write_meeting_notes(actor, store):
        raise PermissionDenied
    earliest, latest = meeting_day_range(store)
    ensure_within(day, earliest=earliest, latest=latest, field="day")
    if meeting not in MeetingKind.values:
        raise ValidationError({"meeting": [_("Choose the morning or the evening meeting.")]})
    if topic not in NoteTopic.values:
        raise ValidationError({"topic": [_("Choose what the note is about.")]})
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": [_("Write the note.")]})
    if len(text) > BODY_MAX:
        raise ValidationError({"body": [_("Keep the note within %(max)s characters.")
                                        % {"max": BODY_MAX}]})
    with transaction.atomic():
        note = MeetingNote.objects.create(store=store, day=day, meeting=meeting, topic=topic,
                                          body=text, author=actor, created_at=timezone.now())
        audit_log(actor=actor, instance=note, action=AuditAction.CREATE,
                  changes={"day": [None, day.isoformat()], "meeting": [None, meeting],
                           "topic": [None, topic], "body": [None, text]})
    return note


def meeting_note_remove(*, note: MeetingNote, actor: User) -> MeetingNote:
    """Remove a note from its meeting (soft: `removed_at`). Any manager of the store may
    remove any note of it. Refused, naming no field (409), when it was removed already,
    e.g. by another manager a moment before. Audited."""
    if not can_write_meeting_notes(actor, note.store):
        raise PermissionDenied
    with transaction.atomic():
        locked = (MeetingNote.objects.select_for_update(of=("self",))
                  .filter(pk=note.pk, store_id=note.store_id).first())
        if locked is None or locked.removed_at is not None:
            raise ValidationError(_("This note was already removed."))
        locked.removed_at = timezone.now()
        locked.save(update_fields=["removed_at"])
        audit_log(actor=actor, instance=locked, action=AuditAction.DELETE,
                  changes={"body": [locked.body, None]})
    note.removed_at = locked.removed_at
    return locked
