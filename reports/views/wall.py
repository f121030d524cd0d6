"""The wall screen (issue 13 §5; DESIGN §2 Reports, §4 kiosk_link) and the manager's page
of its links.

The wall screen is public to whoever holds a signed, revocable link: no login, no menu, no
form. It shows the morning or the evening meeting at 1920×1080 in large type, as a header
and four panels that a CSS animation rotates; each polls its own fragment every 30 seconds
and gets `304` without a query while nothing changed (reports.freshness). Names are masked
(张*伟), numbers in the manager's notes are scrubbed, and no phone number is ever shown.
The figures are the meeting boards' (reports.selectors.meetings), never computed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_http_methods, require_POST, require_safe

from dealership.db_router import reads_from_replica
from dealership.forms import refusal_status
from dealership.models import Store
from dealership.permissions import role_required
from reports.enums import MeetingKind
from reports.forms.kiosk import KioskLinkForm
from reports.freshness import panel_etag
from reports.models import KioskLink
from reports.permissions import KIOSK_ADMIN_ROLES
from reports.selectors.kiosk import (
    KioskTarget,
    kiosk_link_get_for_user,
    kiosk_links_for_user,
    kiosk_target_from_signed,
)
from reports.selectors.meetings import evening_board, morning_board
from reports.services.kiosk import kiosk_link_create, kiosk_link_path, kiosk_link_revoke

SCREEN = "reports/wall_screen.html"
GONE = "reports/wall_gone.html"
LINKS = "reports/kiosk_links.html"
LINKS_PAGE_SIZE = 25
SHOWN_LINK_SESSION_KEY = "reports:kiosk:shown"

NOW = "now"  # the meeting of the moment: the morning before 13:00 store time, then the evening
EVENING_FROM = dt.time(13, 0)
PANELS = {
    MeetingKind.MORNING: ("figures", "targets", "plan", "briefing"),
    MeetingKind.EVENING: ("today", "team", "tomorrow", "stock"),
}
HEAD = 0  # slot 0 is the header; slots 1–4 the rotating panels
SLOTS = range(0, 5)
POLL_SECONDS = 30


# --- The wall screen ---------------------------------------------------------------------
def _kiosk_headers(view: Callable) -> Callable:
    """The screen's URL is its key: never indexed, never sent on as a referrer, and always
    revalidated (`no-cache` keeps the ETag round trip; a browser may not reuse it blindly)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-cache"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def _language(request: HttpRequest) -> str:
    """The site's language (Chinese) unless the link asks for another one (`?lang=en`)."""
    language = request.GET.get("lang", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _meeting_of(meeting: str, now: dt.datetime, tzname: str) -> str | None:
    if meeting == NOW:
        local = now.astimezone(ZoneInfo(tzname))
        return MeetingKind.MORNING if local.time() < EVENING_FROM else MeetingKind.EVENING
    return meeting if meeting in PANELS else None


def _gone(request: HttpRequest) -> HttpResponse:
    """A revoked, tampered or unknown link: 404, and nothing about any store."""
    with translation.override(_language(request)):
        content = render_to_string(GONE, {"fragment": request.htmx}, request=request)
    return HttpResponse(content, status=404)


def _panel_etag(request: HttpRequest, signed: str, meeting: str, slot: int) -> str | None:
    target = kiosk_target_from_signed(signed)
    if target is None or slot not in SLOTS:
        return None
    now = timezone.now()
    resolved = _meeting_of(meeting, now, target.tzname)
    if resolved is None:
        return None
    return panel_etag(panel=f"{resolved}:{slot}", store_id=target.store_id,
                      tzname=target.tzname, language=_language(request), now=now)


def _screen_context(request: HttpRequest, *, signed: str, mode: str, meeting: str,
                    target: KioskTarget, slots: range | tuple[int, ...]) -> dict | None:
    """The board of the meeting (only when a panel needs it) and what every panel shows;
    None when the store is gone (its link, cached a few minutes longer, went with it)."""
    store = Store.objects.filter(pk=target.store_id).first()
    if store is None:
        return None
    now = timezone.now()
    day = timezone.localdate(now, store.tzinfo)
    board = None
    if any(slot != HEAD for slot in slots):
        builder = morning_board if meeting == MeetingKind.MORNING else evening_board
        board = builder(store=store, day=day, now=now)
    language = _language(request)
    query = f"?lang={language}" if language != settings.LANGUAGE_CODE else ""
    panels = [
        {"slot": slot, "name": "head" if slot == HEAD else PANELS[meeting][slot - 1],
         "url": reverse("wall:panel", kwargs={"signed": signed, "meeting": mode,
                                              "slot": slot}) + query}
        for slot in SLOTS]
    return {"store": store, "day": day, "now": timezone.localtime(now, store.tzinfo),
            "meeting": meeting, "meeting_label": MeetingKind(meeting).label, "board": board,
            "panels": panels, "poll_seconds": POLL_SECONDS,
            "language": translation.get_language()}


@_kiosk_headers
@require_safe
@reads_from_replica
def wall_screen(request: HttpRequest, signed: str, meeting: str = NOW) -> HttpResponse:
    """The whole screen: the header and the four panels, each polling its fragment."""
    target = kiosk_target_from_signed(signed)
    if target is None:
        return _gone(request)
    resolved = _meeting_of(meeting, timezone.now(), target.tzname)
    if resolved is None:
        return _gone(request)
    with translation.override(_language(request)):
        context = _screen_context(request, signed=signed, mode=meeting, meeting=resolved,
                                  target=target, slots=SLOTS)
        if context is None:
            return _gone(request)
        return render(request, SCREEN, context)


@_kiosk_headers
@require_safe
@condition(etag_func=_panel_etag)
@reads_from_replica
def wall_panel(request: HttpRequest, signed: str, meeting: str, slot: int) -> HttpResponse:
    """One polled fragment (slot 0 the header, 1–4 the panels); 304 while unchanged."""
    target = kiosk_target_from_signed(signed)
    if target is None or slot not in SLOTS:
        return _gone(request)
    resolved = _meeting_of(meeting, timezone.now(), target.tzname)
    if resolved is None:
        return _gone(request)
    with translation.override(_language(request)):
        context = _screen_context(request, signed=signed, mode=meeting, meeting=resolved,
                                  target=target, slots=(slot,))
        if context is None:
            return _gone(request)
        name = context["panels"][slot]["name"]
        partial = "head" if slot == HEAD else f"{resolved}-{name}"
        return render(request, f"{SCREEN}#{partial}", context)


# --- The manager's wall-screen links -------------------------------------------------------
def _full_url(request: HttpRequest, path: str) -> str:
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + path
    return request.build_absolute_uri(path)


def _links_page(request: HttpRequest, *, form: KioskLinkForm, status: int = 200,
                refusal: str = "") -> HttpResponse:
    page = Paginator(kiosk_links_for_user(user=request.user),
                     LINKS_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = None
    shown_pk = request.session.pop(SHOWN_LINK_SESSION_KEY, None) if status == 200 else None
    if shown_pk is not None:
        link = next((row for row in page if row.pk == shown_pk), None)
        if link is not None and link.is_active:
            shown = {"link": link, "url": _full_url(request, kiosk_link_path(link))}
    context = {"page": page, "links": page.object_list, "form": form, "shown": shown,
               "refusal": refusal}
    response = render(request, LINKS, context, status=status)
    response["Cache-Control"] = "no-store"  # it may show a link in full, once
    return response


@require_http_methods(["GET", "POST"])
@role_required(*KIOSK_ADMIN_ROLES)
def kiosk_links(request: HttpRequest) -> HttpResponse:
    """The store's wall-screen links: who made each, where, whether revoked; a new one's
    full URL is shown once, right after it was made."""
    if request.method != "POST":
        return _links_page(request, form=KioskLinkForm())
    form = KioskLinkForm(request.POST)
    if not form.is_valid():
        return _links_page(request, form=form, status=400)
    link, _path = kiosk_link_create(store=request.user.store, label=form.cleaned_data["label"],
                                    actor=request.user)
    request.session[SHOWN_LINK_SESSION_KEY] = link.pk
    return redirect("reports:kiosk_links")


@require_POST
@role_required(*KIOSK_ADMIN_ROLES)
def kiosk_link_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a link: the screen showing it answers 404 from its next poll."""
    link: KioskLink = kiosk_link_get_for_user(user=request.user, pk=pk)
    try:
        kiosk_link_revoke(link=link, actor=request.user)
    except ValidationError as error:
        return _links_page(request, form=KioskLinkForm(), status=refusal_status(error),
                           refusal=" ".join(error.messages))
    messages.success(request, _("The link is revoked: the screen showing it goes blank at "
                                "its next refresh."))
    return redirect("reports:kiosk_links")
