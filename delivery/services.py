"""Finance's writes on the payments ledger: confirming money recorded at the counter, and
paying back what a cancelled contract owes. Both lock their row, so two clicks (or two
cashiers) give one change and one clear refusal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import AuditAction, Role
from dealership.models import User
from dealership.permissions import has_role
from dealership.services.audit import audit_log
from delivery.enums import PaymentChannel, PaymentKind, RefundStatus
from delivery.models import Payment, RefundObligation


def can_handle_payments(user: User, store_id: int) -> bool:
    """The store's finance staff confirm payments and settle refunds."""
    return (has_role(user, Role.FINANCE) and user.store_id is not None
            and user.store_id == store_id)


def _when(moment, store) -> str:
    # The store's clock, not the process's: a task or the shell has no store time zone.
    return timezone.localtime(moment, store.tzinfo).strftime("%Y-%m-%d %H:%M")


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
        if not errors and Payment.objects.filter(store_id=locked.store_id,
                                                 receipt_number=receipt_number).exists():
            errors["receipt_number"] = [_("This receipt number is already in the ledger.")]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        try:
            # A savepoint: the same receipt number written at this instant by another
            # cashier fails on the unique constraint without spoiling the transaction.
            with transaction.atomic():
                payment = Payment.objects.create(
                    store_id=locked.store_id, contract=locked.contract, kind=PaymentKind.REFUND,
                    channel=channel, amount=locked.amount, receipt_number=receipt_number,
                    received_at=now, recorded_by=actor, confirmed_by=actor, confirmed_at=now)
        except IntegrityError:
            raise ValidationError({"receipt_number": [
                _("This receipt number is already in the ledger.")]}) from None
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
