"""The leads stage's periodic jobs (DESIGN §2 "Leads"; Celery beat runs them via leads.tasks).

Every job takes `now`, so tests travel in time by passing it. Every step is set-based:
one SELECT … FOR UPDATE SKIP LOCKED of at most BATCH_SIZE leads (a second worker skips
the rows the first holds, and a row the first changed no longer matches), one UPDATE of
exactly those rows that repeats the state conditions in its WHERE, then bulk INSERTs of
the timeline rows and notifications. A second run right after finds nothing to do. The
SQL each step runs is in docs/leads-jobs.md.

Per-store numbers (minutes, days, weekly limits) come from the LeadPolicy row joined in
the same statement; stores without one get the defaults inserted first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import Role
from dealership.models import Customer, Store, User
from leads.enums import (
    ACTIVE_STATUSES,
    ONLINE_CHANNELS,
    EventKind,
    LeadStatus,
    MessageChannel,
    TaskKind,
)
from leads.messaging import PURPOSE_REACTIVATION, counted_messages, message_render
from leads.models import Lead, LeadEvent, LeadPolicy, Notification, OutboundMessage, Task
from leads.services.routing import (
    lead_route,
    routing_loads_reconcile,
    routing_loads_refresh,
)

BATCH_SIZE = 1000
# A daily job stops after this many full batches; whatever is left waits for the next run.
MAX_BATCHES = 500
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)

# The ladder is for fresh leads: a day after its last step was due, an untouched lead has
# left it (the job was down, or the lead was imported with an old date). It is still
# overdue and goes dormant like any other; it is not reassigned in a sudden wave.
LADDER_GRACE = dt.timedelta(days=1)

# The kind of the "your follow-up is overdue" notification. EventKind has no own member
# for it yet; "Follow-up" is the nearest label.
OVERDUE_NOTIFICATION_KIND = EventKind.OVERDUE


class PolicyInterval(Func):
    """An integer column times a unit, as an interval: `created_at <= now - minutes·1 min`.

    PostgreSQL multiplies an integer by an interval. SQLite keeps durations as
    microseconds, which Django's date arithmetic on SQLite understands.
    """

    output_field = DurationField()

    def __init__(self, count, *, unit: dt.timedelta) -> None:
        super().__init__(count)
        self.unit = unit

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} * %s)", [*params, self.unit]

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} * %s)", [*params, self.unit // dt.timedelta(microseconds=1)]


def _policy(setting: str) -> F:
    return F(f"store__lead_policy__{setting}")


def _policy_ago(now: dt.datetime, setting: str, unit: dt.timedelta):
    """`now` minus the store's policy value in `unit`s, computed by the database per row."""
    return Value(now) - PolicyInterval(_policy(setting), unit=unit)


def ensure_policies() -> None:
    """Stores without a policy row get one with the defaults, all in one INSERT."""
    missing = Store.objects.filter(lead_policy__isnull=True).values_list("pk", flat=True)
    LeadPolicy.objects.bulk_create([LeadPolicy(store_id=pk) for pk in missing],
                                   ignore_conflicts=True)


def _lock(queryset: QuerySet[Lead], *fields: str, **expressions) -> list[dict]:
    """The next batch of matching leads, locked for this transaction.

    SKIP LOCKED: a lead another worker (or a consultant logging a touch) holds right now is
    left for the next run instead of being waited for.
    """
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values("pk", *fields, **expressions)[:BATCH_SIZE]
    )


def _in_batches(step: Callable[[], int]) -> int:
    """Run a step until a batch comes back short; the step returns how many rows it took."""
    total = 0
    for _batch in range(MAX_BATCHES):
        taken = step()
        total += taken
        if taken < BATCH_SIZE:
            break
    return total


# --- 1. First-contact escalation ladder -----------------------------------------------------
def _untouched_online(now: dt.datetime, *, below_step: int, setting: str) -> QuerySet[Lead]:
    """Online leads nobody has called yet, past the store's minutes for this step (and not
    past the ladder's end plus LADDER_GRACE)."""
    return Lead.objects.filter(
        channel__in=ONLINE_CHANNELS, status__in=ACTIVE_STATUSES, owner__isnull=False,
        first_touch_at__isnull=True, sla_step__lt=below_step,
        created_at__lte=_policy_ago(now, setting, MINUTE),
        created_at__gt=_policy_ago(now - LADDER_GRACE, "reassign_after_minutes", MINUTE),
    )


