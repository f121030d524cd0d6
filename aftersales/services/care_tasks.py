"""Care tasks: the follow-ups customer care works outside the care plan. Opened by other
after-sales services (a low survey score, a complaint's follow-up) and by customer care."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from aftersales.enums import CareTaskKind
from aftersales.models import CareTask, Complaint, Survey
from dealership.enums import AuditAction
from dealership.models import Customer, User
from dealership.services.audit import audit_log


def care_task_open(
    *, customer: Customer, kind: str, title: str, due_on: dt.date,
    actor: User | None = None, assignee: User | None = None, survey: Survey | None = None,
    complaint: Complaint | None = None,
) -> CareTask:
    """Open a follow-up for customer care (or `assignee`). A survey opens at most one:
    the same survey again returns its task (the one-to-one decides a race).

    Side effects: the task row and its audit row.
    """
    if kind not in CareTaskKind.values:
        raise ValueError(kind)
    with transaction.atomic():
        if survey is not None and (known := CareTask.objects.filter(survey=survey).first()):
            return known
        try:
            with transaction.atomic():
                task = CareTask.objects.create(
                    store_id=customer.store_id, customer=customer, kind=kind,
                    title=title[:200], due_on=due_on, assignee=assignee, survey=survey,
                    complaint=complaint, created_by=actor, created_at=timezone.now())
        except IntegrityError:
            if survey is None:
                raise
            return CareTask.objects.get(survey=survey)
        audit_log(actor=actor, instance=task, action=AuditAction.CREATE,
                  changes={"kind": [None, kind], "title": [None, task.title]})
    return task
