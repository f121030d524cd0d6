"""Complaints (seed 002 投诉处理): intake from any channel, the three clocks (first
response 2 h, initial proposal 24 h, final resolution 48 h), escalation on a breach,
closure only with the customer's feedback, reopening by the customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintClock,
    ComplaintDepartment,
    ComplaintEventKind,
    ComplaintSeverity,
    ComplaintStatus,
    EscalationLevel,
)


class Complaint(models.Model):
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    # "<store code>-TS<year>-<nnnn>": a store code has up to 16 characters.
    # Unique per store; the store code in it keeps it unique across the group too.
    number = models.CharField(_("number"), max_length=32)
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="complaints", verbose_name=_("customer"))
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("contract"))
    channel = models.CharField(_("received via"), max_length=20,
                               choices=ComplaintChannel.choices)
    category = models.CharField(_("category"), max_length=20,
                                choices=ComplaintCategory.choices)
    severity = models.CharField(_("severity"), max_length=10,
                                choices=ComplaintSeverity.choices,
                                default=ComplaintSeverity.MEDIUM)
    department = models.CharField(_("owner department"), max_length=20,
                                  choices=ComplaintDepartment.choices)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("what the customer says"), max_length=4000)
    status = models.CharField(_("status"), max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="complaints_handled",
                                verbose_name=_("handled by"))
    received_at = models.DateTimeField(pgettext_lazy("complaint", "received"), default=timezone.now)
    # The clocks run from received_at, or from the latest reopening.
    clock_started_at = models.DateTimeField(_("clocks started"))
    response_due_at = models.DateTimeField(_("first response due"))
    proposal_due_at = models.DateTimeField(_("proposal due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    proposed_at = models.DateTimeField(_("proposal made"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    response_note = models.TextField(_("first response"), max_length=2000, blank=True)
    proposal = models.TextField(_("proposal"), max_length=2000, blank=True)
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True)
    cause_analysis = models.TextField(_("cause analysis"), max_length=2000, blank=True)
    corrective_action = models.TextField(_("corrective action"), max_length=2000, blank=True)
    customer_feedback = models.TextField(_("customer's feedback"), max_length=2000,
                                         blank=True)
    customer_satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalated to"), default=0)
    reopened_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["store", "status", "resolution_due_at"],
                         name="complaint_open_idx"),
            models.Index(fields=["store", "customer", "-received_at"],
                         name="complaint_customer_idx"),
            # The list (the store's, newest first).
            models.Index(fields=["store", "-received_at"], name="complaint_store_recent_idx"),
            # The board's "closed lately": a range of the closed ones, not the store's
            # whole history of closed complaints.
            models.Index(fields=["store", "-closed_at"], condition=Q(status="closed"),
                         name="complaint_closed_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="complaint_number_unique"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(customer_feedback=""),
                name="complaint_closed_has_feedback"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.summary}"


class ComplaintEvent(models.Model):
    """The complaint's history, appended by its services."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=ComplaintEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} · {self.kind}"


class ComplaintBreach(models.Model):
    """A clock that ran out, and whom it was escalated to: one row per complaint, clock,
    round (a reopening starts a new round) and level, so the escalation job can run twice."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="breaches")
    clock = models.CharField(_("deadline"), max_length=12, choices=ComplaintClock.choices)
    round = models.PositiveSmallIntegerField(default=0)
    level = models.PositiveSmallIntegerField(_("escalated to"), choices=EscalationLevel.choices)
    due_at = models.DateTimeField(_("was due"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("complaint breach")
        verbose_name_plural = _("complaint breaches")
        constraints = [
            models.UniqueConstraint(fields=["store", "complaint", "clock", "round", "level"],
                                    name="complaint_breach_once"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} · {self.clock} · {self.level}"
