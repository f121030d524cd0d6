"""Writes of the leads stage: one function per state change, each in a transaction."""

from leads.services.capture import CaptureResult, lead_capture
from leads.services.routing import book_reassign, lead_assign, lead_route
from leads.services.work import (
    lead_approve_lost,
    lead_claim,
    lead_invite,
    lead_log_touch,
    lead_mark_test_driven,
    lead_mark_visited,
    lead_override_grade,
    lead_request_lost,
    lead_return_lost,
    lead_start_negotiation,
    lead_win,
)

__all__ = [
    "CaptureResult", "book_reassign", "lead_approve_lost", "lead_assign", "lead_capture",
    "lead_claim", "lead_invite", "lead_log_touch", "lead_mark_test_driven",
    "lead_mark_visited", "lead_override_grade", "lead_request_lost", "lead_return_lost",
    "lead_route", "lead_start_negotiation", "lead_win",
]