def _climb(ids: list[int], step: int) -> None:
    # The rows are locked, and the WHERE repeats the ladder's conditions anyway: a lead
    # touched or already further up is never moved.
    Lead.objects.filter(pk__in=ids, sla_step__lt=step, first_touch_at__isnull=True).update(
        sla_step=step)


def _remind_owners(now: dt.datetime) -> int:
    setting = "remind_owner_after_minutes"
    with transaction.atomic():
        rows = _lock(_untouched_online(now, below_step=1, setting=setting),
                     "store_id", "owner_id", minutes=_policy(setting))
        if not rows:
            return 0
        _climb([row["pk"] for row in rows], 1)
        LeadEvent.objects.bulk_create([
            LeadEvent(store_id=row["store_id"], lead_id=row["pk"], kind=EventKind.SLA_REMINDER,
                      created_at=now,
                      note=_("No first contact %(minutes)d minutes after the lead arrived "
                             "(rule: remind the owner).") % {"minutes": row["minutes"]},
                      data={"rule": setting, "minutes": row["minutes"],
                            "notified": [row["owner_id"]]})
            for row in rows
        ])
        Notification.objects.bulk_create([
            Notification(store_id=row["store_id"], user_id=row["owner_id"], lead_id=row["pk"],
                         kind=EventKind.SLA_REMINDER, created_at=now)
            for row in rows
        ])
    return len(rows)


def _managers_of(store_ids: set[int]) -> dict[int, list[int]]:
    managers: dict[int, list[int]] = defaultdict(list)
    if store_ids:
        for store_id, user_id in (
            User.objects.filter(store_id__in=store_ids, role=Role.MANAGER, is_active=True)
            .order_by("pk").values_list("store_id", "pk")
        ):
            managers[store_id].append(user_id)
    return managers


def _alert_supervisors(now: dt.datetime) -> int:
    setting = "alert_supervisor_after_minutes"
    with transaction.atomic():
        rows = _lock(_untouched_online(now, below_step=2, setting=setting),
                     "store_id", minutes=_policy(setting),
                     supervisor_id=F("owner__team__supervisor_id"),
                     supervisor_active=F("owner__team__supervisor__is_active"))
        if not rows:
            return 0
        for row in rows:
            row["supervised"] = bool(row["supervisor_id"] and row["supervisor_active"])
        # No active team supervisor: the store's managers hear of it instead.
        managers = _managers_of({row["store_id"] for row in rows if not row["supervised"]})
        _climb([row["pk"] for row in rows], 2)
        events, notifications = [], []
        for row in rows:
            if row["supervised"]:
                notified = [row["supervisor_id"]]
                note = _("No first contact %(minutes)d minutes after the lead arrived (rule: "
                         "alert the supervisor).")
            else:
                notified = managers[row["store_id"]]
                note = _("No first contact %(minutes)d minutes after the lead arrived (rule: "
                         "alert the supervisor; the owner has no team supervisor, so the "
                         "store's managers were alerted).")
            events.append(LeadEvent(store_id=row["store_id"], lead_id=row["pk"],
                                    kind=EventKind.SLA_ALERT, created_at=now,
                                    note=note % {"minutes": row["minutes"]},
                                    data={"rule": setting, "minutes": row["minutes"],
                                          "notified": notified}))
            notifications += [
                Notification(store_id=row["store_id"], user_id=user_id, lead_id=row["pk"],
                              kind=EventKind.SLA_ALERT, created_at=now)
                for user_id in notified
            ]
        LeadEvent.objects.bulk_create(events)
        Notification.objects.bulk_create(notifications)
    return len(rows)


