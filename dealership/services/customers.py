"""Writes to customers. Views hand cleaned form data here; nothing else saves a customer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import AuditAction
from dealership.models import AuditEntry, Customer, Store, User
from dealership.permissions import can_create_customer, can_edit_customer, can_view_full_pii
from dealership.services.audit import audit_changes, audit_created, audit_log
from dealership.services.privacy import consent_withdrawn

EDITABLE_FIELDS = ("name", "phone", "gender", "city", "address", "id_number", "wechat_id",
                   "marketing_consent", "consent_source", "note")


def _duplicate_error(customer: Customer, error: IntegrityError) -> ValidationError:
    """Say which unique value clashed, after the constraint refused the row."""
    others = Customer.objects.filter(store_id=customer.store_id).exclude(pk=customer.pk)
    existing = others.filter(phone=customer.phone).select_related("owner").first()
    if existing is not None:
        if existing.owner is not None:
            message = _("This phone number is already a customer of this store, served by "
                        "%(owner)s.") % {"owner": existing.owner}
        else:
            message = _("This phone number is already a customer of this store.")
        return ValidationError({"phone": [message]}, code="duplicate")
    if customer.id_number and others.filter(id_number=customer.id_number).exists():
        return ValidationError(
            {"id_number": [_("Another customer of this store has this ID number.")]},
            code="duplicate",
        )
    raise error


def _apply_consent(customer: Customer, *, consent: bool, source: str) -> None:
    # Consent carries its timestamp and source: when and how the customer said yes.
    if consent and not customer.consent_at:
        customer.consent_at = timezone.now()
        customer.consent_source = source or customer.consent_source
    elif not consent:
        customer.consent_at = None
        customer.consent_source = ""
    customer.marketing_consent = consent


def customer_create(*, actor: User, store: Store, data: dict[str, Any],
                    owner: User | None = None) -> Customer:
    """Create a customer. Side effects: one audit row.

    Raises ValidationError when the phone is already a customer of the store, also when
    another request created it a moment ago (the unique constraint decides).
    """
    if not can_create_customer(actor) or actor.store_id != store.pk:
        raise PermissionDenied
    customer = Customer(store=store, owner=owner)
    for name in EDITABLE_FIELDS:
        if name in data and name not in ("marketing_consent", "consent_source"):
            setattr(customer, name, data[name])
    _apply_consent(customer, consent=bool(data.get("marketing_consent")),
                   source=data.get("consent_source") or "")
    customer.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            customer.save()
            audit_created(actor=actor, instance=customer)
    except IntegrityError as error:
        raise _duplicate_error(customer, error) from None
    return customer


def customer_update(*, actor: User, customer: Customer, data: dict[str, Any]) -> Customer:
    """Change a customer's details (also the customer's correction request, PIPL Art. 46).

    Side effects: one audit row listing the changed fields; when marketing consent is
    withdrawn, what the stages had queued for the customer is stopped (same transaction).
    """
    if not can_edit_customer(actor, customer):
        raise PermissionDenied
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        had_consent = locked.marketing_consent
        for name in EDITABLE_FIELDS:
            if name in data and name not in ("marketing_consent", "consent_source"):
                setattr(locked, name, data[name])
        if "marketing_consent" in data:
            _apply_consent(locked, consent=bool(data["marketing_consent"]),
                           source=data.get("consent_source") or "")
        locked.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as error:
            raise _duplicate_error(locked, error) from None
        audit_changes(actor=actor, instance=locked)
        if had_consent and not locked.marketing_consent:
            consent_withdrawn(customer_ids=[locked.pk])
    return locked


def customer_reveal_pii(*, actor: User, customer: Customer) -> AuditEntry:
    """Show phone and ID number in full. Side effects: the view itself is audited."""
    if not can_view_full_pii(actor, customer):
        raise PermissionDenied
    fields = ["phone"] + (["id_number"] if customer.id_number else [])
    return audit_log(actor=actor, instance=customer, action=AuditAction.VIEW_PII,
                     changes={"fields": fields})
