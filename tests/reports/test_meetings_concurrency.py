"""Two managers removing the same meeting note at once: one removes it, the other is told
it is gone already (PostgreSQL, one connection per thread, as two web workers)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from reports.models import MeetingNote
from reports.services.meetings import meeting_note_remove
from tests.concurrency import race, require_postgres
from tests.factories import UserFactory
from tests.reports.factories_meetings import MeetingNoteFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_removals_at_once_one_wins(store, manager):
    deputy = UserFactory(role=Role.MANAGER, store=store)
    note = MeetingNoteFactory(author=manager)

    results = race(
        lambda: meeting_note_remove(note=MeetingNote.objects.get(pk=note.pk), actor=manager),
        lambda: meeting_note_remove(note=MeetingNote.objects.get(pk=note.pk), actor=deputy))

    winners = [r for r in results if isinstance(r, MeetingNote)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert losers[0].messages == ["This note was already removed."]
    assert not hasattr(losers[0], "error_dict")  # no field: a 409 in the view
    note.refresh_from_db()
    assert note.removed_at == winners[0].removed_at
    assert AuditEntry.objects.filter(action=AuditAction.DELETE,
                                     object_id=str(note.pk)).count() == 1
