"""Satisfaction surveys: send one after a delivery or a service visit, and record the
customer's answers from the public page (single-use, expiring, a low score followed up).

The link carries the survey's random token signed (`survey_link`): a changed character
fails the signature before any database lookup (`survey_token_from_signed`).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from aftersales.enums import (
    LOW_SCORE_MAX,
    CareTaskKind,
    LeadEventKind,
    SurveyKind,
    SurveyQuestion,
)
from aftersales.models import CareSettings, ServiceRecord, Survey, SurveyAnswer
from contracts.models import Contract
from dealership.enums import AuditAction
from dealership.models import Customer, Store, User
from dealership.services.audit import audit_log

logger = logging.getLogger(__name__)

# The questions each kind asks, in the order the page shows them.
QUESTIONS: dict[str, tuple[str, ...]] = {
    SurveyKind.DELIVERY: (SurveyQuestion.OVERALL, SurveyQuestion.STAFF,
                          SurveyQuestion.EXPLANATION, SurveyQuestion.TIMELINESS,
                          SurveyQuestion.RECOMMEND),
    SurveyKind.SERVICE: (SurveyQuestion.OVERALL, SurveyQuestion.STAFF,
                         SurveyQuestion.EXPLANATION, SurveyQuestion.TIMELINESS,
                         SurveyQuestion.RECOMMEND),
}
SCORE_MIN, SCORE_MAX = 1, 10
COMMENT_MAX_LENGTH = 2000

SIGNER_SALT = "aftersales.survey"
PURPOSE_SURVEY = "survey"


class SurveyClosed(Exception):
    """The survey can no longer be answered."""


class SurveyAlreadyAnswered(SurveyClosed):
    pass


class SurveyExpired(SurveyClosed):
    pass


def _signer() -> signing.Signer:
    return signing.Signer(salt=SIGNER_SALT)


def survey_link(survey: Survey) -> str:
    """The public page's absolute path, `/s/<signed token>/`."""
    return reverse("survey:answer", kwargs={"signed": _signer().sign(survey.token)})


def survey_public_url(survey: Survey) -> str:
    """The link as the customer's message carries it: `settings.PUBLIC_BASE_URL` (the
    site's public origin, e.g. "https://dealer.example.cn", when configured) + the path."""
    return getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/") + survey_link(survey)


def survey_token_from_signed(signed: str) -> str:
    """The token inside a link; raises signing.BadSignature when it was tampered with."""
    return _signer().unsign(signed)


def care_settings_for(store: Store) -> CareSettings:
    settings_row, _created = CareSettings.objects.get_or_create(store=store)
    return settings_row


def _existing(*, kind: str, contract: Contract | None,
              service_record: ServiceRecord | None) -> Survey | None:
    if kind == SurveyKind.DELIVERY:
        return Survey.objects.filter(kind=kind, contract=contract).first()
    return Survey.objects.filter(service_record=service_record).first()


def _message_body(survey: Survey, link: str) -> str:
    # Customers are written to in the site's language (a job or hook has no request).
    with override(settings.LANGUAGE_CODE):
        if survey.kind == SurveyKind.DELIVERY:
            text = _("%(store)s: thank you for collecting your new car. How did we do? "
                     "Two minutes: %(link)s")
        else:
            text = _("%(store)s: thank you for your service visit. How did we do? "
                     "Two minutes: %(link)s")
        return text % {"store": survey.store.name, "link": link}


def survey_send(
    *, kind: str, customer: Customer, staff: User | None, contract: Contract | None = None,
    service_record: ServiceRecord | None = None, now: dt.datetime,
) -> Survey:
    """Send the survey about one delivery (`contract`) or one service visit
    (`service_record`), about `staff`. The same visit again returns its first survey.

    Side effects: the survey row, its audit row and, when the customer agreed to messages
    (leads.messaging.message_queue), the message with the link (dedupe "survey:<pk>").
    """
    if kind == SurveyKind.DELIVERY:
        if contract is None:
            raise ValueError("A delivery survey needs its contract.")
    elif kind == SurveyKind.SERVICE:
        if service_record is None:
            raise ValueError("A service survey needs its service record.")
    else:
        raise ValueError(kind)
    from leads.messaging import message_queue

    with transaction.atomic():
        if known := _existing(kind=kind, contract=contract, service_record=service_record):
            return known
        store = customer.store
        valid_days = care_settings_for(store).survey_valid_days
        try:
            with transaction.atomic():
                survey = Survey.objects.create(
                    store=store, customer=customer, kind=kind, contract=contract,
                    service_record=service_record, staff=staff,
                    token=secrets.token_urlsafe(32), created_at=now,
                    expires_at=now + dt.timedelta(days=valid_days))
        except IntegrityError:  # sent a moment ago by someone else: theirs stands
            return _existing(kind=kind, contract=contract, service_record=service_record)
        audit_log(actor=None, instance=survey, action=AuditAction.CREATE,
                  changes={"kind": [None, kind],
                           "expires_at": [None, survey.expires_at.isoformat()]})
        message = message_queue(
            customer=customer, lead=contract.lead if contract is not None else None,
            purpose=PURPOSE_SURVEY, body=_message_body(survey, survey_public_url(survey)),
            dedupe_key=f"survey:{survey.pk}", now=now)
        if message is not None:
            survey.message = message
            survey.save(update_fields=["message"])
    return survey


