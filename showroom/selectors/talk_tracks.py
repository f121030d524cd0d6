"""Reads of the store's talk tracks (话术) and of the objection counts they answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from dealership.models import Store
from showroom.enums import ObjectionType
from showroom.models import Objection, TalkTrack


def talk_tracks_for(*, store: Store, kind: str = "", series_id: int | None = None
                    ) -> QuerySet[TalkTrack]:
    """The store's talk tracks; for a model, those for it and those for every model."""
    tracks = TalkTrack.objects.filter(store=store).select_related("series__brand",
                                                                  "updated_by")
    if kind:
        tracks = tracks.filter(kind=kind)
    if series_id:
        tracks = tracks.filter(Q(series_id=series_id) | Q(series__isnull=True))
    # The tracks for every model first, on SQLite and PostgreSQL alike (they sort NULL
    # differently).
    return tracks.order_by("kind", F("series__name").asc(nulls_first=True), "title")


def talk_track_get(*, store: Store, pk: int) -> TalkTrack:
    try:
        return TalkTrack.objects.get(pk=pk, store=store)
    except (TalkTrack.DoesNotExist, ValueError):
        raise Http404 from None


@dataclass
class ObjectionCounts:
    by_kind: list[tuple[str, int]]
    by_series: list[tuple[str, int]]
    total: int


def objection_counts(*, store: Store, since: dt.datetime | None = None) -> ObjectionCounts:
    """How often each kind of objection came up, and about which model (manager's panel)."""
    objections = Objection.objects.filter(visit__store=store)
    if since is not None:
        objections = objections.filter(created_at__gte=since)
    per_kind = dict(objections.values_list("kind").annotate(n=Count("id")).order_by())
    by_kind = [(label, per_kind.get(value, 0)) for value, label in ObjectionType.choices]
    by_series = [
        (f"{row['series__brand__name']} {row['series__name']}" if row["series__name"]
         else str(_("No model named")), row["n"])
        for row in objections.values("series__brand__name", "series__name")
        .annotate(n=Count("id")).order_by("-n", F("series__name").asc(nulls_last=True))
    ]
    return ObjectionCounts(by_kind=by_kind, by_series=by_series, total=sum(per_kind.values()))
