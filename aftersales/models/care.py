"""The care plan after delivery (seed 004 回访; seed 003 7天 / 30天): the store's schedule,
one plan per delivered contract with its steps, and the follow-up tasks customer care
works outside the plan (a low survey score, a complaint's follow-up)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.enums import (
    CareChannel,
    CareStepKind,
    CareStepStatus,
    CareTaskKind,
    CareTaskStatus,
)
from dealership.models.audit import Audited

# The store's own words (data it edits), in the language its customers read; the
# placeholders are leads.messaging.message_render's {name}, {store} and {consultant}.
DEFAULT_THANK_YOU_SCRIPT = ("您好{name}，我是{store}的{consultant}。感谢您选择我们，新车用得"
                            "还顺心吗？功能和手机互联都会用了吗？有任何问题随时联系我。")
DEFAULT_USAGE_TIPS = ("{name}您好，{store}提醒您：新车磨合期请避免急加速和长时间高速行驶，"
                      "按时检查胎压。回复T退订。")
DEFAULT_FIRST_MAINTENANCE = ("{name}您好，您的爱车即将到达首次保养时间，{store}已为您预留"
                             "保养工位，欢迎致电预约。回复T退订。")


class CareSettings(Audited):
    """A store's after-sales settings: the care schedule (days after delivery), the message
    templates and the call script, the first-maintenance interval, the survey link's life
    and the points a referral earns. One row per store, created with the defaults."""

    AUDIT_FIELDS = ("thank_you_day", "usage_tips_day", "first_maintenance_day",
                    "thank_you_script", "usage_tips_template", "first_maintenance_template",
                    "first_maintenance_km", "maintenance_interval_days",
                    "maintenance_interval_km", "survey_valid_days", "referral_points")

    store = models.OneToOneField("dealership.Store", on_delete=models.CASCADE,
                                 related_name="care_settings", verbose_name=_("store"))
    thank_you_day = models.PositiveSmallIntegerField(
        _("thank-you call (days after delivery)"), default=1,
        validators=[MinValueValidator(0), MaxValueValidator(30)])
    usage_tips_day = models.PositiveSmallIntegerField(
        _("usage tips (days after delivery)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    first_maintenance_day = models.PositiveSmallIntegerField(
        _("first-maintenance reminder (days after delivery)"), default=30,
        validators=[MinValueValidator(7), MaxValueValidator(180)])
    thank_you_script = models.TextField(
        _("thank-you call script"), max_length=2000,
        default=DEFAULT_THANK_YOU_SCRIPT)
    usage_tips_template = models.TextField(
        _("usage tips message"), max_length=500,
        default=DEFAULT_USAGE_TIPS)
    first_maintenance_template = models.TextField(
        _("first-maintenance reminder message"), max_length=500,
        default=DEFAULT_FIRST_MAINTENANCE)
    first_maintenance_km = models.PositiveIntegerField(
        _("first maintenance at (km)"), default=5000,
        validators=[MinValueValidator(500), MaxValueValidator(20000)])
    maintenance_interval_days = models.PositiveSmallIntegerField(
        _("maintenance interval (days)"), default=180,
        validators=[MinValueValidator(30), MaxValueValidator(730)])
    maintenance_interval_km = models.PositiveIntegerField(
        _("maintenance interval (km)"), default=10000,
        validators=[MinValueValidator(1000), MaxValueValidator(50000)])
    survey_valid_days = models.PositiveSmallIntegerField(
        _("survey link valid for (days)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    referral_points = models.PositiveIntegerField(
        _("points for a referral that buys"), default=2000,
        validators=[MinValueValidator(1), MaxValueValidator(100000)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("after-sales settings")
        verbose_name_plural = _("after-sales settings")

    def __str__(self) -> str:
        return str(self.store)


class CarePlan(models.Model):
    """The care after one delivered contract, started by delivery's `vehicle_delivered`."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    # One per contract: the unique (store, contract) below.
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="care_plan", verbose_name=_("contract"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="care_plans", verbose_name=_("customer"))
    vehicle = models.ForeignKey("dealership.StockVehicle", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("vehicle"))
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("consultant"))
    delivered_at = models.DateTimeField(_("delivered"))
    delivered_on = models.DateField(_("delivery day"))  # the store's day of delivered_at
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        ordering = ["-delivered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "contract"],
                                    name="care_plan_one_per_contract"),
        ]
        indexes = [models.Index(fields=["store", "-delivered_on"], name="care_plan_store_idx")]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.delivered_on}"


class CareStep(models.Model):
    """One step of a plan: a call (a task for the consultant or customer care) or a
    message (queued through the outbox, consent respected). Done or skipped with an
    outcome; `due` once its store day has come (the daily job)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="steps",
                             verbose_name=_("care plan"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="care_steps", verbose_name=_("customer"))
    kind = models.CharField(_("step"), max_length=20, choices=CareStepKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CareChannel.choices)
    due_on = models.DateField(_("due"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="care_steps",
                                 verbose_name=_("assigned to"))
    status = models.CharField(_("status"), max_length=10, choices=CareStepStatus.choices,
                              default=CareStepStatus.SCHEDULED)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    message = models.ForeignKey("leads.OutboundMessage", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("message"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("done by"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("care step")
        verbose_name_plural = _("care steps")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "plan", "kind"],
                                    name="care_step_once_per_plan"),
            models.CheckConstraint(
                condition=Q(status__in=("scheduled", "due")) | Q(done_at__isnull=False),
                name="care_step_closed_has_time"),
        ]
        indexes = [
            models.Index(fields=["store", "status", "due_on"], name="care_step_open_idx"),
            models.Index(fields=["store", "assignee", "status", "due_on"],
                         name="care_step_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.status in (CareStepStatus.SCHEDULED, CareStepStatus.DUE)


class CareTask(models.Model):
    """A follow-up outside the plan: a low survey score (one per survey, opened at once),
    a complaint's follow-up call, or one typed by customer care."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="care_tasks", verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=20, choices=CareTaskKind.choices)
    title = models.CharField(_("what to do"), max_length=200)
    survey = models.OneToOneField("aftersales.Survey", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="care_task",
                                  verbose_name=_("survey"))
    complaint = models.ForeignKey("aftersales.Complaint", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="care_tasks",
                                  verbose_name=_("complaint"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="care_tasks",
                                 verbose_name=_("assigned to"))
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=CareTaskStatus.choices,
                              default=CareTaskStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("care task")
        verbose_name_plural = _("care tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | Q(done_at__isnull=False),
                                   name="care_task_done_has_time"),
        ]
        indexes = [models.Index(fields=["store", "status", "due_on"], name="care_task_open_idx")]

    def __str__(self) -> str:
        return self.title