def _reassign_untouched(now: dt.datetime) -> int:
    """Step 3. Routing picks one consultant at a time (round robin over locked routing
    rows), so this step loops over the leads its one SELECT returned, each in its own short
    transaction: the routing rows new leads also need are never held for long."""
    setting = "reassign_after_minutes"
    due = _untouched_online(now, below_step=3, setting=setting)
    rows = list(due.order_by("pk").values("pk", "store_id", "customer_id", "grade",
                                          minutes=_policy(setting))[:BATCH_SIZE])
    stores = Store.objects.in_bulk({row["store_id"] for row in rows})
    moved = 0
    for row in rows:
        with transaction.atomic():
            # Re-read under the row lock: touched since, or taken by another worker → skip.
            owner_id = (due.filter(pk=row["pk"]).select_for_update(skip_locked=True, of=("self",))
                        .values_list("owner_id", flat=True).first())
            if owner_id is None:
                continue
            to = lead_route(store=stores[row["store_id"]], grade=row["grade"],
                            exclude=(owner_id,))
            if to is None:
                continue  # nobody else on duty: the owner keeps it; the next run tries again
            # The SLA clock is not reset: the lead stays overdue until someone calls.
            Lead.objects.filter(pk=row["pk"]).update(owner=to, assigned_at=now, pooled_at=None,
                                                     sla_step=3)
            Customer.objects.filter(pk=row["customer_id"]).update(owner=to)
            LeadEvent.objects.create(
                store_id=row["store_id"], lead_id=row["pk"], kind=EventKind.SLA_REASSIGNED,
                created_at=now,
                note=_("No first contact %(minutes)d minutes after the lead arrived (rule: "
                       "reassign): handed to %(to)s.") % {"minutes": row["minutes"], "to": to},
                data={"rule": setting, "minutes": row["minutes"], "reason": "sla",
                      "from_owner": owner_id, "to_owner": to.pk, "notified": [to.pk]})
            Notification.objects.create(store_id=row["store_id"], user=to, lead_id=row["pk"],
                                        kind=EventKind.SLA_REASSIGNED, created_at=now)
            # lead_route counted the lead in the new owner's load; the old owner loses it.
            routing_loads_refresh(owner_ids=(owner_id,))
            moved += 1
    return moved


def escalate_first_contact(now: dt.datetime) -> dict[str, int]:
    """Online leads without a first touch climb the ladder: owner reminded (step 1),
    supervisor alerted (2), reassigned (3), at the store's minutes after arrival.

    The highest step first: a lead found late (the job was down) goes straight to the step
    its age calls for rather than through every earlier one in the same minute.
    """
    ensure_policies()
    reassigned = _reassign_untouched(now)
    alerted = _in_batches(lambda: _alert_supervisors(now))
    reminded = _in_batches(lambda: _remind_owners(now))
    return {"reminded": reminded, "alerted": alerted, "reassigned": reassigned}


# --- 2. Overdue follow-ups ------------------------------------------------------------------
def _flag_overdue_batch(now: dt.datetime) -> int:
    due = Lead.objects.filter(status__in=ACTIVE_STATUSES, owner__isnull=False,
                              follow_up_due_at__lt=now, overdue_notified_at__isnull=True)
    with transaction.atomic():
        rows = _lock(due, "store_id", "owner_id")
        if not rows:
            return 0
        Lead.objects.filter(pk__in=[row["pk"] for row in rows],
                            overdue_notified_at__isnull=True).update(overdue_notified_at=now)
        Notification.objects.bulk_create([
            Notification(store_id=row["store_id"], user_id=row["owner_id"], lead_id=row["pk"],
                         kind=OVERDUE_NOTIFICATION_KIND, created_at=now)
            for row in rows
        ])
    return len(rows)


def flag_overdue(now: dt.datetime) -> int:
    """Leads past their follow-up date tell their owner once (a touch clears the flag)."""
    return _in_batches(lambda: _flag_overdue_batch(now))


