from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import Powertrain
from leads.enums import PurchaseWindow
from showroom.enums import (
    CustomerType,
    DutyState,
    ObjectionType,
    Payment,
    Usage,
    VisitOutcome,
)


class DutyShift(models.Model):
    """A consultant on the floor today, and their place in the reception queue."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="shifts", verbose_name=_("consultant"))
    # Lower goes first; closing a visit moves the consultant behind everyone else.
    position = models.PositiveIntegerField(_("queue position"))
    state = models.CharField(_("state"), max_length=20, choices=DutyState.choices,
                             default=DutyState.AVAILABLE)
    state_since = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["date", "position"]
        constraints = [
            models.UniqueConstraint(fields=["store", "date", "consultant"],
                                    name="duty_one_shift_per_consultant_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} · {self.consultant}"


class Visit(models.Model):
    """A customer in the showroom: arrival, who served them, what they need, how it ended."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT,
                              related_name="visits", verbose_name=_("store"))
    customer = models.ForeignKey("dealership.Customer", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="visits",
                                 verbose_name=_("customer"))
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="visits", verbose_name=_("lead"))
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="visits",
                                   verbose_name=_("consultant"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    departed_at = models.DateTimeField(_("left"), null=True, blank=True)
    party_size = models.PositiveSmallIntegerField(
        _("party size"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)])
    first_visit = models.BooleanField(_("first visit"), default=True)
    description = models.CharField(_("how to recognise them"), max_length=100, blank=True,
                                   help_text=_("Until the phone is known, e.g. 'couple with "
                                               "a child, white SUV'."))
    # A returning customer whose own consultant is with someone else may wait for them:
    # no consultant yet; the visit is handed to them when their current visit closes.
    waiting_for = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("waiting for"))
    # How the consultant was chosen: the queue, the customer's own consultant, or the
    # receptionist's choice (with the reason).
    routed_by = models.CharField(_("assigned by"), max_length=20, blank=True)
    routing_note = models.CharField(_("reason"), max_length=200, blank=True)

    # Needs analysis (需求分析)
    usage = models.CharField(_("usage"), max_length=20, choices=Usage.choices, blank=True)
    budget_min = models.PositiveIntegerField(_("budget from (CNY)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget up to (CNY)"), null=True, blank=True)
    powertrain = models.CharField(_("powertrain"), max_length=10, choices=Powertrain.choices,
                                  blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True,
                                             validators=[MinValueValidator(2),
                                                         MaxValueValidator(9)])
    competitors = models.CharField(_("competitors considered"), max_length=200, blank=True)
    payment = models.CharField(_("cash or loan"), max_length=10, choices=Payment.choices,
                               blank=True)
    trade_in = models.BooleanField(_("has a car to trade in"), null=True, blank=True)
    trade_in_vehicle = models.CharField(_("car to trade in"), max_length=100, blank=True)
    decision_maker = models.CharField(_("who decides"), max_length=50, blank=True)
    timing = models.CharField(_("plans to buy"), max_length=4, choices=PurchaseWindow.choices,
                              blank=True)
    focus_points = models.CharField(_("focus points"), max_length=300, blank=True)
    customer_type = models.CharField(_("customer type"), max_length=20,
                                     choices=CustomerType.choices, blank=True)
    models_presented = models.ManyToManyField("dealership.Series", blank=True,
                                              related_name="+",
                                              verbose_name=_("models presented"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=VisitOutcome.choices,
                               blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(departed_at__isnull=True) | Q(departed_at__gte=F("arrived_at")),
                name="visit_leaves_after_arriving"),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True) | Q(budget_max__isnull=True)
                | Q(budget_min__lte=F("budget_max")),
                name="visit_budget_min_le_max"),
            models.CheckConstraint(
                condition=Q(consultant__isnull=True) | Q(waiting_for__isnull=True),
                name="visit_served_or_waiting"),
        ]
        indexes = [
            models.Index(fields=["store", "consultant", "-arrived_at"],
                         name="visit_consultant_idx"),
            # The desk's day (read backwards, newest first), the §3 figures and the meetings'
            # visits per consultant: one range on the store's arrivals, index-only on
            # PostgreSQL (the INCLUDE columns are ignored elsewhere).
            models.Index(fields=["store", "arrived_at"], name="visit_period_idx",
                         include=["first_visit", "customer", "consultant"]),
            # "My day"'s customers on the floor now: the few visits not yet over, not the
            # consultant's whole history of visits.
            models.Index(fields=["store", "consultant", "arrived_at"],
                         condition=Q(departed_at__isnull=True), name="visit_on_floor_idx"),
        ]

    def __str__(self) -> str:
        who = self.customer or self.description or _("Walk-in")
        return f"{who} · {timezone.localtime(self.arrived_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("showroom:visit_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.departed_at is None

    @property
    def is_waiting(self) -> bool:
        """Waiting in the showroom for their own consultant, who is with someone else."""
        return self.is_open and self.waiting_for_id is not None

    @property
    def duration(self):
        return (self.departed_at - self.arrived_at) if self.departed_at else None


class Objection(models.Model):
    """A doubt the customer raised during a visit (客户异议)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="objections")
    kind = models.CharField(_("about"), max_length=20, choices=ObjectionType.choices)
    series = models.ForeignKey("dealership.Series", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("model"))
    note = models.CharField(_("what the customer said"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.note[:30]}"


class TalkTrack(models.Model):
    """The store's answer to an objection (话术), kept by the manager."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("objection about"), max_length=20, choices=ObjectionType.choices)
    series = models.ForeignKey("dealership.Series", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("model"),
                               help_text=_("Empty: for every model."))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("talk track"), max_length=3000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("talk track")
        verbose_name_plural = _("talk tracks")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title
