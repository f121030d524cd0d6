"""The consultant-facing lead screens: my leads (with CSV export), the quick new-lead form
with its phone check, and the lead detail with its follow-up, grade, lost and reassign
forms. Every form works as a plain POST → redirect and, with htmx, returns its panel."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from dealership.enums import Role
from dealership.exports import CHUNK_SIZE, csv_response, csv_stamp
from dealership.forms import apply_service_errors
from dealership.htmx import partial_template
from dealership.pagination import paginate
from dealership.permissions import role_required
from leads.enums import Channel, Grade, LeadStatus, LostRequestStatus
from leads.forms.leads import GradeForm, LeadCaptureForm, LostRequestForm, ReassignForm, TouchForm
from leads.models import Lead
from leads.permissions import (
    CAPTURE_ROLES,
    LEAD_ROLES,
    can_capture_lead,
    can_export_leads,
    can_reassign_lead,
    can_work_lead,
    is_lead_in_scope,
)
from leads.selectors.leads import (
    capture_campaigns,
    lead_get_for_user,
    lead_list_for_user,
    lead_row_for_user,
    lead_timeline,
    lost_requests_for,
    phone_check_for_user,
    reassign_candidates,
)
from leads.services import (
    CaptureResult,
    lead_assign,
    lead_capture,
    lead_log_touch,
    lead_override_grade,
    lead_request_lost,
)

DETAIL = "leads/lead_detail.html"
# The detail page's panels an htmx request may ask for by their id.
DETAIL_PARTIALS = ("lead-facts", "timeline", "grade-panel", "follow-up-form", "lost-panel",
                   "reassign-panel")


# --- My leads -------------------------------------------------------------------------
@require_safe
@vary_on_headers("HX-Request")
@role_required(*LEAD_ROLES)
def lead_list(request: HttpRequest) -> HttpResponse:
    filterset, leads = lead_list_for_user(user=request.user, params=request.GET)
    page = paginate(leads, request.GET)
    context = {"filter": filterset, "page": page, "can_export": can_export_leads(request.user),
               "can_capture": can_capture_lead(request.user),
               "can_work": request.user.role in (Role.CONSULTANT, Role.SUPERVISOR,
                                                 Role.MANAGER)}
    template = "leads/lead_list.html"
    if request.htmx and request.htmx.target == "lead-rows":
        template = partial_template(request, template, "lead-rows")
    return render(request, template, context)


def _csv_rows(leads, *, tz, labels: dict) -> Iterator[list]:
    for lead in leads.iterator(chunk_size=CHUNK_SIZE):
        yield [lead.pk, lead.customer.name, lead.customer.phone_masked, lead.grade,
               labels["status"].get(lead.status, lead.status),
               labels["channel"].get(lead.channel, lead.channel),
               lead.campaign.name if lead.campaign_id else "",
               str(lead.owner) if lead.owner_id else "", csv_stamp(lead.created_at, tz),
               csv_stamp(lead.last_touch_at, tz), csv_stamp(lead.follow_up_due_at, tz),
               labels["yes"] if lead.overdue else ""]


@require_safe
@role_required(*LEAD_ROLES)
def lead_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed; phone numbers masked as on screen."""
    if not can_export_leads(request.user):
        raise PermissionDenied
    _filterset, leads = lead_list_for_user(user=request.user, params=request.GET)
    # The rows are written after the view returns: labels and the time zone are fixed now.
    header = [_("Lead"), _("Customer"), _("Mobile phone"), _("Grade"), _("Status"),
              _("Channel"), _("Campaign"), _("Consultant"), _("Added on"), _("Last touch"),
              _("Follow-up due"), _("Overdue")]
    labels = {"status": {k: str(v) for k, v in LeadStatus.choices},
              "channel": {k: str(v) for k, v in Channel.choices}, "yes": _("yes")}
    rows = _csv_rows(leads, tz=timezone.get_current_timezone(), labels=labels)
    return csv_response(header=header, rows=rows, filename=f"leads-{timezone.localdate():%Y%m%d}")