def survey_is_expired(survey: Survey, now: dt.datetime) -> bool:
    return now >= survey.expires_at


def _clean_scores(kind: str, scores: dict) -> dict[str, int]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for question in QUESTIONS[kind]:
        value = scores.get(question)
        if value in (None, ""):
            errors[question] = [_("Please choose a score from 1 to 10.")]
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not SCORE_MIN <= number <= SCORE_MAX:
            errors[question] = [_("Please choose a score from 1 to 10.")]
            continue
        clean[question] = number
    if errors:
        raise ValidationError(errors)
    return clean


def survey_answer(
    *, survey: Survey, scores: dict[str, int], comment: str = "", now: dt.datetime,
) -> Survey:
    """Record the customer's answers, once. Every question of the kind needs a score from
    1 to 10; the comment is at most 2000 characters.

    Refuses with SurveyAlreadyAnswered (answered before, also a moment ago by a second
    tap) or SurveyExpired. A score of LOW_SCORE_MAX or less opens one care task for
    customer care, due on the store's today.

    Side effects: the answers, the survey's answered_at / lowest_score / comment, its
    audit row, a SURVEY event on the contract's lead and, for a low score, the care task.
    """
    from aftersales.services.care_tasks import care_task_open
    from leads.models import LeadEvent

    clean = _clean_scores(survey.kind, scores)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": [
            _("Please keep the comment to %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}]})
    with transaction.atomic():
        locked = (Survey.objects.select_for_update(of=("self",))
                  .select_related("store", "customer", "contract").get(pk=survey.pk))
        if locked.answered_at is not None:
            raise SurveyAlreadyAnswered
        if survey_is_expired(locked, now):
            raise SurveyExpired
        SurveyAnswer.objects.bulk_create(
            [SurveyAnswer(store_id=locked.store_id, survey=locked, question=question,
                          score=score)
             for question, score in clean.items()])
        locked.answered_at = now
        locked.lowest_score = min(clean.values())
        locked.comment = comment
        locked.save(update_fields=["answered_at", "lowest_score", "comment"])
        audit_log(actor=None, instance=locked, action=AuditAction.UPDATE,
                  changes={"answered_at": [None, now.isoformat()],
                           "lowest_score": [None, locked.lowest_score]})
        if locked.contract is not None and locked.contract.lead_id is not None:
            LeadEvent.objects.create(
                store_id=locked.contract.store_id, lead_id=locked.contract.lead_id,
                kind=LeadEventKind.SURVEY, created_at=now,
                note=_survey_event_note(locked), data={"survey": locked.pk,
                                                       "lowest_score": locked.lowest_score})
        if locked.lowest_score <= LOW_SCORE_MAX:
            care_task_open(
                customer=locked.customer, kind=CareTaskKind.LOW_SCORE,
                title=_low_score_title(locked), survey=locked,
                due_on=timezone.localdate(now, locked.store.tzinfo))
    survey.answered_at, survey.lowest_score, survey.comment = (
        locked.answered_at, locked.lowest_score, locked.comment)
    return locked


def _survey_event_note(survey: Survey) -> str:
    with override(settings.LANGUAGE_CODE):
        return _("Survey answered (%(kind)s): lowest score %(score)d of 10.") % {
            "kind": survey.get_kind_display(), "score": survey.lowest_score}


def _low_score_title(survey: Survey) -> str:
    # Stored data, read by customer care: in the site's language.
    with override(settings.LANGUAGE_CODE):
        return _("Low survey score (%(score)d of 10, %(kind)s): call the customer back") % {
            "score": survey.lowest_score, "kind": survey.get_kind_display()}


def on_vehicle_delivered(sender, *, contract_id: int, customer_id: int, consultant_id: int,
                         delivered_at: dt.datetime, **kwargs) -> None:
    """delivery.signals.vehicle_delivered: the delivery survey, about the consultant."""
    # Sent after the handover committed: a failure here must not undo or fail the handover.
    try:
        contract = Contract.objects.select_related("customer__store", "consultant", "lead").get(
            pk=contract_id)
        survey_send(kind=SurveyKind.DELIVERY, customer=contract.customer,
                    staff=contract.consultant, contract=contract, now=timezone.now())
    except Exception:  # logged; customer care can still follow up by hand
        logger.exception("Delivery survey not sent for contract %s", contract_id)
