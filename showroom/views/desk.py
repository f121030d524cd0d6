"""The reception desk: today's queue and visits, duty states, and today's roster."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from dealership.htmx import partial_template
from dealership.permissions import role_required
from showroom.forms.roster import DutyStateForm, RosterForm
from showroom.permissions import DESK_ROLES
from showroom.selectors.invitations import invitations_expected_today
from showroom.selectors.roster import queue_for, roster_candidates, roster_for, shift_get_for_desk
from showroom.selectors.visits import visits_of_day
from showroom.services import duty_set_state, roster_set

DESK = "showroom/desk.html"
DESK_PARTIALS = ("queue", "visits")


def desk_context(request: HttpRequest, **extra) -> dict:
    store = request.user.store
    day = store.today()
    return {"store": store, "today": day, "now": timezone.localtime(),
            "queue": queue_for(store=store, day=day),
            "visits": list(visits_of_day(store=store, day=day))} | extra


@require_safe
@vary_on_headers("HX-Request")
@role_required(*DESK_ROLES)
def desk(request: HttpRequest) -> HttpResponse:
    """The queue, today's visits, expected invitations and the walk-in button."""
    target = request.htmx.target if request.htmx else None
    if target in DESK_PARTIALS:
        store = request.user.store
        day = store.today()
        context = {"store": store, "today": day}
        if target == "queue":
            context["queue"] = queue_for(store=store, day=day)
        else:
            context["visits"] = list(visits_of_day(store=store, day=day))
        return render(request, partial_template(request, DESK, target), context)
    context = desk_context(request)
    context["invitations"] = invitations_expected_today(store=request.user.store,
                                                        day=context["today"])
    return render(request, DESK, context)


@require_POST
@role_required(*DESK_ROLES)
def duty_state(request: HttpRequest, pk: int) -> HttpResponse:
    """Waiting / away / off for one consultant on today's roster."""
    shift = shift_get_for_desk(user=request.user, pk=pk)
    form = DutyStateForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = _("Choose waiting, away or off."), 400
    else:
        try:
            duty_set_state(shift=shift, state=form.cleaned_data["state"], actor=request.user)
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 400
    if not request.htmx:
        (messages.error if error else messages.success)(
            request, error or _("%(name)s: state changed.") % {"name": shift.consultant})
        return redirect("showroom:desk")
    store = request.user.store
    context = {"queue": queue_for(store=store, day=store.today()), "queue_error": error}
    response = render(request, partial_template(request, DESK, "queue"), context, status=status)
    return trigger_client_event(response, "queue-changed") if not error else response


@require_http_methods(["GET", "POST"])
@role_required(*DESK_ROLES)
def roster(request: HttpRequest) -> HttpResponse:
    """Who is on duty today, in queue order (manager or receptionist)."""
    store = request.user.store
    day = store.today()
    form = RosterForm(request.POST or None, candidates=roster_candidates(store=store),
                      shifts=roster_for(store=store, day=day))
    if request.method == "POST" and form.is_valid():
        try:
            roster_set(store=store, day=day, consultants=form.cleaned_data["consultants"],
                       actor=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Today's roster is set."))
            return redirect("showroom:desk")
    return render(request, "showroom/roster.html", {"form": form, "today": day},
                  status=400 if form.is_bound else 200)