# --- New lead -------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@role_required(*CAPTURE_ROLES)
def lead_create(request: HttpRequest) -> HttpResponse:
    if not can_capture_lead(request.user):
        raise PermissionDenied
    form = LeadCaptureForm(request.POST or None,
                           campaigns=capture_campaigns(store=request.user.store))
    if request.method == "POST" and form.is_valid():
        # A consultant keeps what they capture; everyone else lets routing decide.
        owner = request.user if request.user.role == Role.CONSULTANT else None
        try:
            result = lead_capture(store=request.user.store, actor=request.user, owner=owner,
                                  **form.capture_kwargs())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _after_capture(request, result)
    check = phone_check_for_user(user=request.user, raw=form.data.get("phone", "")) \
        if form.is_bound else None
    return render(request, "leads/lead_form.html", {"form": form, "check": check},
                  status=400 if form.is_bound else 200)


def _after_capture(request: HttpRequest, result: CaptureResult) -> HttpResponse:
    lead, owner = result.lead, result.lead.owner
    if result.duplicate and owner is not None:
        text = _("This phone is already a customer of %(owner)s; the enquiry was added and "
                 "%(owner)s notified.") % {"owner": owner}
    elif result.duplicate:
        text = _("This phone is already a customer of the store; the enquiry was added to "
                 "the lead waiting in the pool.")
    elif owner == request.user:
        text = _("Lead for %(name)s saved; it is yours.") % {"name": lead.customer.name}
    elif owner is not None:
        text = _("Lead for %(name)s saved and assigned to %(owner)s.") % {
            "name": lead.customer.name, "owner": owner}
    else:
        text = _("Lead for %(name)s saved; no consultant is on duty, so it waits in the "
                 "store's pool.") % {"name": lead.customer.name}
    (messages.info if result.duplicate else messages.success)(request, text)
    if is_lead_in_scope(request.user, lead):
        return redirect(lead)
    return redirect("leads:create")


@require_safe
@role_required(*CAPTURE_ROLES)
def phone_check(request: HttpRequest) -> HttpResponse:
    """While the phone is typed: already a customer of the store, and whose?"""
    check = phone_check_for_user(user=request.user, raw=request.GET.get("phone", ""))
    # Asked by the form as the phone is typed: the fragment, htmx header or not.
    return render(request, "leads/lead_form.html#phone-check", {"check": check})


# --- Lead detail ----------------------------------------------------------------------
def _detail_context(user, lead: Lead, **forms) -> dict:
    can_work = can_work_lead(user, lead) and lead.is_open
    lost_requests = lost_requests_for(lead=lead)
    can_reassign = can_reassign_lead(user, lead) and lead.is_open
    context = {
        "lead": lead, "overdue": lead.is_overdue(), "can_work": can_work,
        "can_reassign": can_reassign, "timeline": lead_timeline(lead=lead),
        "lost_requests": lost_requests,
        "pending_lost": next((r for r in lost_requests
                              if r.status == LostRequestStatus.PENDING), None),
        "touch_form": TouchForm(), "grade_form": GradeForm(initial={"grade": lead.grade}),
        "lost_form": LostRequestForm(),
        "reassign_form": ReassignForm(candidates=reassign_candidates(lead=lead),
                                      initial={"to": lead.owner_id}) if can_reassign else None,
        "grades": Grade,
    }
    context.update(forms)
    return context


@require_safe
@vary_on_headers("HX-Request")
@role_required(*LEAD_ROLES)
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_get_for_user(user=request.user, pk=pk)
    template = DETAIL
    if request.htmx and request.htmx.target in DETAIL_PARTIALS:
        template = partial_template(request, DETAIL, request.htmx.target)
    return render(request, template, _detail_context(request.user, lead))


