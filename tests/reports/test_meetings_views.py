"""The meeting pages and the manager's notes: who sees and writes what, the day's range,
refused input (the field named, nothing added), another store's note (404), a supervisor's
write (403, nothing changed), a second removal (409)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from reports.enums import MeetingKind, NoteTopic
from reports.models import MeetingNote
from reports.services.meetings import meeting_note_add, meeting_note_remove
from tests.factories import UserFactory
from tests.helpers import HTMX, english
from tests.reports.factories_meetings import MeetingNoteFactory

pytestmark = pytest.mark.django_db

MORNING = "/reports/meetings/morning/"
EVENING = "/reports/meetings/evening/"
ADD_MORNING = "/reports/meetings/morning/notes/"
ADD_EVENING = "/reports/meetings/evening/notes/"


def remove_url(note) -> str:
    return f"/reports/meetings/notes/{note.pk}/remove/"


def _post_note(client, url, *, day, topic=NoteTopic.FINANCE_PLAN, body="本周金融贴息：24期零利率",
               **extra):
    return client.post(url, {"day": day.isoformat(), "topic": topic, "body": body}, **extra)


# --- Who sees the pages --------------------------------------------------------------------
def test_anonymous_is_sent_to_login(client):
    response = client.get(MORNING)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={MORNING}"


@pytest.mark.parametrize("url", [MORNING, EVENING])
def test_a_consultant_may_not_see_the_meetings(login, consultant, url):
    assert login(consultant).get(url).status_code == 403


def test_manager_sees_todays_morning_meeting_with_the_note_form(login, manager, store):
    english(manager)
    MeetingNoteFactory(author=manager, day=store.today(), body="竞品降价两万")

    response = login(manager).get(MORNING)

    assert response.status_code == 200
    assert response.context["board"].day == store.today()
    content = response.content.decode()
    assert "Morning meeting" in content
    assert "竞品降价两万" in content
    assert 'data-testid="meeting-note-form"' in content


def test_supervisor_reads_the_evening_meeting_without_writing(login, supervisor, manager, store):
    english(supervisor)
    MeetingNoteFactory(author=manager, day=store.today(), meeting=MeetingKind.EVENING,
                       topic=NoteTopic.PROBLEM, body="试驾车不够")

    response = login(supervisor).get(EVENING)

    assert response.status_code == 200
    content = response.content.decode()
    assert "试驾车不够" in content
    assert 'data-testid="meeting-note-form"' not in content
    assert "/remove/" not in content


@pytest.mark.parametrize("url", [MORNING, EVENING])
def test_a_chosen_day_within_the_range(login, manager, store, url):
    client = login(manager)
    for offset in (-400, 7):
        day = store.today() + dt.timedelta(days=offset)

        response = client.get(url, {"day": day.isoformat()})

        assert response.status_code == 200
        assert response.context["board"].day == day


@pytest.mark.parametrize("url", [MORNING, EVENING])
@pytest.mark.parametrize("value", ["-401", "8", "2026-02-30", "yesterday"])
def test_a_day_out_of_range_is_400(login, manager, store, url, value):
    english(manager)
    if value.lstrip("-").isdigit():
        value = (store.today() + dt.timedelta(days=int(value))).isoformat()

    response = login(manager).get(url, {"day": value})

    assert response.status_code == 400
    assert "day" in response.context["day_form"].errors
    assert response.context["board"].day == store.today()


# --- Adding a note -------------------------------------------------------------------------
def test_manager_adds_a_note(login, manager, store):
    day = store.today()

    response = _post_note(login(manager), ADD_MORNING, day=day)

    assert response.status_code == 302
    assert response["Location"] == f"{MORNING}?day={day.isoformat()}"
    note = MeetingNote.objects.get()
    assert (note.store, note.day, note.meeting, note.topic, note.body, note.author) == (
        store, day, MeetingKind.MORNING, NoteTopic.FINANCE_PLAN, "本周金融贴息：24期零利率",
        manager)
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(note.pk)).count() == 1


def test_manager_adds_an_evening_note_with_htmx(login, manager, store):
    tomorrow = store.today() + dt.timedelta(days=1)

    response = _post_note(login(manager), ADD_EVENING, day=tomorrow, topic=NoteTopic.PROBLEM,
                          body="展车缺少钥匙", **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert "展车缺少钥匙" in content
    assert "<html" not in content
    assert MeetingNote.objects.get().meeting == MeetingKind.EVENING


@pytest.mark.parametrize(("field", "changes"), [
    ("body", {"body": "   "}),
    ("body", {"body": "长" * 1001}),
    ("topic", {"topic": "gossip"}),
    ("day", {"day": "2000-01-01"}),
    ("day", {"day": "not a day"}),
])
def test_refused_input_names_the_field_and_adds_nothing(login, manager, store, field, changes):
    english(manager)
    data = {"day": store.today().isoformat(), "topic": NoteTopic.COMPETITOR,
            "body": "竞品限时优惠", **changes}

    response = login(manager).post(ADD_MORNING, data)

    assert response.status_code == 400
    form = response.context["note_form"]
    assert field in form.errors
    if field != "body":
        assert form["body"].value() == "竞品限时优惠"  # what was typed is kept
    assert not MeetingNote.objects.exists()


def test_refused_htmx_input_returns_the_notes_card(login, manager, store):
    english(manager)

    response = _post_note(login(manager), ADD_MORNING, day=store.today(), body="", **HTMX)

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not MeetingNote.objects.exists()


def test_an_unknown_meeting_is_404(login, manager, store):
    response = _post_note(login(manager), "/reports/meetings/lunch/notes/", day=store.today())

    assert response.status_code == 404
    assert not MeetingNote.objects.exists()


def test_supervisor_may_not_add_a_note(login, supervisor, store):
    response = _post_note(login(supervisor), ADD_MORNING, day=store.today())

    assert response.status_code == 403
    assert not MeetingNote.objects.exists()


# --- Removing a note -----------------------------------------------------------------------
def test_a_manager_removes_another_managers_note(login, manager, store):
    note = MeetingNoteFactory(author=manager, day=store.today())
    deputy = UserFactory(role=Role.MANAGER, store=store)

    response = login(deputy).post(remove_url(note))

    assert response.status_code == 302
    assert response["Location"] == f"{MORNING}?day={note.day.isoformat()}"
    note.refresh_from_db()
    assert note.removed_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_id=str(note.pk))
    assert entry.actor == deputy


def test_removing_twice_is_409_and_changes_nothing(login, manager, store):
    note = MeetingNoteFactory(author=manager, day=store.today())
    client = login(english(manager))
    client.post(remove_url(note))
    note.refresh_from_db()
    removed_at = note.removed_at

    response = client.post(remove_url(note), **HTMX)

    assert response.status_code == 409
    assert "This note was already removed." in response.content.decode()
    note.refresh_from_db()
    assert note.removed_at == removed_at
    assert AuditEntry.objects.filter(action=AuditAction.DELETE).count() == 1


def test_htmx_removal_returns_the_notes_without_it(login, manager, store):
    kept = MeetingNoteFactory(author=manager, day=store.today(), body="保留这条")
    gone = MeetingNoteFactory(author=manager, day=store.today(), body="删除这条")

    response = login(manager).post(remove_url(gone), **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert kept.body in content
    assert gone.body not in content


def test_another_stores_note_is_404(login, manager, other_store):
    theirs = MeetingNoteFactory(author=UserFactory(role=Role.MANAGER, store=other_store))

    response = login(manager).post(remove_url(theirs))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.removed_at is None


def test_supervisor_may_not_remove_a_note(login, supervisor, manager, store):
    note = MeetingNoteFactory(author=manager, day=store.today())

    response = login(supervisor).post(remove_url(note))

    assert response.status_code == 403
    note.refresh_from_db()
    assert note.removed_at is None


# --- The services ------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "changes"), [
    ("meeting", {"meeting": "lunch"}),
    ("topic", {"topic": "gossip"}),
    ("body", {"body": "  "}),
    ("body", {"body": "长" * 1001}),
    ("day", {"day": dt.date(2000, 1, 1)}),
])
def test_meeting_note_add_names_the_refused_field(manager, store, field, changes):
    values = {"day": store.today(), "meeting": MeetingKind.MORNING,
              "topic": NoteTopic.OTHER, "body": "好", **changes}

    with pytest.raises(ValidationError) as refused:
        meeting_note_add(store=store, actor=manager, **values)

    assert list(refused.value.message_dict) == [field]
    assert not MeetingNote.objects.exists()


def test_meeting_note_add_keeps_the_text_stripped(manager, store):
    note = meeting_note_add(store=store, day=store.today(), meeting=MeetingKind.EVENING,
                            topic=NoteTopic.PLAN, body="  明早九点集合 \n", actor=manager)

    assert note.body == "明早九点集合"


def test_only_a_manager_of_the_store_writes_notes(supervisor, store, other_store, manager):
    outsider = UserFactory(role=Role.MANAGER, store=other_store)
    for actor in (supervisor, outsider):
        with pytest.raises(PermissionDenied):
            meeting_note_add(store=store, day=store.today(), meeting=MeetingKind.MORNING,
                             topic=NoteTopic.OTHER, body="好", actor=actor)
    note = MeetingNoteFactory(author=manager)
    with pytest.raises(PermissionDenied):
        meeting_note_remove(note=note, actor=outsider)
    note.refresh_from_db()
    assert note.removed_at is None
    assert MeetingNote.objects.count() == 1
