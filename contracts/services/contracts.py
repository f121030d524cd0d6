"""Contracts: one service function per transition of DESIGN §2's state machine.

    draft → in_review → approved | rejected (back to draft) → signed → delivered → closed
    cancelled from any state before delivered (a refund is owed when money was received)

Each transition locks the contract row and checks the state it starts from, so two
people clicking at once get one transition and one clear refusal. The number is given at
signing from a per-store, per-year counter row locked in the same transaction: a signing
that rolls back gives its number back, so the numbers have no gaps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from contracts.enums import (
    CANCELLABLE_CONTRACT_STATUSES,
    ContractEventKind,
    ContractStatus,
    DocumentStatus,
    LeadEventKind,
    NotificationKind,
    PaymentChannel,
    QuoteStatus,
)
from contracts.models import (
    Contract,
    ContractDocument,
    ContractEvent,
    ContractSequence,
    Quote,
    QuoteVersion,
)
from contracts.permissions import (
    can_cancel_contract,
    can_close_contract,
    can_deliver_contract,
    can_review_contract,
    can_work_contract,
    can_write_quote,
)
from contracts.selectors.ledger import balance_due, money_received, receipt_number_in_use
from contracts.services.ledger import payment_record_deposit, refund_obligation_open
from contracts.services.quotes import (
    quote_mark_contracted,
    quote_reopen,
    quote_withdraw_with_contract,
)
from contracts.signals import contract_cancelled, contract_signed
from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.money import fen
from dealership.services.audit import audit_changes, audit_created, audit_log
from dealership.tasks import task_enqueue
from dealership.validators import ensure_within, normalize_phone
from leads.services.notifications import notification_send_decision

# The Civil Code (art. 586) caps a deposit (定金) at 20 % of the contract's amount.
DEPOSIT_CAP = Decimal("0.20")
# A delivery is promised for the coming two years at most (orders from the factory take
# months, never years); the earliest is the store's today.
DELIVERY_HORIZON = dt.timedelta(days=2 * 366)
EDITABLE_FIELDS = ("buyer_name", "buyer_id_number", "buyer_phone", "buyer_address",
                   "configuration", "deposit_amount", "promised_delivery_date",
                   "promised_payment_date", "extra_terms")


# --- Helpers ------------------------------------------------------------------------------
def _locked(contract: Contract) -> Contract:
    return (Contract.objects.select_for_update(of=("self",))
            .select_related("store", "customer", "consultant", "lead")
            .get(pk=contract.pk))


def _event(contract: Contract, kind: str, *, actor: User | None, note: str = "",
           **data) -> ContractEvent:
    return ContractEvent.objects.create(store_id=contract.store_id, contract=contract, kind=kind,
                                        actor=actor, note=note, data=data)


def _notify_consultant(contract: Contract, *, actor: User, kind: str) -> None:
    """The review's decision reaches the contract's consultant, named by its number (a
    draft's "#id", as its page heads it)."""
    notification_send_decision(
        actor=actor, user=contract.consultant, store=contract.store, kind=kind,
        lead=contract.lead, url=contract.get_absolute_url(),
        subject=contract.number or f"#{contract.pk}")


def _require(contract: Contract, *states: str) -> None:
    if contract.status not in states:
        raise ValidationError(
            _("This contract is %(status)s; that step is not possible now.")
            % {"status": contract.get_status_display()})


def _move(contract: Contract, status: str, *, actor: User, reason: str = "",
          fields: tuple[str, ...] = ()) -> None:
    before = contract.status
    contract.status = status
    contract.updated_at = timezone.now()
    contract.save(update_fields=["status", "updated_at", *fields])
    audit_log(actor=actor, instance=contract, action=AuditAction.UPDATE,
              changes={"status": [before, status]}, reason=reason)
    contract.audit_reset()


def _date(value: dt.date) -> str:
    return formats.date_format(value, "Y-m-d")


def _configuration(version) -> str:
    lines = [f"{a['name']} ×{a['quantity']}" for a in version.accessories]
    lines += [p["name"] for p in version.packages]
    return "\n".join(lines)


# --- Draft --------------------------------------------------------------------------------
def contract_draft(*, actor: User, quote: Quote) -> Contract:
    """A draft contract from an approved, unexpired quote: the buyer, the vehicle and the
    price are copied, so later changes elsewhere don't alter it. The quote is then
    `contracted` and can no longer change."""
    if not can_write_quote(actor, quote=quote):
        raise PermissionDenied
    with transaction.atomic():
        # The version is read after the lock, not joined to it: see quotes._locked.
        locked = (Quote.objects.select_for_update(of=("self",))
                  .select_related("store", "customer", "consultant")
                  .get(pk=quote.pk))
        if locked.status != QuoteStatus.APPROVED:
            raise ValidationError(_("Only an approved quote becomes a contract; this one is "
                                    "%(status)s.") % {"status": locked.get_status_display()})
        today = locked.store.today()
        if locked.valid_until is not None and locked.valid_until < today:
            raise ValidationError(_("This quote expired on %(date)s; save a new version "
                                    "first.") % {"date": _date(locked.valid_until)})
        version = (QuoteVersion.objects.select_related("trim__series__brand", "colour")
                   .get(pk=locked.current_version_id))
        customer = locked.customer
        trim = version.trim
        contract = Contract(
            store=locked.store, quote=locked, quote_version=version, customer=customer,
            consultant=locked.consultant, lead_id=locked.lead_id,
            buyer_name=customer.name, buyer_id_number=customer.id_number,
            buyer_phone=customer.phone, buyer_address=customer.address,
            trim=trim, vehicle_description=f"{trim.series} {trim.model_year} {trim.name}",
            colour_name=version.colour.name if version.colour else "",
            configuration=_configuration(version),
            list_price=version.list_price, discount=version.discount,
            accessories_total=version.accessories_total,
            packages_total=version.packages_total,
            insurance_estimate=version.insurance_estimate, fees=version.fees,
            purchase_tax_included=version.purchase_tax_included,
            purchase_tax=version.purchase_tax,
            purchase_tax_relief=version.purchase_tax_relief,
            trade_in_value=version.trade_in_value, total_price=version.out_the_door,
            amount_due=version.amount_due, payment_plan=version.payment_plan,
            down_payment=version.down_payment, loan_principal=version.loan_principal,
            loan_term_months=version.loan_term_months,
            loan_annual_rate=version.loan_annual_rate,
            monthly_payment=version.monthly_payment, created_by=actor)
        contract.save()
        contract.quote = quote_mark_contracted(actor=actor, quote=locked)
        audit_created(actor=actor, instance=contract)
        _event(contract, ContractEventKind.CREATED, actor=actor,
               note=_("From quote %(number)s v%(version)s") % {
                   "number": locked.number, "version": version.number})
    return contract


def delivery_day_range(store: Store) -> tuple[dt.date, dt.date]:
    """The days a delivery may be promised for: the store's today to two years ahead."""
    today = store.today()
    return today, today + DELIVERY_HORIZON


def _edit_errors(contract: Contract, values: dict) -> dict[str, list[str]]:
    from dealership.validators import validate_id_number

    errors: dict[str, list[str]] = {}
    if "buyer_name" in values and not values["buyer_name"].strip():
        errors["buyer_name"] = [_("Enter the buyer's name.")]
    if values.get("buyer_id_number"):
        try:
            validate_id_number(values["buyer_id_number"])
        except ValidationError as error:
            errors["buyer_id_number"] = error.messages
    if "deposit_amount" in values:
        deposit = values["deposit_amount"]
        cap = fen(contract.total_price * DEPOSIT_CAP)
        if deposit is None or deposit < 0:
            errors["deposit_amount"] = [_("Enter a deposit of zero or more.")]
        elif deposit > cap:
            errors["deposit_amount"] = [_(
                "A deposit may be at most 20 %% of the contract amount (¥%(cap)s).")
                % {"cap": f"{cap:,.2f}"}]
    day = values.get("promised_delivery_date")
    if day is not None and day < contract.store.today():
        errors["promised_delivery_date"] = [_("The promised delivery date is in the past.")]
    pay_day = values.get("promised_payment_date")
    if pay_day is not None and pay_day < contract.store.today():
        errors["promised_payment_date"] = [_("The date the balance is due is in the past.")]
    return errors


def contract_update(*, actor: User, contract: Contract, **values) -> Contract:
    """Change the editable parts of a draft (buyer details, deposit, delivery date,
    configuration, additional terms)."""
    if not can_work_contract(actor, contract):
        raise PermissionDenied
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    # Later than the horizon is refused here; earlier than today by _edit_errors.
    for name in ("promised_delivery_date", "promised_payment_date"):
        ensure_within(values.get(name), latest=delivery_day_range(contract.store)[1],
                      field=name)
    if "buyer_phone" in values:
        try:
            values["buyer_phone"] = normalize_phone(values["buyer_phone"])
        except ValidationError as error:
            raise ValidationError({"buyer_phone": error.messages}) from None
    if "buyer_id_number" in values:
        values["buyer_id_number"] = (values["buyer_id_number"] or "").strip().upper()
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, ContractStatus.DRAFT)
        errors = _edit_errors(locked, values)
        if errors:
            raise ValidationError(errors)
        for name, value in values.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.updated_at = timezone.now()
        locked.save()
        if audit_changes(actor=actor, instance=locked):
            _event(locked, ContractEventKind.EDITED, actor=actor)
    return locked


