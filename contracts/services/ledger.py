"""The only writes on the payments ledger. Contracts record the deposit taken at signing and
open the refund a cancelled contract owes; finance (the delivery stage's finance desk)
confirms payments and settles refunds. Each write locks its row, so two clicks (or two
cashiers) give one change and one clear refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.enums import PaymentChannel, PaymentKind, RefundStatus
from contracts.models import Contract, Payment, RefundObligation
from contracts.permissions import can_cancel_contract, can_handle_payments, can_work_contract
from contracts.selectors.ledger import receipt_number_in_use
from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.services.audit import audit_log


def _receipt_taken() -> str:
    return _("This receipt number is already in the ledger.")


def _when(moment: dt.datetime, store: Store) -> str:
    # The store's clock, not the process's: a task or the shell has no store time zone.
    return timezone.localtime(moment, store.tzinfo).strftime("%Y-%m-%d %H:%M")


def _create_unique_receipt(**fields) -> Payment:
    """A payment row whose receipt number another cashier may be writing at this instant:
    the unique constraint refuses the second one, inside a savepoint so the caller's
    transaction stays usable."""
    try:
        with transaction.atomic():
            return Payment.objects.create(**fields)
    except IntegrityError:
        raise ValidationError({"receipt_number": [_receipt_taken()]}) from None


# --- Written by the contracts stage -------------------------------------------------------
def payment_record_deposit(*, actor: User, contract: Contract, channel: str,
                           receipt_number: str, received_at: dt.datetime) -> Payment:
    """The deposit the customer paid at signing, waiting for finance's confirmation. Runs
    inside the signing's transaction (contracts.services.contracts.contract_sign), which
    has checked the channel and the receipt number; a receipt number taken at this
    instant by another signing raises ValidationError, which rolls the signing back."""
    if not can_work_contract(actor, contract):
        raise PermissionDenied
    if channel not in PaymentChannel.values:
        raise ValueError(f"unknown payment channel: {channel!r}")
    return _create_unique_receipt(
        store_id=contract.store_id, contract=contract, kind=PaymentKind.DEPOSIT,
        channel=channel, amount=contract.deposit_amount, receipt_number=receipt_number,
        received_at=received_at, recorded_by=actor)


def refund_obligation_open(*, actor: User, contract: Contract, amount: Decimal,
                           reason: str) -> RefundObligation:
    """What a cancelled contract owes back, for finance to settle. Runs inside the
    cancellation's transaction (contracts.services.contracts.contract_cancel)."""
    if not can_cancel_contract(actor, contract):
        raise PermissionDenied
    return RefundObligation.objects.create(store_id=contract.store_id, contract=contract,
                                           amount=amount, reason=reason, created_by=actor)


# --- Written by finance -------------------------------------------------------------------
def payment_confirm(*, actor: User, payment: Payment) -> Payment:
    """Finance has seen the money arrive. Side effects: an audit row. A payment confirmed
    already is refused with who confirmed it, and nothing changes."""
    if not can_handle_payments(actor, payment.store_id):
        raise PermissionDenied
    with transaction.atomic():
        # Not select_related("confirmed_by"): a request that waited for the lock gets the
        # winner's row with the join made before the wait, i.e. no confirmer.
        locked = (Payment.objects.select_for_update(of=("self",))
                  .select_related("contract", "store").get(pk=payment.pk))
        if locked.confirmed_at is not None:
            raise ValidationError(
                _("This payment was already confirmed by %(who)s at %(when)s.")
                % {"who": locked.confirmed_by.get_full_name() if locked.confirmed_by else "—",
                   "when": _when(locked.confirmed_at, locked.store)})
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes={
            "confirmed_at": [None, locked.confirmed_at.isoformat()],
            "confirmed_by": [None, {"id": actor.pk, "label": str(actor)}]})
    return locked


def _settle_errors(channel: str, receipt_number: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if channel not in PaymentChannel.values:
        errors["channel"] = [_("How was the money paid back?")]
    if not receipt_number:
        errors["receipt_number"] = [_("Enter the refund's receipt or transfer number.")]
    return errors


def refund_settle(*, actor: User, refund: RefundObligation, channel: str,
                  receipt_number: str) -> RefundObligation:
    """The store paid the customer back. Side effects: a refund payment in the ledger
    (recorded and confirmed by `actor`), the obligation marked paid, audit rows. A refund
    settled already is refused with who settled it, and nothing changes."""
    if not can_handle_payments(actor, refund.store_id):
        raise PermissionDenied
    receipt_number = receipt_number.strip()
    errors = _settle_errors(channel, receipt_number)
    with transaction.atomic():
        # Not select_related("settled_by"), as in payment_confirm.
        locked = (RefundObligation.objects.select_for_update(of=("self",))
                  .select_related("contract", "store").get(pk=refund.pk))
        if locked.status != RefundStatus.DUE:
            raise ValidationError(
                _("This refund was already paid by %(who)s at %(when)s.")
                % {"who": locked.settled_by.get_full_name() if locked.settled_by else "—",
                   "when": (_when(locked.settled_at, locked.store) if locked.settled_at
                            else "—")})
        if not errors and receipt_number_in_use(store_id=locked.store_id,
                                                receipt_number=receipt_number):
            errors["receipt_number"] = [_receipt_taken()]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        payment = _create_unique_receipt(
            store_id=locked.store_id, contract=locked.contract, kind=PaymentKind.REFUND,
            channel=channel, amount=locked.amount, receipt_number=receipt_number,
            received_at=now, recorded_by=actor, confirmed_by=actor, confirmed_at=now)
        locked.status = RefundStatus.PAID
        locked.settled_by = actor
        locked.settled_at = now
        locked.save(update_fields=["status", "settled_by", "settled_at"])
        audit_log(actor=actor, instance=payment, action=AuditAction.CREATE, changes={
            "kind": [None, payment.kind], "amount": [None, str(payment.amount)],
            "channel": [None, channel], "receipt_number": [None, receipt_number]})
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [RefundStatus.DUE, RefundStatus.PAID]},
                  reason=receipt_number)
    return locked