def _done(request: HttpRequest, lead: Lead, panel: str, text: str) -> HttpResponse:
    """After a change: the panel again (htmx) with "lead-updated" for the other panels,
    or a redirect to the page. A lead that left the user's scope sends them to the list."""
    try:
        lead = lead_get_for_user(user=request.user, pk=lead.pk)
    except Http404:
        messages.success(request, text)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("leads:list"))
        return redirect("leads:list")
    if not request.htmx:
        messages.success(request, text)
        return redirect(lead)
    context = _detail_context(request.user, lead) | {"notice": text}
    response = render(request, partial_template(request, DETAIL, panel), context)
    return trigger_client_event(response, "lead-updated")


def _refused(request: HttpRequest, lead: Lead, panel: str, **forms) -> HttpResponse:
    """The form again with the user's input and what was wrong (400)."""
    template = partial_template(request, DETAIL, panel)
    return render(request, template, _detail_context(request.user, lead, **forms), status=400)


def _workable(request: HttpRequest, pk: int) -> Lead:
    lead = lead_get_for_user(user=request.user, pk=pk)
    if not can_work_lead(request.user, lead):
        raise PermissionDenied
    return lead


@require_http_methods(["GET", "POST"])
@role_required(*LEAD_ROLES)
def lead_touch(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a follow-up from the detail page, or inline in a row of the list."""
    lead = _workable(request, pk)
    row = f"lead-row-{pk}"
    in_row = bool(request.htmx) and request.htmx.target == row
    if request.method == "GET":
        if not in_row:
            return redirect(f"{lead.get_absolute_url()}#follow-up-form")
        return _row(request, pk, editing="close" not in request.GET)
    form = TouchForm(request.POST, auto_id=f"touch{pk}_%s" if in_row else "touch_%s")
    if form.is_valid():
        try:
            lead_log_touch(lead=lead, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if in_row:
                return _row(request, pk, notice=_("Follow-up logged."))
            return _done(request, lead, "follow-up-form", _("Follow-up logged."))
    if in_row:
        return _row(request, pk, editing=True, touch_form=form, status=400)
    return _refused(request, lead, "follow-up-form", touch_form=form)


def _row(request: HttpRequest, pk: int, *, editing: bool = False, status: int = 200,
         **extra) -> HttpResponse:
    context = {"lead": lead_row_for_user(user=request.user, pk=pk), "editing": editing,
               "can_work": True, "touch_form": TouchForm(auto_id=f"touch{pk}_%s")} | extra
    return render(request, partial_template(request, "leads/lead_list.html", "lead-row"), context,
                  status=status)


@require_POST
@role_required(*LEAD_ROLES)
def lead_grade(request: HttpRequest, pk: int) -> HttpResponse:
    """Override the grade, with a reason kept on the timeline."""
    lead = _workable(request, pk)
    form = GradeForm(request.POST)
    if form.is_valid():
        try:
            lead = lead_override_grade(lead=lead, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, lead, "grade-panel",
                         _("Grade set to %(grade)s.") % {"grade": lead.grade})
    return _refused(request, lead, "grade-panel", grade_form=form)


@require_POST
@role_required(*LEAD_ROLES)
def lead_request_lost_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the supervisor to close the lead as lost (战败)."""
    lead = _workable(request, pk)
    form = LostRequestForm(request.POST)
    if form.is_valid():
        try:
            lead_request_lost(lead=lead, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, lead, "lost-panel",
                         _("Lost request sent; the supervisor decides."))
    return _refused(request, lead, "lost-panel", lost_form=form)


@require_POST
@role_required(Role.SUPERVISOR, Role.MANAGER)
def lead_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor or manager gives the lead (and its customer) to another consultant."""
    lead = lead_get_for_user(user=request.user, pk=pk)
    if not can_reassign_lead(request.user, lead):
        raise PermissionDenied
    form = ReassignForm(request.POST, candidates=reassign_candidates(lead=lead))
    if form.is_valid():
        try:
            lead = lead_assign(lead=lead, to=form.cleaned_data["to"], actor=request.user,
                               reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, lead, "reassign-panel",
                         _("Lead reassigned to %(name)s.") % {"name": form.cleaned_data["to"]})
    return _refused(request, lead, "reassign-panel", reassign_form=form)
