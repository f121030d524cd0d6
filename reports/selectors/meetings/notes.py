"""The meeting pages' days and the manager's notes."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404

from dealership.models import Store, User
from reports.models import MeetingNote

MEETING_DAYS_BACK = 400  # a meeting page (and a note) reaches 400 days back …
MEETING_DAYS_AHEAD = 7  # … and a week ahead (the briefing prepared in advance)




def meeting_day_range(store: Store, *, today: dt.date | None = None
                      ) -> tuple[dt.date, dt.date]:
    """The days a meeting can be opened (and a note written) for: 400 days back to 7 ahead
    of the store's today."""
    today = today or store.today()
    return (today - dt.timedelta(days=MEETING_DAYS_BACK),
            today + dt.timedelta(days=MEETING_DAYS_AHEAD))


def meeting_notes(*, store: Store, day: dt.date, meeting: str) -> list[MeetingNote]:
    """The notes of one meeting of `day` (not removed), oldest first, author loaded."""
    return list(MeetingNote.objects.filter(store=store, day=day, meeting=meeting,
                                           removed_at__isnull=True)
                .select_related("author").order_by("created_at", "pk"))


def meeting_note_get_for_user(*, user: User, pk: int) -> MeetingNote:
    """A note of the user's store (removed or not); Http404 for any other."""
    return get_object_or_404(MeetingNote.objects.select_related("store"),
                             pk=pk, store_id=user.store_id)