# --- Review -------------------------------------------------------------------------------
def _completeness_errors(contract: Contract) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not contract.buyer_id_number:
        errors["buyer_id_number"] = [_("A contract needs the buyer's ID number.")]
    if not contract.buyer_address.strip():
        errors["buyer_address"] = [_("A contract needs the buyer's address.")]
    if contract.promised_delivery_date is None:
        errors["promised_delivery_date"] = [_("Promise a delivery date.")]
    errors.update({k: v for k, v in _edit_errors(contract, {
        "buyer_id_number": contract.buyer_id_number,
        "deposit_amount": contract.deposit_amount,
        "promised_delivery_date": contract.promised_delivery_date}).items()})
    return errors


def contract_submit(*, actor: User, contract: Contract) -> Contract:
    """draft → in_review, once the contract is complete."""
    if not can_work_contract(actor, contract):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, ContractStatus.DRAFT)
        errors = _completeness_errors(locked)
        if errors:
            raise ValidationError(errors)
        locked.submitted_at = timezone.now()
        locked.rejection_reason = ""
        _move(locked, ContractStatus.IN_REVIEW, actor=actor,
              fields=("submitted_at", "rejection_reason"))
        _event(locked, ContractEventKind.SUBMITTED, actor=actor)
    return locked


def contract_approve(*, actor: User, contract: Contract, comment: str = "") -> Contract:
    """in_review → approved, by the store's manager. Side effects: an audit row, the
    contract's event, a notification to its consultant."""
    if not can_review_contract(actor, contract):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, ContractStatus.IN_REVIEW)
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        _move(locked, ContractStatus.APPROVED, actor=actor, reason=comment.strip(),
              fields=("reviewed_by", "reviewed_at"))
        _event(locked, ContractEventKind.APPROVED, actor=actor, note=comment.strip())
        _notify_consultant(locked, actor=actor, kind=NotificationKind.CONTRACT_APPROVED)
    return locked


