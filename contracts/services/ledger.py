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

from contracts.enums import (
    ContractStatus,
    NotificationKind,
    PaymentChannel,
    PaymentKind,
    RefundStatus,
)
from contracts.models import Contract, Payment, RefundObligation
from contracts.permissions import can_cancel_contract, can_handle_payments, can_work_contract
from contracts.selectors.ledger import balance_due, loan_received, receipt_number_in_use
from dealership.enums import AuditAction, Role
from dealership.models import Store, User
from dealership.money import ZERO
from dealership.permissions import has_role
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from leads.services.notifications import notification_send_decision


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


def _notify_consultant(contract: Contract, *, actor: User, kind: str) -> None:
    """Finance's decision on the money reaches the contract's consultant, in the
    deciding transaction."""
    notification_send_decision(
        actor=actor, user=contract.consultant, store=contract.store, kind=kind,
        lead=contract.lead, url=contract.get_absolute_url(),
        subject=contract.number or f"#{contract.pk}")


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
    """Finance has seen the money arrive. Side effects: an audit row, a notification to the
    contract's consultant. A payment confirmed already is refused with who confirmed it,
    and nothing changes."""
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
        _notify_consultant(locked.contract, actor=actor,
                           kind=NotificationKind.PAYMENT_CONFIRMED)
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
    (recorded and confirmed by `actor`), the obligation marked paid, audit rows, a
    notification to the contract's consultant. A refund settled already is refused with
    who settled it, and nothing changes."""
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
        _notify_consultant(locked.contract, actor=actor, kind=NotificationKind.REFUND_PAID)
    return locked


# --- Money to collect: balance and loan payments (issue 11) -------------------------------
# The kinds finance records after signing; a "full payment" is a balance payment of all
# that is still due (the form's "pay the rest" prefills the amount).
COLLECTED_KINDS = (PaymentKind.BALANCE, PaymentKind.LOAN)
# A payment is taken on a contract the customer is still paying for.
PAYABLE_CONTRACT_STATUSES = (ContractStatus.SIGNED, ContractStatus.DELIVERED)
# The customer may promise to pay the balance up to two years ahead (a long factory order).
PAYMENT_DATE_HORIZON = dt.timedelta(days=2 * 366)


def _cny(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def _locked_contract(contract: Contract) -> Contract:
    """The contract's row lock orders every payment on it: the balance read after it is the
    one the new payment is checked against, so two cashiers can't both overpay."""
    return (Contract.objects.select_for_update(of=("self",)).select_related("store")
            .get(pk=contract.pk))


def payment_received_range(contract: Contract) -> tuple[dt.datetime | None, dt.datetime]:
    """When a payment on `contract` may have been received: from the start of the store's
    day the contract was signed (no money is taken on an unsigned contract) to now."""
    store = contract.store
    earliest = None
    if contract.signed_at is not None:
        earliest = store.day_bounds(timezone.localdate(contract.signed_at, store.tzinfo))[0]
    return earliest, timezone.now()


