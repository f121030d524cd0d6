"""The morning and the evening meeting pages (the manager runs them, supervisors read
them), and the manager's notes on them (htmx on the page; plain POSTs redirect)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.db_router import reads_from_replica
from dealership.forms import apply_service_errors, refusal_status
from dealership.htmx import partial_template
from dealership.permissions import role_required
from reports.enums import MeetingKind
from reports.forms.meetings import MeetingDayForm, MeetingNoteForm
from reports.permissions import MEETING_NOTE_ROLES, MEETING_ROLES, can_write_meeting_notes
from reports.selectors.meetings import (
    evening_board,
    meeting_note_get_for_user,
    meeting_notes,
    morning_board,
)
from reports.services.meetings import meeting_note_add, meeting_note_remove

PAGES = {MeetingKind.MORNING: "reports/meeting_morning.html",
         MeetingKind.EVENING: "reports/meeting_evening.html"}
PAGE_URLS = {MeetingKind.MORNING: "reports:morning_meeting",
             MeetingKind.EVENING: "reports:evening_meeting"}
NOTES = "reports/meeting_notes.html"


def _page_url(meeting: str, day: dt.date) -> str:
    return f"{reverse(PAGE_URLS[meeting])}?day={day.isoformat()}"


def _notes_context(request: HttpRequest, *, meeting: str, day: dt.date, notes, form=None,
                   notice: str = "") -> dict:
    store = request.user.store
    return {"meeting": meeting, "day": day, "notes": notes, "notice": notice,
            "can_write": can_write_meeting_notes(request.user, store),
            "note_form": form or MeetingNoteForm(initial={"day": day}, store=store)}


def _page(request: HttpRequest, meeting: str, *, day: dt.date | None = None, note_form=None,
          notice: str = "", status: int = 200) -> HttpResponse:
    store = request.user.store
    day_form = MeetingDayForm(initial={"day": day or store.today()}, store=store)
    if day is None:
        day = store.today()
        if "day" in request.GET:
            day_form = MeetingDayForm(request.GET, store=store)
            if day_form.is_valid():
                day = day_form.cleaned_data["day"]
            else:
                status = 400
    build = morning_board if meeting == MeetingKind.MORNING else evening_board
    board = build(store=store, day=day)
    context = {"board": board, "day": day, "day_form": day_form, "today": store.today(),
               **_notes_context(request, meeting=meeting, day=day, notes=board.notes,
                                form=note_form, notice=notice)}
    return render(request, PAGES[meeting], context, status=status)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*MEETING_ROLES)
@reads_from_replica
def morning_meeting(request: HttpRequest) -> HttpResponse:
    """The morning meeting of ?day= (the store's today by default), about the day before."""
    return _page(request, MeetingKind.MORNING)


@require_safe
@vary_on_headers("HX-Request")
@role_required(*MEETING_ROLES)
@reads_from_replica
def evening_meeting(request: HttpRequest) -> HttpResponse:
    """The evening meeting of ?day=: the day against target, problems and tomorrow."""
    return _page(request, MeetingKind.EVENING)


def _notes_reply(request: HttpRequest, *, meeting: str, day: dt.date, form=None,
                 notice: str = "", status: int = 200) -> HttpResponse:
    """The notes card (htmx) or the whole page, with the form as typed when refused."""
    if not request.htmx:
        return _page(request, meeting, day=day, note_form=form, notice=notice, status=status)
    notes = meeting_notes(store=request.user.store, day=day, meeting=meeting)
    context = _notes_context(request, meeting=meeting, day=day, notes=notes, form=form,
                             notice=notice)
    return render(request, partial_template(request, NOTES, "notes"), context, status=status)


@require_POST
@vary_on_headers("HX-Request")
@role_required(*MEETING_NOTE_ROLES)
def meeting_note_create(request: HttpRequest, meeting: str) -> HttpResponse:
    """Add a note to a meeting of the posted day."""
    if meeting not in MeetingKind.values:
        raise Http404
    store = request.user.store
    form = MeetingNoteForm(request.POST, store=store)
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            meeting_note_add(store=store, day=day, meeting=meeting,
                             topic=form.cleaned_data["topic"], body=form.cleaned_data["body"],
                             actor=request.user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Note added."))
                return redirect(_page_url(meeting, day))
            return _notes_reply(request, meeting=meeting, day=day, notice=_("Note added."))
    day = form.cleaned_data.get("day") or store.today()
    return _notes_reply(request, meeting=meeting, day=day, form=form, status=400)


@require_POST
@vary_on_headers("HX-Request")
@role_required(*MEETING_NOTE_ROLES)
def meeting_note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a note (soft). A second click, or another manager's, gets a 409."""
    note = meeting_note_get_for_user(user=request.user, pk=pk)
    try:
        meeting_note_remove(note=note, actor=request.user)
    except ValidationError as error:
        notice = " ".join(error.messages)
        if not request.htmx:
            messages.error(request, notice)
        return _notes_reply(request, meeting=note.meeting, day=note.day, notice=notice,
                            status=refusal_status(error))
    if not request.htmx:
        messages.success(request, _("Note removed."))
        return redirect(_page_url(note.meeting, note.day))
    return _notes_reply(request, meeting=note.meeting, day=note.day, notice=_("Note removed."))