def contract_reject(*, actor: User, contract: Contract, reason: str) -> Contract:
    """in_review → back to draft, with the reason the consultant must fix. Side effects: an
    audit row, the contract's event, a notification to its consultant."""
    if not can_review_contract(actor, contract):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what must change before it can be "
                                           "approved.")})
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, ContractStatus.IN_REVIEW)
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.rejection_reason = reason
        _move(locked, ContractStatus.DRAFT, actor=actor, reason=reason,
              fields=("reviewed_by", "reviewed_at", "rejection_reason"))
        _event(locked, ContractEventKind.REJECTED, actor=actor, note=reason)
        _notify_consultant(locked, actor=actor, kind=NotificationKind.CONTRACT_REJECTED)
    return locked


# --- Signing ------------------------------------------------------------------------------
def contract_number_next(*, store: Store, year: int) -> tuple[int, str]:
    """The next number of the store's year, e.g. DEMO-2026-000123. Must run inside the
    signing transaction: the counter row stays locked until it commits."""
    ContractSequence.objects.bulk_create([ContractSequence(store=store, year=year)],
                                         ignore_conflicts=True)
    sequence = ContractSequence.objects.select_for_update().get(store=store, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"{store.code}-{year}-{sequence.last:06d}"


def contract_sign(
    *, actor: User, contract: Contract, customer_signed: bool, deposit_channel: str = "",
    receipt_number: str = "", language: str | None = None,
) -> Contract:
    """approved → signed: the customer signed the printed contract in front of `actor`.
    Side effects: the contract's number; the deposit in the payments ledger (finance
    confirms it); the lead won; the PDF queued for rendering once, after commit."""
    if not can_work_contract(actor, contract):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not customer_signed:
        errors["customer_signed"] = [_("Confirm that the customer has signed.")]
    receipt_number = receipt_number.strip()
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, ContractStatus.APPROVED)
        if locked.deposit_amount > 0:
            if deposit_channel not in PaymentChannel.values:
                errors["deposit_channel"] = [_("How was the deposit paid?")]
            if not receipt_number:
                errors["receipt_number"] = [_("Enter the deposit's receipt number.")]
            elif receipt_number_in_use(store_id=locked.store_id,
                                       receipt_number=receipt_number):
                errors["receipt_number"] = [_("This receipt number is already in the "
                                              "ledger.")]
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        year = timezone.localtime(now, locked.store.tzinfo).year
        locked.sequence, locked.number = contract_number_next(store=locked.store, year=year)
        locked.year = year
        locked.signed_by = actor
        locked.signed_at = now
        _move(locked, ContractStatus.SIGNED, actor=actor,
              fields=("number", "year", "sequence", "signed_by", "signed_at"))
        _event(locked, ContractEventKind.SIGNED, actor=actor, note=locked.number)
        if locked.deposit_amount > 0:
            # The ledger check above cannot see a signing of the same moment; the unique
            # receipt number can. Its refusal rolls the whole signing back, its number
            # included.
            payment_record_deposit(actor=actor, contract=locked, channel=deposit_channel,
                                   receipt_number=receipt_number, received_at=now)
            _event(locked, ContractEventKind.DEPOSIT, actor=actor,
                   note=f"¥{locked.deposit_amount:,.2f} · {receipt_number}")
        document = ContractDocument.objects.create(
            store_id=locked.store_id, contract=locked,
            language=language or translation.get_language() or "zh-hans")
        if locked.lead_id is not None and locked.lead.is_open:
            from leads.services.work import lead_win

            lead_win(lead=locked.lead, actor=actor)
        if locked.lead_id is not None:
            from leads.services.events import event

            event(locked.lead, LeadEventKind.CONTRACT, actor=actor,
                  note=_("Contract %(number)s signed") % {"number": locked.number},
                  contract=locked.pk)
        contract_signed.send(sender=Contract, contract=locked, actor=actor)
        transaction.on_commit(lambda: document_enqueue(document.pk))
    return locked


