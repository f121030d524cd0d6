"""Reads of the daily showroom inspection, for the manager and the store's supervisors."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, FilteredRelation, Q, QuerySet
from django.http import Http404

from dealership.models import Store, User
from showroom.models import InspectionCheck, InspectionItem


def inspection_items_for(*, store: Store) -> QuerySet[InspectionItem]:
    return InspectionItem.objects.filter(store=store).order_by("position", "pk")


def inspection_day(*, store: Store, day: dt.date,
                   item_pk: int | None = None) -> list[InspectionItem]:
    """The checklist of one day in one query: each item with `day_check` (the tick of that
    day or None, with who ticked it). Items no longer in use show only where ticked."""
    items = InspectionItem.objects.filter(store=store)
    if item_pk is not None:
        items = items.filter(pk=item_pk)
    # `date` is the check's own DateField (the store day it was ticked for), not a cast of
    # a timestamp: with the store it is an equality on the unique (store, date, item) index.
    on_day = Q(checks__store=store) & Q(checks__date=day)
    rows = list(
        items.annotate(day_check=FilteredRelation("checks", condition=on_day))
        .filter(Q(is_active=True) | Q(day_check__isnull=False))
        .select_related("day_check", "day_check__checked_by")
        .order_by("position", "pk")
    )
    for row in rows:
        # Django leaves the attribute unset when the filtered relation has no row.
        row.day_check = getattr(row, "day_check", None)
    return rows


def inspection_history(*, store: Store, before: dt.date, limit: int = 30) -> list[dict]:
    """Past days with ticks: date, how many items were ticked, how many were problems."""
    return list(
        InspectionCheck.objects.filter(store=store, date__lt=before)
        .values("date")
        .annotate(checked=Count("pk"), problems=Count("pk", filter=Q(ok=False)))
        .order_by("-date")[:limit]
    )


def inspection_check_get_for_user(*, user: User, pk: int) -> InspectionCheck:
    """A tick with a photo, for staff of its store only (404 for anyone else)."""
    if not user.is_authenticated or user.store_id is None:
        raise Http404
    try:
        return InspectionCheck.objects.exclude(photo="").get(pk=pk, store_id=user.store_id)
    except (InspectionCheck.DoesNotExist, ValueError):
        raise Http404 from None
