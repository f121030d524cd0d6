"""Walk-in registration and the visit page: phone added later, objections, closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.permissions import role_required
from showroom.forms.visits import ObjectionForm, PhoneForm, VisitCloseForm, WalkInForm
from showroom.models import Visit
from showroom.permissions import (
    DESK_ROLES,
    VISIT_ROLES,
    can_add_visit_phone,
    can_work_visit,
)
from showroom.selectors.invitations import invitations_expected_today
from showroom.selectors.roster import walk_in_consultants
from showroom.selectors.visits import (
    customer_get_for_desk,
    customers_for_desk_search,
    objections_for,
    presentable_series,
    visit_get_for_user,
)
from showroom.services import (
    RoutedBy,
    objection_add,
    visit_add_phone,
    visit_close,
    visit_hand_over,
    visit_register,
)
from showroom.views.desk import DESK, desk_context

DETAIL = "showroom/visit_detail.html"


WALK_IN = "showroom/walk_in_form.html"


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@role_required(*DESK_ROLES)
def walk_in(request: HttpRequest) -> HttpResponse:
    """Register a walk-in; the service picks the consultant (queue or returning customer).
    `?q=` finds a returning customer by name, `?customer=` picks one for the form."""
    store = request.user.store
    query = request.GET.get("q", "")
    results = customers_for_desk_search(store=store, query=query) if query else None
    if request.htmx and request.htmx.target == "customer-search":
        return render(request, partial_template(request, WALK_IN, "customer-search"),
                      {"query": query, "results": results})
    picked = customer_get_for_desk(store=store, pk=request.POST.get("customer")
                                   or request.GET.get("customer"))
    initial = {"customer": picked.pk, "first_visit": "return"} if picked else None
    form = WalkInForm(request.POST or None, initial=initial, store=store,
                      consultants=walk_in_consultants(store=store, day=store.today()))
    if request.method == "POST" and form.is_valid():
        try:
            visit = visit_register(store=store, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            if "owner_busy" in getattr(error, "error_dict", {}):
                form.ask_owner_busy()
            apply_service_errors(form, error)
        else:
            messages.success(request, _walk_in_message(visit))
            return redirect("showroom:desk")
    return render(request, WALK_IN, {"form": form, "query": query, "results": results,
                                     "picked": picked},
                  status=400 if form.is_bound else 200)


def _walk_in_message(visit: Visit) -> str:
    if visit.is_waiting:
        return _("The customer waits for %(name)s, their consultant, who was notified.") % {
            "name": visit.waiting_for}
    if visit.routed_by == RoutedBy.CUSTOMER:
        return _("Returning customer: %(name)s, their consultant, was notified.") % {
            "name": visit.consultant}
    return _("Visitor registered; %(name)s serves them.") % {"name": visit.consultant}


@require_POST
@role_required(*DESK_ROLES)
def visit_hand_over_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer waiting for their own consultant goes to the next in the queue."""
    visit = visit_get_for_user(user=request.user, pk=pk)
    try:
        visit = visit_hand_over(visit=visit, actor=request.user)
    except ValidationError as error:
        # Someone else was quicker (the consultant came, or another hand-over): 409.
        messages.error(request, " ".join(error.messages))
        context = desk_context(request)
        context["invitations"] = invitations_expected_today(store=request.user.store,
                                                            day=context["today"])
        return render(request, DESK, context, status=409)
    messages.success(request, _("%(name)s serves the customer now; their consultant was "
                                "notified.") % {"name": visit.consultant})
    return redirect("showroom:desk")


def _detail_context(user, visit: Visit, **forms) -> dict:
    series = presentable_series()
    can_work = can_work_visit(user, visit)
    context = {
        "visit": visit, "can_work": can_work, "objections": objections_for(visit=visit),
        "can_add_phone": can_add_visit_phone(user, visit) and visit.customer_id is None,
        "close_form": (VisitCloseForm(visit=visit, series=series,
                                      refresh_url=visit.get_absolute_url())
                       if can_work and visit.is_open else None),
        "objection_form": ObjectionForm(series=series) if can_work else None,
        "phone_form": PhoneForm(),
    }
    return context | forms


@require_safe
@vary_on_headers("HX-Request")
@role_required(*VISIT_ROLES)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_get_for_user(user=request.user, pk=pk)
    template = DETAIL
    if request.htmx and request.htmx.target == "objections":
        template = partial_template(request, DETAIL, "objections")
    if request.htmx and request.htmx.target == "close-form" and can_work_visit(request.user,
                                                                               visit):
        # The outcome changed: the same form, what was typed kept, its sections re-opened.
        initial = {name: request.GET.get(name) for name in VisitCloseForm.Meta.fields}
        initial["models_presented"] = request.GET.getlist("models_presented")
        form = VisitCloseForm(initial=initial, visit=visit, series=presentable_series(),
                              refresh_url=visit.get_absolute_url())
        return render(request, partial_template(request, DETAIL, "close-form"),
                      _detail_context(request.user, visit, close_form=form))
    return render(request, template, _detail_context(request.user, visit))


@require_POST
@role_required(*VISIT_ROLES)
def visit_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer left: needs analysis and outcome; the consultant rejoins the queue."""
    visit = visit_get_for_user(user=request.user, pk=pk)
    if not can_work_visit(request.user, visit):
        raise PermissionDenied
    form = VisitCloseForm(request.POST, visit=visit, series=presentable_series(),
                          refresh_url=visit.get_absolute_url())
    if form.is_valid():
        try:
            visit = visit_close(visit=visit, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Visit closed after %(minutes)d minutes.") % {
                "minutes": visit.duration.total_seconds() // 60})
            return redirect(visit)
    return render(request, DETAIL, _detail_context(request.user, visit, close_form=form),
                  status=400)


@require_POST
@role_required(*VISIT_ROLES)
def visit_add_phone_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visit_get_for_user(user=request.user, pk=pk)
    if not can_add_visit_phone(request.user, visit):
        raise PermissionDenied
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            visit_add_phone(visit=visit, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Phone number added; the customer is linked."))
            return redirect(visit)
    return render(request, DETAIL, _detail_context(request.user, visit, phone_form=form),
                  status=400)


@require_POST
@role_required(*VISIT_ROLES)
def objection_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an objection; with htmx the objections panel comes back."""
    visit = visit_get_for_user(user=request.user, pk=pk)
    if not can_work_visit(request.user, visit):
        raise PermissionDenied
    form = ObjectionForm(request.POST, series=presentable_series())
    if form.is_valid():
        try:
            objection_add(visit=visit, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Objection recorded."))
                return redirect(visit)
            context = _detail_context(request.user, visit, notice=_("Objection recorded."))
            response = render(request, partial_template(request, DETAIL, "objections"), context)
            return trigger_client_event(response, "objection-added")
    return render(request, partial_template(request, DETAIL, "objections"),
                  _detail_context(request.user, visit, objection_form=form), status=400)