def document_enqueue(document_id: int) -> bool:
    """Queue the PDF without waiting on the broker; one that is down leaves it to the
    sweep job (`contracts.render_pending_documents`, every 5 minutes)."""
    from contracts.tasks import contract_document_render_task

    return task_enqueue(contract_document_render_task, document_id=document_id)


# --- Personal data ------------------------------------------------------------------------
def contract_reveal_pii(*, actor: User, contract: Contract):
    """Show the buyer's phone and ID number in full on the contract page, as on the
    customer page. Side effects: the view itself is audited."""
    from dealership.permissions import can_view_full_pii

    if not can_view_full_pii(actor, contract.customer):
        raise PermissionDenied
    fields = ["buyer_phone"] + (["buyer_id_number"] if contract.buyer_id_number else [])
    return audit_log(actor=actor, instance=contract, action=AuditAction.VIEW_PII,
                     changes={"fields": fields})


# --- After signing ------------------------------------------------------------------------
def contract_mark_delivered(*, actor: User, contract: Contract) -> Contract:
    """signed → delivered. Only the delivery stage's handover calls it, inside its own
    transaction and after its gate (a car allocated, the inspection passed, the money
    settled or a manager's override); no page of this stage offers it."""
    if not can_deliver_contract(actor, contract):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, ContractStatus.SIGNED)
        locked.delivered_at = timezone.now()
        _move(locked, ContractStatus.DELIVERED, actor=actor, fields=("delivered_at",))
        _event(locked, ContractEventKind.DELIVERED, actor=actor)
    return locked


