"""Reads of the store's lead policy: the policy itself and its last change."""

from __future__ import annotations

from dealership.models import AuditEntry, Store
from dealership.selectors import audit_entries_for
from leads.models import LeadPolicy


def policy_for(store: Store) -> LeadPolicy:
    policy, _created = LeadPolicy.objects.get_or_create(store=store)
    return policy


def policy_last_change(policy: LeadPolicy) -> AuditEntry | None:
    entries = list(audit_entries_for(instance=policy, limit=1))
    return entries[0] if entries else None
