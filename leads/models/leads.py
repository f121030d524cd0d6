from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.timeline import timeline_kind_choices
from leads.enums import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    FUNNEL,
    ONLINE_CHANNELS,
    Channel,
    Grade,
    LeadStatus,
    LostReason,
    LostRequestStatus,
    PurchaseWindow,
    TaskKind,
    TouchKind,
    TouchOutcome,
)


class LeadQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    # The stored flag (generated from the status), not the statuses: the partial
    # indexes on open leads serve a filter on it.
    def open(self):
        return self.filter(open=True)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overdue(self, now=None):
        """Open leads whose cadence or first-contact deadline has passed."""
        return self.filter(status__in=ACTIVE_STATUSES, follow_up_due_at__lt=now or timezone.now())

    def in_pool(self):
        return self.filter(owner__isnull=True, open=True)


class Lead(models.Model):
    """One enquiry of one customer, worked by its owner until it is won or lost."""

    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT,
                              related_name="leads", verbose_name=_("store"))
    customer = models.ForeignKey("dealership.Customer", on_delete=models.PROTECT,
                                 related_name="leads", verbose_name=_("customer"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="leads",
                              verbose_name=_("consultant"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    campaign = models.ForeignKey("leads.Campaign", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="leads",
                                 verbose_name=_("campaign"))
    purchase_window = models.CharField(_("purchase window"), max_length=4, blank=True,
                                       choices=PurchaseWindow.choices)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    grade_overridden = models.BooleanField(_("grade set by hand"), default=False)
    model_interest = models.CharField(_("model of interest"), max_length=100, blank=True)
    budget_min = models.PositiveIntegerField(_("budget from (CNY)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget up to (CNY)"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices,
                              default=LeadStatus.NEW)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    first_touch_at = models.DateTimeField(_("first touch"), null=True, blank=True)
    last_touch_at = models.DateTimeField(_("last touch"), null=True, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    # When the next touch is due: the first-contact SLA for new online leads, then the
    # grade's cadence (or the agreed follow-up date if sooner). Past it, the lead is overdue.
    follow_up_due_at = models.DateTimeField(_("follow-up due"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # First-contact escalation ladder: 0 none, 1 owner reminded, 2 supervisor alerted,
    # 3 reassigned. Only ever moves up, so a job re-run changes nothing.
    sla_step = models.PositiveSmallIntegerField(default=0, editable=False,
                                                validators=[MaxValueValidator(3)])
    dormant_at = models.DateTimeField(_("dormant since"), null=True, blank=True)
    pooled_at = models.DateTimeField(_("in the pool since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=30, blank=True,
                                   choices=LostReason.choices)
    # Open (not won or lost), kept by the database from `status`: the lists sort on it and
    # its indexes lead with it, so a screen of open work reads open rows only, however
    # long the store's history. (`is_open`, the predicate, answers from `status` in memory.)
    open = models.GeneratedField(
        expression=Case(When(status__in=CLOSED_STATUSES, then=Value(False)),
                        default=Value(True)),
        output_field=models.BooleanField(), db_persist=True, editable=False)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True) | Q(budget_max__isnull=True)
                | Q(budget_min__lte=F("budget_max")),
                name="lead_budget_min_le_max",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.LOST) | ~Q(lost_reason=""),
                name="lead_lost_has_reason",
            ),
        ]
        indexes = [
            # The lead list's order (open first, most urgent due date, newest): the store's
            # list and a consultant's own list walk these in order and stop at the page.
            models.Index(F("store"), F("open").desc(), F("follow_up_due_at"),
                         F("created_at").desc(), F("id").desc(), name="lead_list_idx"),
            models.Index(F("store"), F("owner"), F("open").desc(), F("follow_up_due_at"),
                         F("created_at").desc(), F("id").desc(), name="lead_owner_list_idx"),
            # Boards and routing count open leads per consultant: open rows only. Grade and
            # due time are in the index so the team board's figures are index-only reads.
            models.Index(fields=["store", "owner", "status", "grade", "follow_up_due_at"],
                         condition=Q(open=True), name="lead_open_owner_idx"),
            # The team board's first-contact breaches: a consultant's online leads of the
            # month, a range read from the index alone (it holds the first touch).
            models.Index(fields=["store", "owner", "created_at", "first_touch_at"],
                         condition=Q(channel__in=ONLINE_CHANNELS), name="lead_online_touch_idx"),
            # The team board's overdue list: worked (not dormant) leads in due order, so it
            # stops at its first rows instead of stepping over the store's dormant ones.
            models.Index(fields=["store", "follow_up_due_at", "id"],
                         condition=Q(status__in=ACTIVE_STATUSES), name="lead_active_due_idx"),
            # The pool: open leads nobody owns, in the order the pool shows them (an
            # ascending index puts NULLs last on PostgreSQL, as the pool does).
            models.Index(fields=["store", "pooled_at", "id"],
                         condition=Q(open=True, owner__isnull=True), name="lead_pool_idx"),
            models.Index(fields=["store", "owner", "status"], name="lead_owner_status_idx"),
            models.Index(fields=["store", "status", "follow_up_due_at"], name="lead_due_idx"),
            models.Index(fields=["store", "status", "last_touch_at"], name="lead_touch_idx"),
            # A period's leads (the §3 counts, new leads per consultant, by channel): an
            # index-only range on PostgreSQL; read backwards it serves newest-first too.
            models.Index(fields=["store", "created_at"], name="lead_period_idx",
                         include=["owner", "channel", "status", "customer", "first_touch_at"]),
            models.Index(fields=["store", "channel", "created_at"], name="lead_channel_idx"),
            models.Index(fields=["store", "customer", "status"], name="lead_customer_idx"),
            # Reports: the leads closed in a period (lost reasons), a range on closed_at.
            models.Index(fields=["store", "status", "closed_at"], name="lead_closed_idx"),
            # The escalation ladder and the overdue flag look only at these few rows: worked
            # leads, so the closed history stays out. The jobs read every store at once, a
            # scan of these small indexes; the store first for distribution by store.
            models.Index(fields=["store", "created_at"],
                         condition=Q(first_touch_at__isnull=True, status__in=ACTIVE_STATUSES),
                         name="lead_untouched_idx"),
            models.Index(fields=["store", "follow_up_due_at"],
                         condition=Q(overdue_notified_at__isnull=True,
                                     status__in=ACTIVE_STATUSES),
                         name="lead_overdue_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_channel_display()}"

    def get_absolute_url(self) -> str:
        return reverse("leads:detail", kwargs={"pk": self.pk})

    # Pure predicates the services ask before a transition.
    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def is_online(self) -> bool:
        from leads.enums import ONLINE_CHANNELS

        return self.channel in ONLINE_CHANNELS

    def can_advance_to(self, status: str) -> bool:
        """The funnel only moves forward; a dormant lead wakes up at any funnel step."""
        if status not in FUNNEL or not self.is_open:
            return False
        if self.status == LeadStatus.DORMANT:
            return True
        return FUNNEL.index(status) > FUNNEL.index(self.status)

    def is_overdue(self, now=None) -> bool:
        return (self.status in ACTIVE_STATUSES and self.follow_up_due_at is not None
                and self.follow_up_due_at < (now or timezone.now()))


class LeadIntake(models.Model):
    """An external (channel, external_id) seen by the intake API: replays get this result."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    external_id = models.CharField(max_length=64)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="intakes")
    duplicate = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "channel", "external_id"],
                                    name="lead_intake_external_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class LeadEvent(models.Model):
    """The lead's timeline and audit trail: every change, who made it, from what to what."""

    # The lead's store, copied onto the row: the table is distributed by store (Citus).
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    # Every stage's kinds, as registered (dealership.timeline): no stage named here.
    kind = models.CharField(_("what"), max_length=20, choices=timeline_kind_choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name=_("by"))
    # e.g. {"from": "new", "to": "contacted"} or {"from_owner": 3, "to_owner": 5}
    data = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("lead event")
        verbose_name_plural = _("lead events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "lead", "-created_at"],
                                name="lead_event_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.lead_id}"


class Touch(models.Model):
    """A follow-up: a call, message, visit or email, with its outcome."""

    # The lead's store, copied onto the row: the table is distributed by store (Citus).
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touches")
    kind = models.CharField(_("how"), max_length=10, choices=TouchKind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=TouchOutcome.choices)
    note = models.TextField(_("notes"), max_length=2000, blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "lead", "-created_at"],
                                name="touch_lead_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_outcome_display()}"


class LostRequest(models.Model):
    # The lead's store, copied onto the row: the table is distributed by store (Citus).
    store = models.ForeignKey("dealership.Store", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("store"))
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="lost_requests")
    reason = models.CharField(_("reason"), max_length=30, choices=LostReason.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=LostRequestStatus.choices,
                              default=LostRequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("lost request")
        verbose_name_plural = _("lost requests")
        ordering = ["-requested_at"]
        constraints = [
            # One open request per lead: a second "lost" click waits for the first decision.
            models.UniqueConstraint(fields=["store", "lead"], condition=Q(status="pending"),
                                    name="lost_request_one_pending_per_lead"),
        ]
        indexes = [
            # The board's waiting requests, oldest first: the pending rows only, in order.
            models.Index(fields=["store", "requested_at", "id"],
                         condition=Q(status="pending"), name="lost_request_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} · {self.get_reason_display()}"


class Task(models.Model):
    """Something a consultant must do for a lead (e.g. reactivate it)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="lead_tasks")
    kind = models.CharField(_("task"), max_length=20, choices=TaskKind.choices)
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        constraints = [
            # At most one open task of a kind per lead: the daily job can run twice.
            models.UniqueConstraint(fields=["store", "lead", "kind"],
                                    condition=Q(done_at__isnull=True),
                                    name="task_one_open_per_lead_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.lead_id}"


class ConsultantRouting(models.Model):
    """A consultant's place in the store's lead round robin."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="routing")
    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    on_duty = models.BooleanField(_("on duty"), default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    # The consultant's open leads, kept by the services that give, take or close a lead
    # (leads.services.routing.routing_loads_refresh), so routing reads one row per
    # candidate instead of counting their history.
    open_leads = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("lead routing")
        verbose_name_plural = _("lead routing")

    def __str__(self) -> str:
        return str(self.user)


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The user's notifications: of their store (the indexes lead with it); group
        staff without a store read theirs by the user alone."""
        if user.store_id is None:
            return self.filter(user=user)
        return self.filter(store_id=user.store_id, user=user)


class Notification(models.Model):
    """A message to a member of staff (a lead for them, a reminder, an alert)."""

    store = models.ForeignKey("dealership.Store", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(max_length=20, choices=timeline_kind_choices)
    # A decision on something that is not a lead (a quote, a contract, a payment) links to
    # its page and names it by its number, which reads the same in every language.
    url = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "user", "read_at", "-created_at"],
                                name="notification_user_idx"),
                   # "My day"'s "since your last visit": a range on the user's newest rows,
                   # read or not, whatever the length of their history.
                   models.Index(fields=["store", "user", "-created_at"],
                                name="notification_user_new_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.get_kind_display()}"


__all__ = ["ConsultantRouting", "Lead", "LeadEvent", "LeadIntake", "LostRequest",
           "Notification", "Task", "Touch"]