def contract_close(*, actor: User, contract: Contract) -> Contract:
    """delivered → closed: nothing is left to do on it: the car is delivered and the
    customer owes nothing (the balance, derived from the ledger, is zero)."""
    if not can_close_contract(actor, contract):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, ContractStatus.DELIVERED)
        if (due := balance_due(contract=locked)) != 0:
            raise ValidationError(
                _("%(amount)s is still to be paid on this contract; it can be closed once "
                  "the balance is zero.") % {"amount": f"¥{due:,.2f}"})
        locked.closed_at = timezone.now()
        _move(locked, ContractStatus.CLOSED, actor=actor, fields=("closed_at",))
        _event(locked, ContractEventKind.CLOSED, actor=actor)
    return locked


def contract_cancel(*, actor: User, contract: Contract, reason: str) -> Contract:
    """Any state before delivered → cancelled. When money was received, a refund is owed
    (finance settles it). An unsigned contract gives its quote back (approved again); a
    signed one withdraws it."""
    if not can_cancel_contract(actor, contract):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the contract is cancelled.")})
    with transaction.atomic():
        locked = _locked(contract)
        _require(locked, *CANCELLABLE_CONTRACT_STATUSES)
        if locked.status == ContractStatus.SIGNED and not can_cancel_contract(actor, locked):
            raise PermissionDenied
        was_signed = locked.status == ContractStatus.SIGNED
        # Asked while the contract is still in the state its cancellation starts from:
        # who may cancel a signed contract (and so open its refund) is the manager.
        received = money_received(contract=locked)
        note = reason
        if received > 0:
            refund_obligation_open(actor=actor, contract=locked, amount=received,
                                   reason=reason)
            note = _("%(reason)s — ¥%(amount)s to refund") % {
                "reason": reason, "amount": f"{received:,.2f}"}
        locked.cancelled_by = actor
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        _move(locked, ContractStatus.CANCELLED, actor=actor, reason=reason,
              fields=("cancelled_by", "cancelled_at", "cancel_reason"))
        _event(locked, ContractEventKind.CANCELLED, actor=actor, note=note)
        contract_cancelled.send(sender=Contract, contract=locked, actor=actor)
        # The quote's own transition: withdrawn with a signed contract, given back
        # (approved again) with an unsigned one.
        if was_signed:
            quote_withdraw_with_contract(actor=actor, quote=locked.quote, reason=reason)
        else:
            quote_reopen(actor=actor, quote=locked.quote, reason=reason)
    return locked


__all__ = [
    "DocumentStatus", "contract_approve", "contract_cancel", "contract_close",
    "contract_draft", "contract_mark_delivered", "contract_number_next", "contract_reject",
    "contract_sign", "contract_submit", "contract_update",
]
