"""Satisfaction surveys: the customer's public page (no login, reached through the signed
link of the message) and the staff's results.

The public page shows the store's name and the visit's day, nothing internal (no names,
phone, prices or ids). A link that fails its signature or names no survey is a polite
404; an answered survey a polite 410 ("already answered, thank you"), an expired one a
polite 410. Every answer of the page is private: not cached, not indexed, no referrer."""

from __future__ import annotations

from functools import wraps

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from aftersales.enums import LOW_SCORE_MAX, SurveyKind, SurveyQuestion
from aftersales.forms.surveys import SurveyAnswerForm, SurveyResultsFilterForm
from aftersales.models import Survey
from aftersales.permissions import SURVEY_RESULT_ROLES
from aftersales.selectors.surveys import (
    SELF_ONLY_ROLES,
    answered_in_period,
    results_by_staff,
    results_overall,
    survey_get_for_user,
)
from aftersales.services.surveys import (
    SurveyAlreadyAnswered,
    SurveyExpired,
    survey_answer,
    survey_is_expired,
    survey_token_from_signed,
)
from dealership.forms import apply_service_errors
from dealership.permissions import has_role, role_required

PUBLIC = "aftersales/survey_public.html"
RESULTS = "aftersales/survey_results.html"
DETAIL = "aftersales/survey_detail.html"
PAGE_SIZE = 25


def _private(view):
    """The survey page is the customer's alone: never stored by a cache or a proxy, never
    indexed, and its address (the token) never sent to another site as a referrer.
    "same-origin", not "no-referrer": with no referrer at all the browser posts the form
    with `Origin: null`, which Django's CSRF check refuses (403), so no customer could
    answer (found by the browser journey)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def _survey_from_link(signed: str) -> Survey | None:
    try:
        token = survey_token_from_signed(signed)
    except signing.BadSignature:
        return None
    return (Survey.objects.select_related("store", "contract", "service_record")
            .filter(token=token).first())


def _visit_day(survey: Survey):
    if survey.kind == SurveyKind.SERVICE and survey.service_record is not None:
        return survey.service_record.serviced_on
    moment = (survey.contract.delivered_at if survey.contract is not None
              and survey.contract.delivered_at else survey.created_at)
    return timezone.localdate(moment, survey.store.tzinfo)


def _public(request: HttpRequest, state: str, survey: Survey | None = None,
            form: SurveyAnswerForm | None = None, status: int = 200) -> HttpResponse:
    context = {"state": state, "form": form}
    if survey is not None:
        context.update({"store_name": survey.store.name, "visit_day": _visit_day(survey),
                        "is_delivery": survey.kind == SurveyKind.DELIVERY})
    return render(request, PUBLIC, context, status=status)


@_private
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request: HttpRequest, signed: str) -> HttpResponse:
    """The customer's survey: GET shows the questions, POST records the answers once."""
    survey = _survey_from_link(signed)
    if survey is None:
        return _public(request, "invalid", status=404)
    now = timezone.now()
    if survey.answered_at is not None:
        return _public(request, "answered", survey, status=410)
    if survey_is_expired(survey, now):
        return _public(request, "expired", survey, status=410)
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None,
                            kind=survey.kind)
    if request.method != "POST":
        return _public(request, "form", survey, form)
    if not form.is_valid():
        return _public(request, "form", survey, form, status=400)
    try:
        survey_answer(survey=survey, scores=form.scores(),
                              comment=form.cleaned_data["comment"], now=now)
    except SurveyAlreadyAnswered:
        return _public(request, "answered", survey, status=410)
    except SurveyExpired:
        return _public(request, "expired", survey, status=410)
    except ValidationError as error:
        apply_service_errors(form, error)
        return _public(request, "form", survey, form, status=400)
    return _public(request, "thanks", survey)


@require_safe
@role_required(*SURVEY_RESULT_ROLES)
def survey_results(request: HttpRequest) -> HttpResponse:
    """Averages per person and question over a period, and the recent answers: five
    queries whatever the number of rows (the people, the averages, the totals, the count
    and the page)."""
    user = request.user
    store = user.store
    filters = SurveyResultsFilterForm(request.GET or None, today=store.today())
    status = 400 if filters.is_bound and not filters.is_valid() else 200
    date_from, date_to = filters.period()
    surveys = answered_in_period(user=user, store=store, date_from=date_from,
                                 date_to=date_to, kind=filters.chosen_kind())
    results = results_by_staff(surveys)
    overall = results_overall(surveys, results)
    page = Paginator(surveys.select_related("staff"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, RESULTS, {
        "filters": filters, "date_from": date_from, "date_to": date_to, "results": results,
        "overall": overall, "questions": SurveyQuestion.choices, "page": page,
        "rows": page.object_list, "low_score_max": LOW_SCORE_MAX,
        "about_self": has_role(user, *SELF_ONLY_ROLES)}, status=status)


@require_safe
@role_required(*SURVEY_RESULT_ROLES)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_get_for_user(user=request.user, pk=pk)
    return render(request, DETAIL, {"survey": survey, "low_score_max": LOW_SCORE_MAX,
                                    "expired": survey_is_expired(survey, timezone.now())})