# --- 3. Dormancy ------------------------------------------------------------------------------
def _make_dormant_batch(now: dt.datetime) -> int:
    quiet = Lead.objects.alias(last_activity=Coalesce("last_touch_at", "created_at")).filter(
        status__in=ACTIVE_STATUSES,
        last_activity__lte=_policy_ago(now, "dormant_after_days", DAY))
    with transaction.atomic():
        rows = _lock(quiet, "store_id", "status", days=_policy("dormant_after_days"))
        if not rows:
            return 0
        Lead.objects.filter(pk__in=[row["pk"] for row in rows],
                            status__in=ACTIVE_STATUSES).update(status=LeadStatus.DORMANT,
                                                                dormant_at=now)
        LeadEvent.objects.bulk_create([
            LeadEvent(store_id=row["store_id"], lead_id=row["pk"], kind=EventKind.DORMANT,
                      created_at=now,
                      note=_("No touch for %(days)d days (rule: dormant after %(days)d days).")
                      % {"days": row["days"]},
                      data={"from": row["status"], "to": LeadStatus.DORMANT,
                            "rule": "dormant_after_days", "days": row["days"]})
            for row in rows
        ])
    return len(rows)


def make_dormant(now: dt.datetime) -> int:
    """Active leads untouched (or, never touched, created) longer than the store's days
    fall dormant. (A dormant lead is still open: no consultant's open-lead load changes.)"""
    ensure_policies()
    return _in_batches(lambda: _make_dormant_batch(now))


# --- 4. Reactivation --------------------------------------------------------------------------
def _reactivation_candidates(now: dt.datetime) -> QuerySet[Lead]:
    """Dormant, owned leads that still need their task, or their message (consent given,
    none sent this dormancy, under the weekly limit)."""
    task_given = Task.objects.filter(lead=OuterRef("pk"), kind=TaskKind.REACTIVATE).filter(
        Q(done_at__isnull=True) | Q(created_at__gte=OuterRef("dormant_at")))
    messaged = OutboundMessage.objects.filter(
        store=OuterRef("store_id"), customer=OuterRef("customer_id"),
        purpose=PURPOSE_REACTIVATION,
        created_at__gte=OuterRef("dormant_at"))
    recent = (counted_messages(now)
              .filter(store=OuterRef("store_id"), customer=OuterRef("customer_id")).order_by()
              .values("customer").annotate(n=Count("pk")).values("n"))
    return (
        Lead.objects.filter(status=LeadStatus.DORMANT, owner__isnull=False,
                            dormant_at__isnull=False)
        .annotate(task_given=Exists(task_given), messaged=Exists(messaged),
                  recent_messages=Coalesce(Subquery(recent, output_field=IntegerField()), 0))
        .filter(Q(task_given=False) | Q(
            customer__marketing_consent=True, messaged=False,
            recent_messages__lt=_policy("messages_per_week")))
    )


def _reactivation_batch(now: dt.datetime) -> int:
    with transaction.atomic():
        # The policy rows serialise two runs of this job: the second waits, then sees the
        # first one's tasks and messages (the NOT EXISTS above reads committed rows only).
        list(LeadPolicy.objects.select_for_update().order_by("pk").values_list("pk"))
        rows = _lock(
            _reactivation_candidates(now), "store_id", "owner_id", "customer_id", "dormant_at",
            "task_given", "messaged", "recent_messages",
            consent=F("customer__marketing_consent"), name=F("customer__name"),
            store_name=F("store__name"), store_tz=F("store__timezone"),
            owner_name=F("owner__name"), owner_username=F("owner__username"),
            limit=_policy("messages_per_week"), text=_policy("reactivation_text"),
        )
        if not rows:
            return 0
        tasks, messages, events = [], [], []
        messaged_now: set[int] = set()
        for row in rows:
            if not row["task_given"]:
                today = timezone.localdate(now, Store(timezone=row["store_tz"]).tzinfo)
                tasks.append(Task(store_id=row["store_id"], lead_id=row["pk"],
                                  assignee_id=row["owner_id"], kind=TaskKind.REACTIVATE,
                                  due_on=today, created_at=now))
            # Consent is the law here, the limit the store's courtesy; one message per
            # customer even when two of their leads fell asleep together.
            if (row["consent"] and not row["messaged"] and row["recent_messages"] < row["limit"]
                    and row["customer_id"] not in messaged_now):
                messaged_now.add(row["customer_id"])
                body = message_render(row["text"], name=row["name"], store=row["store_name"],
                                      consultant=row["owner_name"] or row["owner_username"])
                key = f"reactivation:{row['pk']}:{row['dormant_at']:%Y%m%d}"
                messages.append(OutboundMessage(
                    store_id=row["store_id"], customer_id=row["customer_id"], lead_id=row["pk"],
                    channel=MessageChannel.SMS, purpose=PURPOSE_REACTIVATION, body=body,
                    dedupe_key=key, created_at=now))
                events.append(LeadEvent(store_id=row["store_id"], lead_id=row["pk"],
                                        kind=EventKind.MESSAGE, note=body, created_at=now,
                                        data={"purpose": PURPOSE_REACTIVATION,
                                              "dedupe_key": key}))
        # ignore_conflicts: the open-task and dedupe-key constraints are the last word.
        Task.objects.bulk_create(tasks, ignore_conflicts=True)
        OutboundMessage.objects.bulk_create(messages, ignore_conflicts=True)
        LeadEvent.objects.bulk_create(events)
    return len(rows)


