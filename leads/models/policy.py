from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dealership.models import Audited
from leads.enums import Grade


class LeadPolicy(Audited):
    """A store's lead rules (DESIGN §2 defaults), editable by the manager or admin."""

    AUDIT_FIELDS = ("cadence_a_days", "cadence_b_days", "cadence_c_per_month",
                    "first_contact_minutes", "remind_owner_after_minutes",
                    "alert_supervisor_after_minutes", "reassign_after_minutes",
                    "dormant_after_days", "pool_after_days", "messages_per_week",
                    "reactivation_text")

    store = models.OneToOneField("dealership.Store", on_delete=models.CASCADE,
                                 related_name="lead_policy", verbose_name=_("store"))
    cadence_a_days = models.PositiveSmallIntegerField(
        _("touch A leads every … days"), default=1, validators=[MinValueValidator(1)])
    cadence_b_days = models.PositiveSmallIntegerField(
        _("touch B leads every … days"), default=7, validators=[MinValueValidator(1)])
    cadence_c_per_month = models.PositiveSmallIntegerField(
        _("touch C leads … times a month"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)])
    first_contact_minutes = models.PositiveSmallIntegerField(
        _("first contact of online leads within … minutes"), default=60,
        validators=[MinValueValidator(5)])
    remind_owner_after_minutes = models.PositiveSmallIntegerField(
        _("remind the owner after … minutes"), default=30, validators=[MinValueValidator(1)])
    alert_supervisor_after_minutes = models.PositiveSmallIntegerField(
        _("alert the supervisor after … minutes"), default=60, validators=[MinValueValidator(1)])
    reassign_after_minutes = models.PositiveSmallIntegerField(
        _("reassign after … minutes"), default=120, validators=[MinValueValidator(1)])
    dormant_after_days = models.PositiveSmallIntegerField(
        _("dormant after … days without a touch"), default=30, validators=[MinValueValidator(1)])
    pool_after_days = models.PositiveSmallIntegerField(
        _("back to the pool after … more days dormant"), default=30,
        validators=[MinValueValidator(1)])
    messages_per_week = models.PositiveSmallIntegerField(
        _("at most … marketing messages per customer a week"), default=2,
        validators=[MinValueValidator(1)])
    reactivation_text = models.CharField(
        _("reactivation message"), max_length=300,
        default="【{store}】{name}您好，购车补贴即将截止，欢迎回店试驾。回复T退订",
        help_text=_("Placeholders: {name} customer, {store} store, {consultant} consultant."),
    )

    class Meta:
        verbose_name = _("lead policy")
        verbose_name_plural = _("lead policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(remind_owner_after_minutes__lt=F("alert_supervisor_after_minutes"))
                & Q(alert_supervisor_after_minutes__lt=F("reassign_after_minutes")),
                name="lead_policy_escalation_in_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.store)

    def cadence(self, grade: str) -> dt.timedelta:
        """How long a lead of this grade may go without a touch."""
        if grade == Grade.A:
            return dt.timedelta(days=self.cadence_a_days)
        if grade == Grade.B:
            return dt.timedelta(days=self.cadence_b_days)
        # "C at least twice a calendar month": one touch every half month.
        return dt.timedelta(days=max(1, 30 // self.cadence_c_per_month))
