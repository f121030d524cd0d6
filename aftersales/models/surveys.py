"""Satisfaction surveys after delivery and after service, answered by the customer on a
phone through a signed, single-use, expiring link (aftersales.surveys)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.enums import SurveyKind, SurveyQuestion


class Survey(models.Model):
    """One survey sent to one customer about one visit. `token` is random (unguessable);
    the link carries it signed (tamper-proof); `expires_at` and `answered_at` make it
    expiring and single-use."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="surveys", verbose_name=_("customer"))
    kind = models.CharField(_("survey"), max_length=10, choices=SurveyKind.choices)
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("contract"))
    service_record = models.OneToOneField("aftersales.ServiceRecord", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="survey",
                                          verbose_name=_("service record"))
    # Whom the answers are about: the consultant (delivery) or service advisor (service).
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="surveys_about",
                              verbose_name=_("attributed to"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    message = models.ForeignKey("leads.OutboundMessage", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    lowest_score = models.PositiveSmallIntegerField(_("lowest score"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "contract"], condition=Q(kind="delivery"),
                                    name="survey_one_per_delivery"),
            models.CheckConstraint(
                condition=(Q(kind="delivery", contract__isnull=False)
                           | Q(kind="service", service_record__isnull=False)),
                name="survey_has_its_visit"),
        ]
        indexes = [
            models.Index(fields=["store", "-answered_at"], name="survey_answered_idx"),
            models.Index(fields=["store", "staff", "-answered_at"], name="survey_staff_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id}"


class SurveyAnswer(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(_("question"), max_length=20, choices=SurveyQuestion.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(10)])

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["store", "survey", "question"],
                                    name="survey_answer_once"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=10),
                                   name="survey_score_1_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.question} · {self.score}"
