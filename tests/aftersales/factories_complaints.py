"""Builders of the complaint tests (no tests here): complaints recorded through the real
intake service, at a chosen moment (the clock is the outside world), and moved on
through the real transitions."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone

from aftersales.enums import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintDepartment,
    ComplaintSeverity,
)
from aftersales.models import Complaint
from aftersales.services import complaints as services

# A Monday morning in Shanghai (01:00 UTC = 09:00 store time).
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def at(moment: dt.datetime):
    """The clock stands at `moment` inside the block. Never inside the threads of a race:
    threads that patch and restore one attribute out of order leave it patched for every
    later test; set the clock once around `race()`."""
    return mock.patch.object(timezone, "now", return_value=moment)


def complaint_values(**fields) -> dict:
    """A typical complaint's fields, `fields` overriding them."""
    return {"channel": ComplaintChannel.PHONE, "category": ComplaintCategory.AFTER_SALES,
            "severity": ComplaintSeverity.MEDIUM, "department": ComplaintDepartment.SERVICE,
            "summary": "空调异响", "description": "提车后空调出风口有异响。",
            "contract": None} | fields


def complaint_record(actor, customer, *, received_at: dt.datetime = T0,
                     now: dt.datetime | None = None, **fields) -> Complaint:
    """A complaint recorded by `actor` at `now` (default: when it was received)."""
    values = complaint_values(**fields)
    with at(now or received_at):
        return services.complaint_create(actor=actor, customer=customer,
                                         received_at=received_at, **values)


def complaint_step(actor, complaint: Complaint, step: str, *, now: dt.datetime) -> Complaint:
    """Move the complaint on by one transition at `now`, with typical texts."""
    with at(now):
        if step == "respond":
            return services.complaint_respond(actor=actor, complaint=complaint,
                                              note="已致电客户，约定到店检查。")
        if step == "propose":
            return services.complaint_propose(actor=actor, complaint=complaint,
                                              proposal="免费更换鼓风机。")
        if step == "resolve":
            return services.complaint_resolve(
                actor=actor, complaint=complaint, resolution="已更换鼓风机。",
                cause_analysis="鼓风机轴承批次缺陷。", corrective_action="同批次库存车全检。")
        if step == "close":
            return services.complaint_close(actor=actor, complaint=complaint,
                                            customer_feedback="满意，异响消失。",
                                            customer_satisfied=True)
        if step == "reopen":
            return services.complaint_reopen(actor=actor, complaint=complaint,
                                             customer_words="又响了。")
    raise ValueError(step)
