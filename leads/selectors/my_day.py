"""The consultant's day: what changed since their last visit, overdue and due leads, open
tasks, unread notifications, customers."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from dealership.models import User
from dealership.selectors import customer_scope_for_user
from leads.enums import ACTIVE_STATUSES
from leads.models import Lead, Notification, Task
from leads.selectors.leads import with_overdue


def my_day_for_user(*, user: User, day: dt.date, cap: int = 20,
                    now: dt.datetime | None = None) -> dict:
    """A consultant's day: overdue leads first, then due by the end of `day` (the store's,
    in the active time zone), open tasks, unread notifications, and their customers; each
    list capped, each with its full count; and the notifications that arrived since the
    consultant last opened the page (`user.my_day_seen_at`; on a first visit ever, the
    unread ones). The selector of the leads panels of "my day".

    A fixed number of queries whatever the size of the book; the lead panels read the
    consultant's open leads due by the end of the store's day (`lead_open_owner_idx`,
    `lead_owner_list_idx`), never their closed history.
    """
    now = now or timezone.now()
    _start, end_of_day = user.store.day_bounds(day)
    mine = Lead.objects.filter(store_id=user.store_id, owner=user, open=True,
                               follow_up_due_at__lt=end_of_day, status__in=ACTIVE_STATUSES)
    overdue = Q(follow_up_due_at__lt=now)
    due_today = Q(follow_up_due_at__gte=now, follow_up_due_at__lt=end_of_day)
    counts = mine.aggregate(overdue=Count("pk", filter=overdue),
                            due_today=Count("pk", filter=due_today))
    rows = mine.select_related("customer", "campaign")
    tasks = (Task.objects.filter(assignee=user, done_at__isnull=True)
             .select_related("lead__customer").order_by("due_on", "id"))
    notifications = (Notification.objects.for_user(user).filter(read_at__isnull=True)
                     .select_related("lead__customer").order_by("-created_at", "-id"))
    seen_at = user.my_day_seen_at
    since = (Notification.objects.for_user(user).filter(created_at__gt=seen_at) if seen_at
             else Notification.objects.for_user(user).filter(read_at__isnull=True))
    since = since.select_related("lead__customer").order_by("-created_at", "-id")
    customers = customer_scope_for_user(user)
    return {
        "counts": counts,
        "overdue": list(with_overdue(rows.filter(overdue), now)
                        .order_by("follow_up_due_at", "id")[:cap]),
        "due_today": list(rows.filter(due_today).order_by("follow_up_due_at", "id")[:cap]),
        # One row more than shown tells whether a "see all" link is needed.
        "tasks": list(tasks[:cap + 1]),
        "notifications": list(notifications[:cap + 1]),
        "since_last_visit": list(since[:cap + 1]),
        "last_visit_at": seen_at,
        "customer_count": customers.count(),
        "recent_customers": list(customers.order_by("-created_at", "-id")[:10]),
        "cap": cap,
    }