def queue_reactivation(now: dt.datetime) -> int:
    """Each dormant lead with an owner gets one REACTIVATE task for the owner, and its
    customer one reactivation SMS, only with marketing consent and under the weekly limit."""
    ensure_policies()
    return _in_batches(lambda: _reactivation_batch(now))


# --- 5. Back to the pool ----------------------------------------------------------------------
def _recycle_batch(now: dt.datetime) -> int:
    pool_cutoff = _policy_ago(now, "pool_after_days", DAY)
    stale = Lead.objects.filter(
        status=LeadStatus.DORMANT, owner__isnull=False, dormant_at__lte=pool_cutoff,
    ).filter(
        # A lead claimed from the pool gets the same time again with its new owner.
        Q(assigned_at__isnull=True) | Q(assigned_at__lte=pool_cutoff))
    with transaction.atomic():
        rows = _lock(stale, "store_id", "owner_id", "customer_id",
                     days=_policy("pool_after_days"))
        if not rows:
            return 0
        ids = [row["pk"] for row in rows]
        Lead.objects.filter(pk__in=ids, status=LeadStatus.DORMANT, owner__isnull=False).update(
            owner=None, pooled_at=now)
        # The customer leaves their consultant too, unless another lead still ties them.
        still_served = Lead.objects.filter(customer=OuterRef("pk"), owner__isnull=False).exclude(
            status=LeadStatus.LOST)
        Customer.objects.filter(pk__in={row["customer_id"] for row in rows}).exclude(
            Exists(still_served)).update(owner=None)
        Task.objects.filter(lead_id__in=ids, kind=TaskKind.REACTIVATE,
                            done_at__isnull=True).update(done_at=now)
        LeadEvent.objects.bulk_create([
            LeadEvent(store_id=row["store_id"], lead_id=row["pk"], kind=EventKind.POOLED,
                      created_at=now,
                      note=_("Dormant for %(days)d more days (rule: back to the pool): any "
                             "consultant of the store may claim it.") % {"days": row["days"]},
                      data={"from_owner": row["owner_id"], "rule": "pool_after_days",
                            "days": row["days"]})
            for row in rows
        ])
        routing_loads_refresh(owner_ids={row["owner_id"] for row in rows})
    return len(rows)


def recycle_to_pool(now: dt.datetime) -> int:
    """Dormant leads past the store's pool days leave their owner for the store's pool;
    each batch refreshes the open-lead loads of the owners it took leads from, in one
    statement."""
    ensure_policies()
    return _in_batches(lambda: _recycle_batch(now))


def daily_lead_housekeeping(now: dt.datetime) -> dict[str, int]:
    """The nightly run: dormancy, then reactivation of the dormant, then the pool."""
    return {"dormant": make_dormant(now), "reactivation": queue_reactivation(now),
            "pooled": recycle_to_pool(now)}


# --- 6. Routing loads -------------------------------------------------------------------------
def reconcile_routing_loads(now: dt.datetime) -> int:
    """Every consultant's open-lead load recomputed in one statement: the services keep it,
    this is the nightly safety net. Returns how many loads were wrong (0 on a second run).
    (`now` for the jobs' common signature; the count is of the present.)"""
    return routing_loads_reconcile()
