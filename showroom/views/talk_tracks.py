"""The store's talk tracks (话术): read by everyone on the floor, kept by the manager."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.enums import Role
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import role_required
from showroom.enums import ObjectionType
from showroom.forms.talk_tracks import TalkTrackForm
from showroom.permissions import (
    TALK_TRACK_ROLES,
    can_edit_talk_tracks,
    can_see_objection_counts,
)
from showroom.selectors.talk_tracks import objection_counts, talk_track_get, talk_tracks_for
from showroom.selectors.visits import presentable_series
from showroom.services import talk_track_save

PAGE = "showroom/talk_tracks.html"


def _series_id(raw: str) -> int | None:
    """The ?series= filter: an id, or no filter for anything else. ASCII digits only
    (str.isdigit() also accepts "²", which int() refuses), and few enough of them for a
    database integer."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


@require_safe
@vary_on_headers("HX-Request")
@role_required(*TALK_TRACK_ROLES)
def talk_tracks(request: HttpRequest) -> HttpResponse:
    """The library, filtered by objection type and model; inline on the visit page."""
    store = request.user.store
    kind = request.GET.get("kind", "")
    kind = kind if kind in ObjectionType.values else ""
    tracks = list(talk_tracks_for(store=store, kind=kind,
                                  series_id=_series_id(request.GET.get("series", ""))))
    context = {"tracks": tracks, "kind": kind, "kinds": ObjectionType.choices,
               "can_edit": can_edit_talk_tracks(request.user)}
    if request.htmx and request.htmx.target == "talk-track-list":
        return render(request, partial_template(request, PAGE, "talk-track-list"), context)
    if can_see_objection_counts(request.user):
        context["counts"] = objection_counts(store=store)
    return render(request, PAGE, context)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def talk_track_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can_edit_talk_tracks(request.user):
        raise PermissionDenied
    store = request.user.store
    track = talk_track_get(store=store, pk=pk) if pk is not None else None
    form = TalkTrackForm(request.POST or None, instance=track, series=presentable_series())
    if request.method == "POST" and form.is_valid():
        try:
            talk_track_save(store=store, actor=request.user, track=track, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Talk track saved."))
            return redirect("showroom:talk_tracks")
    return render(request, "showroom/talk_track_form.html", {"form": form, "track": track},
                  status=400 if form.is_bound else 200)