def _collect_errors(kind: str, channel: str, amount: Decimal | None, receipt_number: str,
                    received_at: dt.datetime | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in COLLECTED_KINDS:
        errors["kind"] = [_("Choose a balance payment or a loan disbursement.")]
    if channel not in PaymentChannel.values:
        errors["channel"] = [_("How was the money paid?")]
    if amount is None or amount <= 0:
        errors["amount"] = [_("Enter an amount greater than zero.")]
    if not receipt_number:
        errors["receipt_number"] = [_("Enter the receipt or transfer number.")]
    if received_at is None:
        errors["received_at"] = [_("Enter when the money was received.")]
    return errors


def payment_record(*, actor: User, contract: Contract, kind: str, channel: str,
                   amount: Decimal, receipt_number: str, received_at: dt.datetime,
                   loan_limit: Decimal | None = None) -> Payment:
    """A balance payment or a loan disbursement finance has received: recorded and
    confirmed by `actor` at once. Side effects: the payment row, an audit row.

    Refused (ValidationError naming the field, nothing written): an unknown kind or
    channel, no receipt number or one already in the store's ledger, a time in the future
    or before the contract's signing day, an amount of zero or more than the balance still
    due (the message says by how much), and, for a loan disbursement, more than
    `loan_limit` in loan payments in all (the lender's approved amount, given by the
    delivery stage, which owns loan applications). A contract that is not signed or
    delivered is refused without a field. Only the store's finance staff may record.
    """
    if not can_handle_payments(actor, contract.store_id):
        raise PermissionDenied
    receipt_number = (receipt_number or "").strip()
    errors = _collect_errors(kind, channel, amount, receipt_number, received_at)
    with transaction.atomic():
        locked = _locked_contract(contract)
        if locked.status not in PAYABLE_CONTRACT_STATUSES:
            raise ValidationError(
                _("This contract is %(status)s; no payment can be recorded on it.")
                % {"status": locked.get_status_display()})
        if "received_at" not in errors:
            earliest, latest = payment_received_range(locked)
            try:
                ensure_within(received_at, earliest=earliest, latest=latest,
                              field="received_at")
            except ValidationError as error:
                errors.update(error.message_dict)
        if "receipt_number" not in errors and receipt_number_in_use(
                store_id=locked.store_id, receipt_number=receipt_number):
            errors["receipt_number"] = [_receipt_taken()]
        if "amount" not in errors:
            due = balance_due(contract=locked)
            if due <= 0:
                errors["amount"] = [_("Nothing is left to pay on this contract.")]
            elif amount > due:
                errors["amount"] = [
                    _("This is %(excess)s more than the %(due)s still due.")
                    % {"excess": _cny(amount - due), "due": _cny(due)}]
            elif kind == PaymentKind.LOAN and loan_limit is not None:
                left = loan_limit - loan_received(contract=locked)
                if amount > left:
                    errors["amount"] = [
                        _("This is %(excess)s more than the %(left)s of the loan still to "
                          "be disbursed.") % {"excess": _cny(amount - max(left, ZERO)),
                                              "left": _cny(max(left, ZERO))}]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        payment = _create_unique_receipt(
            store_id=locked.store_id, contract=locked, kind=kind, channel=channel,
            amount=amount, receipt_number=receipt_number, received_at=received_at,
            recorded_by=actor, confirmed_by=actor, confirmed_at=now)
        audit_log(actor=actor, instance=payment, action=AuditAction.CREATE, changes={
            "kind": [None, kind], "amount": [None, str(amount)], "channel": [None, channel],
            "receipt_number": [None, receipt_number],
            "received_at": [None, received_at.isoformat()]})
    return payment


def payment_date_range(store: Store) -> tuple[dt.date, dt.date]:
    """The days a customer may promise to pay the balance by: the store's today to two
    years ahead."""
    today = store.today()
    return today, today + PAYMENT_DATE_HORIZON


def contract_payment_date_set(*, actor: User, contract: Contract,
                              day: dt.date | None) -> Contract:
    """The day the customer has promised to pay the balance by (None clears it), set by
    finance or the manager on a signed or delivered contract. Side effects: an audit row
    (none when the day is unchanged)."""
    if not (has_role(actor, Role.FINANCE, Role.MANAGER)
            and actor.store_id == contract.store_id):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked_contract(contract)
        if locked.status not in PAYABLE_CONTRACT_STATUSES:
            raise ValidationError(
                _("This contract is %(status)s; its payment date can't be changed.")
                % {"status": locked.get_status_display()})
        earliest, latest = payment_date_range(locked.store)
        ensure_within(day, earliest=earliest, latest=latest, field="promised_payment_date")
        before = locked.promised_payment_date
        if before == day:
            return locked
        locked.promised_payment_date = day
        locked.updated_at = timezone.now()
        locked.save(update_fields=["promised_payment_date", "updated_at"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes={
            "promised_payment_date": [before.isoformat() if before else None,
                                      day.isoformat() if day else None]})
        locked.audit_reset()
    return locked
