"""After-sales selectors: surveys. A consultant and a service advisor see the surveys about
themselves; the manager, the supervisor and customer care see their store's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from aftersales.enums import LOW_SCORE_MAX, SurveyQuestion
from aftersales.models import Survey, SurveyAnswer
from aftersales.permissions import SURVEY_RESULT_ROLES
from dealership.enums import Role
from dealership.models import Store, User
from dealership.permissions import has_role

# These see only the answers about themselves.
SELF_ONLY_ROLES = (Role.CONSULTANT, Role.SERVICE_ADVISOR)


def survey_scope_for_user(user: User) -> QuerySet[Survey]:
    if (not user.is_authenticated or user.store_id is None
            or not has_role(user, *SURVEY_RESULT_ROLES)):
        return Survey.objects.none()
    surveys = Survey.objects.filter(store_id=user.store_id)
    if has_role(user, *SELF_ONLY_ROLES):
        surveys = surveys.filter(staff=user)
    return surveys


def survey_get_for_user(*, user: User, pk: int) -> Survey:
    """One survey with its answers, its care task and whom it is about; 404 outside the
    user's scope."""
    survey = (survey_scope_for_user(user)
              .select_related("customer", "staff", "contract", "service_record", "care_task")
              .prefetch_related("answers").filter(pk=pk).first())
    if survey is None:
        raise Http404
    order = {question: index for index, question in enumerate(SurveyQuestion.values)}
    survey.sorted_answers = sorted(survey.answers.all(), key=lambda a: order[a.question])
    return survey


def answered_in_period(*, user: User, store: Store, date_from: dt.date, date_to: dt.date,
                       kind: str = "") -> QuerySet[Survey]:
    """The surveys answered on the store's days date_from..date_to, newest first."""
    start = store.day_bounds(date_from)[0]
    end = store.day_bounds(date_to)[1]
    surveys = survey_scope_for_user(user).filter(answered_at__gte=start, answered_at__lt=end)
    if kind:
        surveys = surveys.filter(kind=kind)
    return surveys.order_by("-answered_at", "-id")


@dataclass
class StaffResult:
    staff_id: int | None
    name: str
    count: int = 0
    low_count: int = 0
    averages: dict[str, float | None] = field(default_factory=dict)

    def average_list(self) -> list[float | None]:
        return [self.averages.get(question) for question in SurveyQuestion.values]


def results_by_staff(surveys: QuerySet[Survey]) -> list[StaffResult]:
    """Per person the answers are about: the number of answered surveys, how many had a
    low score, and the average of each question. Two queries whatever the number of rows."""
    rows: dict[int | None, StaffResult] = {}
    counts = (surveys.order_by().values("staff_id", "staff__name", "staff__username")
              .annotate(count=Count("id"),
                        low=Count("id", filter=Q(lowest_score__lte=LOW_SCORE_MAX))))
    for row in counts:
        rows[row["staff_id"]] = StaffResult(
            staff_id=row["staff_id"], name=row["staff__name"] or row["staff__username"] or "",
            count=row["count"], low_count=row["low"])
    averages = (SurveyAnswer.objects.filter(survey__in=surveys.order_by().values("pk"))
                .values("survey__staff_id", "question").annotate(average=Avg("score"))
                .order_by())
    for row in averages:
        result = rows.get(row["survey__staff_id"])
        if result is not None:
            result.averages[row["question"]] = round(float(row["average"]), 1)
    return sorted(rows.values(), key=lambda result: (result.staff_id is None, result.name))


def results_overall(surveys: QuerySet[Survey], results: list[StaffResult]) -> StaffResult:
    """The period's totals over everyone: one query (the averages of all answers)."""
    total = StaffResult(staff_id=None, name="", count=sum(r.count for r in results),
                        low_count=sum(r.low_count for r in results))
    averages = (SurveyAnswer.objects.filter(survey__in=surveys.order_by().values("pk"))
                .values("question").annotate(average=Avg("score")).order_by())
    for row in averages:
        total.averages[row["question"]] = round(float(row["average"]), 1)
    return total
