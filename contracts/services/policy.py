"""The store's discount policy (三级议价): the tiers' limits, the floor, how long a quote
holds, the standard contract terms. Only the administrator changes it."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import DiscountPolicy
from contracts.permissions import can_edit_discount_policy
from dealership.models import User
from dealership.money import HUNDRED, ZERO, fen
from dealership.services.audit import audit_changes

EDITABLE_FIELDS = ("consultant_limit", "supervisor_limit", "floor_pct", "quote_valid_days",
                   "contract_terms", "show_purchase_tax")
DECIMAL_FIELDS = ("consultant_limit", "supervisor_limit", "floor_pct")
MAX_VALID_DAYS = 90


def _errors(policy: DiscountPolicy) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if policy.consultant_limit < ZERO:
        errors["consultant_limit"] = [_("Enter an amount of zero or more.")]
    if policy.supervisor_limit < policy.consultant_limit:
        errors["supervisor_limit"] = [_(
            "A supervisor may give at least as much as a consultant (¥%(limit)s).")
            % {"limit": f"{policy.consultant_limit:,.2f}"}]
    if not ZERO < policy.floor_pct <= HUNDRED:
        errors["floor_pct"] = [_("The floor is a percentage above 0 and up to 100.")]
    if not 1 <= policy.quote_valid_days <= MAX_VALID_DAYS:
        errors["quote_valid_days"] = [_("A quote is valid for 1 to %(max)s days.")
                                      % {"max": MAX_VALID_DAYS}]
    return errors


def discount_policy_update(*, actor: User, policy: DiscountPolicy, **values) -> DiscountPolicy:
    """Change some of the policy's fields. Side effects: an audit row listing what changed
    (none when nothing did). Quotes already saved keep the tier they were given."""
    if not can_edit_discount_policy(actor):
        raise PermissionDenied
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    for name in DECIMAL_FIELDS:
        if values.get(name) is not None:
            values[name] = fen(Decimal(values[name]))
    if "contract_terms" in values:
        values["contract_terms"] = "\n".join(
            line.strip() for line in values["contract_terms"].strip().splitlines()
            if line.strip())
    with transaction.atomic():
        # A store still on the defaults gets its row now.
        DiscountPolicy.objects.get_or_create(store_id=policy.store_id)
        locked = DiscountPolicy.objects.select_for_update().get(store_id=policy.store_id)
        for name, value in values.items():
            setattr(locked, name, value)
        errors = _errors(locked)
        if errors:
            raise ValidationError(errors)
        locked.save(update_fields=[*values, "updated_at"])
        audit_changes(actor=actor, instance=locked)
    return locked
