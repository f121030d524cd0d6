"""Calling a customer from their lead: the number is revealed for the call, and audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dealership.enums import AuditAction
from dealership.models import User
from dealership.services.audit import audit_log
from leads.models import Lead
from leads.permissions import can_call_lead


@transaction.atomic
def lead_call_reveal(*, actor: User, lead: Lead) -> str:
    """The customer's full number (E.164) for the lead's consultant to dial.
    Side effects: a "viewed personal data in full" audit row on the customer, naming the
    phone, the lead and the purpose (the same record the customer page's reveal writes)."""
    if not can_call_lead(actor, lead):
        raise PermissionDenied
    audit_log(actor=actor, instance=lead.customer, action=AuditAction.VIEW_PII,
              changes={"fields": ["phone"], "lead": lead.pk, "purpose": "call"})
    return lead.customer.phone
