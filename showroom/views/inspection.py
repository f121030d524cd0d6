"""The daily showroom inspection: today's checklist (or a past day's, read-only) with the
history of past days, ticking an item, the manager's checklist editor, and the problem
photos, served only to staff of the store (never by a public media URL)."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from dealership.enums import Role
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import role_required
from showroom.forms.inspection import InspectionCheckForm, InspectionItemForm
from showroom.models import InspectionItem
from showroom.permissions import INSPECTION_ROLES, can_edit_inspection_items
from showroom.selectors.inspection import (
    inspection_check_get_for_user,
    inspection_day,
    inspection_history,
    inspection_items_for,
)
from showroom.services.inspection import (
    DEFAULT_ITEMS,
    inspection_check,
    inspection_item_save,
    inspection_items_create_defaults,
)

PAGE = "showroom/inspection.html"
ITEMS = "showroom/inspection_items.html"


def _check_form(item: InspectionItem, data=None, files=None) -> InspectionCheckForm:
    tick = item.day_check
    initial = {"ok": "1" if tick is None or tick.ok else "0", "note": tick.note if tick else ""}
    return InspectionCheckForm(data, files, initial=initial, auto_id=f"check-{item.pk}-%s")


def _day(raw: str | None, today: dt.date) -> tuple[dt.date, str]:
    if not raw:
        return today, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return today, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw}
    if day > today:
        return today, _("A future day has no inspection yet.")
    return day, ""


def _page_context(request: HttpRequest, day: dt.date, **extra) -> dict:
    store, today = request.user.store, timezone.localdate()
    items = inspection_day(store=store, day=day)
    bound = extra.pop("bound", None)  # (item pk, form) of a refused tick, kept as typed
    for item in items:
        item.form = bound[1] if bound and bound[0] == item.pk else _check_form(item)
    ticks = [item.day_check for item in items if item.day_check is not None]
    return {"store": store, "day": day, "today": today, "is_today": day == today,
            "items": items, "ticked": len(ticks),
            "problems": sum(1 for tick in ticks if not tick.ok),
            "history": inspection_history(store=store, before=today),
            "can_edit_items": can_edit_inspection_items(request.user, store),
            "default_items": DEFAULT_ITEMS, **extra}


@require_safe
@vary_on_headers("HX-Request")
@role_required(*INSPECTION_ROLES)
def inspection(request: HttpRequest) -> HttpResponse:
    day, error = _day(request.GET.get("day"), timezone.localdate())
    context = _page_context(request, day, day_error=error)
    return render(request, PAGE, context, status=400 if error else 200)


def _day_item(store, day: dt.date, pk: int) -> InspectionItem:
    rows = inspection_day(store=store, day=day, item_pk=pk)
    if not rows:
        raise Http404
    return rows[0]


@require_POST
@role_required(*INSPECTION_ROLES)
def inspection_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick one item of today's checklist; htmx gets the item's row back."""
    store, today = request.user.store, timezone.localdate()
    item = _day_item(store, today, pk)
    form = InspectionCheckForm(request.POST, request.FILES, auto_id=f"check-{pk}-%s")
    saved = False
    if form.is_valid():
        try:
            inspection_check(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            saved = True
    if request.htmx:
        if saved:
            item = _day_item(store, today, pk)
        item.form = _check_form(item) if saved else form
        return render(request, partial_template(request, PAGE, "inspection-item"),
                      {"item": item, "is_today": True, "saved": saved},
                      status=200 if saved else 400)
    if saved:
        messages.success(request, _("“%(item)s” ticked.") % {"item": item.text})
        return redirect("showroom:inspection")
    return render(request, PAGE, _page_context(request, today, bound=(pk, form)), status=400)


def _item_of(store, raw: str) -> InspectionItem | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):  # isdigit() alone accepts "²"
        raise Http404
    return get_object_or_404(InspectionItem, pk=int(raw), store=store)


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def inspection_items(request: HttpRequest) -> HttpResponse:
    """The manager keeps the checklist: add, reword, reorder, retire; or take the defaults."""
    store, user = request.user.store, request.user
    if request.method == "POST" and request.POST.get("action") == "defaults":
        inspection_items_create_defaults(actor=user, store=store)
        messages.success(request, _("The default checklist is ready."))
        return redirect("showroom:inspection_items")
    item = _item_of(store, request.POST.get("item", ""))
    form = InspectionItemForm(request.POST or None, instance=item,
                              auto_id=f"item-{item.pk if item else 'new'}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            inspection_item_save(actor=user, store=store, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Checklist saved."))
            return redirect("showroom:inspection_items")
    rows = [(row, form if item and row.pk == item.pk
             else InspectionItemForm(instance=row, auto_id=f"item-{row.pk}-%s"))
            for row in inspection_items_for(store=store)]
    new_form = form if form.is_bound and item is None else InspectionItemForm(
        auto_id="item-new-%s")
    return render(request, ITEMS, {"rows": rows, "new_form": new_form},
                  status=400 if form.is_bound else 200)


@require_safe
@login_required
def inspection_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A problem photo, for staff of the tick's store (404 for everyone else)."""
    check = inspection_check_get_for_user(user=request.user, pk=pk)
    content_type = mimetypes.guess_type(check.photo.name)[0] or "application/octet-stream"
    response = FileResponse(check.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response
