"""Money to collect, the loan and the insurance of a signed contract (issue 11, items 3–4).

The ledger's writes are the contracts stage's (contracts.services.ledger); here is what the
delivery stage adds around them: the loan application that caps a loan disbursement and
is marked disbursed when the lender has paid it all, the consultant's notification, and
the car that becomes "sold" once the money is settled. Every write is audited; a refusal
raises ValidationError (naming its field when one is to blame) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.enums import ContractStatus, PaymentKind
from contracts.models import Contract, Payment
from contracts.permissions import can_work_contract
from contracts.selectors.ledger import loan_received
from contracts.services import ledger
from dealership.enums import AuditAction, Role
from dealership.models import User
from dealership.permissions import has_role
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from delivery.enums import (
    LOAN_GRANTED_STATUSES,
    InsuranceKind,
    LeadEventKind,
    LoanDocument,
    LoanStatus,
)
from delivery.models import InsurancePolicy, LoanApplication

# A loan or a policy is arranged while the contract is being paid for.
FINANCE_CONTRACT_STATUSES = (ContractStatus.SIGNED, ContractStatus.DELIVERED)
LOAN_TERM_RANGE = (6, 96)
LOAN_RATE_RANGE = (Decimal("0"), Decimal("36"))
# An insurance policy starts at most 30 days ago (bought before the paperwork reached us)
# and at most a year ahead; it runs at most a year and a day (a one-year policy's usual
# "to midnight of the same day next year").
POLICY_START_PAST = dt.timedelta(days=30)
POLICY_START_AHEAD = dt.timedelta(days=365)


# --- Who ----------------------------------------------------------------------------------
def can_arrange_finance(user: User, contract: Contract) -> bool:
    """Apply for the loan, tick its documents, record a policy: the contract's seller (and
    their supervisor), or the store's manager or finance staff."""
    if user.store_id is None or user.store_id != contract.store_id:
        return False
    return has_role(user, Role.MANAGER, Role.FINANCE) or can_work_contract(user, contract)


def can_decide_loan(user: User, loan: LoanApplication) -> bool:
    """Record the lender's answer: the store's finance staff or manager."""
    return (has_role(user, Role.MANAGER, Role.FINANCE) and user.store_id is not None
            and user.store_id == loan.store_id)


def can_set_payment_date(user: User, contract: Contract) -> bool:
    return (has_role(user, Role.MANAGER, Role.FINANCE) and user.store_id is not None
            and user.store_id == contract.store_id)


# --- Helpers ------------------------------------------------------------------------------
def _notify_consultant(contract: Contract, kind: str) -> None:
    from leads.services.notifications import notification_send

    notification_send(store=contract.store, user=contract.consultant, kind=kind,
                      lead=contract.lead, url=contract.get_absolute_url(),
                      subject=contract.number or f"#{contract.pk}")


def _sync_sold(*, actor: User, contract: Contract) -> None:
    """The reserved car becomes sold once the money is settled (the allocation's rule)."""
    from delivery.services.allocation import vehicle_sync_sold

    vehicle_sync_sold(actor=actor, contract=contract)


def _require_status(contract: Contract, statuses=FINANCE_CONTRACT_STATUSES) -> None:
    if contract.status not in statuses:
        raise ValidationError(
            _("This contract is %(status)s; that step is not possible now.")
            % {"status": contract.get_status_display()})


def _fresh_contract(contract: Contract) -> Contract:
    return (Contract.objects.select_related("store", "consultant", "lead", "customer")
            .get(pk=contract.pk))


# --- Payments -----------------------------------------------------------------------------
def payment_collect(*, actor: User, contract: Contract, kind: str, channel: str,
                    amount: Decimal, receipt_number: str,
                    received_at: dt.datetime) -> Payment:
    """Finance records a balance payment or a loan disbursement (the ledger's
    payment_record, with its rules: finance only, no overpayment, unique receipt number,
    a received time between the signing day and now). A loan disbursement needs an
    approved loan and is capped by its amount; the one that completes it marks the loan
    disbursed. Side effects: the payment, audit rows, a PAYMENT notification to the
    consultant, and the car marked sold when the money is now settled."""
    with transaction.atomic():
        loan = None
        limit = None
        if kind == PaymentKind.LOAN:
            # The loan's row first, then the contract's (payment_record): the order every
            # writer of both takes.
            loan = (LoanApplication.objects.select_for_update(of=("self",))
                    .filter(contract_id=contract.pk).first())
            if loan is None or loan.status not in LOAN_GRANTED_STATUSES:
                raise ValidationError({"kind": [
                    _("A loan disbursement needs a loan the lender has approved.")]})
            limit = loan.amount
        payment = ledger.payment_record(
            actor=actor, contract=contract, kind=kind, channel=channel, amount=amount,
            receipt_number=receipt_number, received_at=received_at, loan_limit=limit)
        if (loan is not None and loan.status == LoanStatus.APPROVED
                and loan_received(contract=contract) >= loan.amount):
            loan.status = LoanStatus.DISBURSED
            loan.updated_at = timezone.now()
            loan.save(update_fields=["status", "updated_at"])
            audit_log(actor=actor, instance=loan, action=AuditAction.UPDATE,
                      changes={"status": [LoanStatus.APPROVED, LoanStatus.DISBURSED]},
                      reason=payment.receipt_number)
        fresh = _fresh_contract(contract)
        _notify_consultant(fresh, LeadEventKind.PAYMENT)
        _sync_sold(actor=actor, contract=fresh)
    return payment


def contract_payment_date_set(*, actor: User, contract: Contract,
                              day: dt.date | None) -> Contract:
    """The promised payment date (the ledger's service, re-exported for the views)."""
    return ledger.contract_payment_date_set(actor=actor, contract=contract, day=day)


# --- The loan -----------------------------------------------------------------------------
def _documents(documents: dict | None) -> dict[str, bool]:
    documents = documents or {}
    unknown = set(documents) - set(LoanDocument.values)
    if unknown:
        raise ValidationError({"documents": [_("Unknown documents: %(names)s.")
                                             % {"names": ", ".join(sorted(unknown))}]})
    return {value: bool(documents.get(value)) for value in LoanDocument.values}


def _loan_errors(contract: Contract, *, lender: str, amount, term_months,
                 annual_rate) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not lender:
        errors["lender"] = [_("Enter the lender (bank or finance company).")]
    if amount is None or amount <= 0:
        errors["amount"] = [_("Enter a loan amount greater than zero.")]
    elif amount > contract.amount_due:
        errors["amount"] = [_("A loan can't be more than the %(due)s to pay on the contract.")
                            % {"due": f"¥{contract.amount_due:,.2f}"}]
    low, high = LOAN_TERM_RANGE
    if term_months is None or not low <= term_months <= high:
        errors["term_months"] = [_("Enter a term between %(low)d and %(high)d months.")
                                 % {"low": low, "high": high}]
    low_rate, high_rate = LOAN_RATE_RANGE
    if annual_rate is None or not low_rate <= annual_rate <= high_rate:
        errors["annual_rate"] = [_("Enter an annual rate between %(low)s %% and %(high)s %%.")
                                 % {"low": low_rate, "high": high_rate}]
    return errors


def loan_submit(*, actor: User, contract: Contract, lender: str, amount: Decimal,
                term_months: int, annual_rate: Decimal, documents: dict | None = None,
                note: str = "") -> LoanApplication:
    """Send the contract's loan application to a lender: the first time it creates it; a
    submitted one may be corrected; a rejected one is sent again (to the same or another
    lender). An approved or disbursed loan is refused. Side effects: the row, an audit row.
    """
    if not can_arrange_finance(actor, contract):
        raise PermissionDenied
    lender = (lender or "").strip()
    note = (note or "").strip()
    with transaction.atomic():
        existing = (LoanApplication.objects.select_for_update(of=("self",))
                    .filter(contract_id=contract.pk).first())
        locked = (Contract.objects.select_for_update(of=("self",)).select_related("store")
                  .get(pk=contract.pk))
        _require_status(locked)
        errors = _loan_errors(locked, lender=lender, amount=amount, term_months=term_months,
                              annual_rate=annual_rate)
        try:
            docs = _documents(documents)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        if existing is not None and existing.status in LOAN_GRANTED_STATUSES:
            raise ValidationError(
                _("The loan is already %(status)s; it can't be sent again.")
                % {"status": existing.get_status_display()})
        now = timezone.now()
        values = {"lender": lender, "amount": amount, "term_months": term_months,
                  "annual_rate": annual_rate, "documents": docs, "note": note}
        if existing is None:
            loan = LoanApplication.objects.create(
                store_id=locked.store_id, contract=locked, status=LoanStatus.SUBMITTED,
                submitted_at=now, updated_at=now, created_by=actor, **values)
            audit_log(actor=actor, instance=loan, action=AuditAction.CREATE, changes={
                name: [None, str(value) if isinstance(value, Decimal) else value]
                for name, value in {**values, "status": LoanStatus.SUBMITTED}.items()})
            return loan
        changes = {}
        for name, value in values.items():
            before = getattr(existing, name)
            if before != value:
                changes[name] = [str(before) if isinstance(before, Decimal) else before,
                                 str(value) if isinstance(value, Decimal) else value]
                setattr(existing, name, value)
        if existing.status == LoanStatus.REJECTED:
            changes["status"] = [LoanStatus.REJECTED, LoanStatus.SUBMITTED]
            existing.status = LoanStatus.SUBMITTED
            existing.submitted_at = now
            existing.decided_at = None
            existing.decided_by = None
        if not changes:
            return existing
        existing.updated_at = now
        existing.save()
        audit_log(actor=actor, instance=existing, action=AuditAction.UPDATE, changes=changes)
    return existing


LOAN_DECISIONS = (LoanStatus.APPROVED, LoanStatus.REJECTED)


def loan_decide(*, actor: User, loan: LoanApplication, status: str,
                note: str = "") -> LoanApplication:
    """The lender's answer to a submitted application: approved or rejected (a rejection
    says why). "Disbursed" is not decided here: the loan payment that completes the amount
    marks it (payment_collect). Side effects: the row, an audit row; on approval, a
    notification to the consultant and the car marked sold if the customer's part is paid.
    A decision already taken is refused with who took it."""
    if not can_decide_loan(actor, loan):
        raise PermissionDenied
    note = (note or "").strip()
    if status not in LOAN_DECISIONS:
        raise ValidationError({"status": [_("Choose approved or rejected.")]})
    if status == LoanStatus.REJECTED and not note:
        raise ValidationError({"note": [_("Say why the lender rejected the loan.")]})
    with transaction.atomic():
        locked = (LoanApplication.objects.select_for_update(of=("self",))
                  .select_related("contract__store", "contract__consultant",
                                  "contract__lead").get(pk=loan.pk))
        if locked.status != LoanStatus.SUBMITTED:
            who = (User.objects.filter(pk=locked.decided_by_id).first()
                   if locked.decided_by_id else None)
            raise ValidationError(
                _("This loan is already %(status)s (recorded by %(who)s).")
                % {"status": locked.get_status_display(),
                   "who": who.get_full_name() if who else "—"})
        contract = locked.contract
        _require_status(contract)
        before = locked.status
        now = timezone.now()
        locked.status = status
        locked.decided_at = now
        locked.decided_by = actor
        locked.updated_at = now
        if note:
            locked.note = note[:300]
        locked.save(update_fields=["status", "decided_at", "decided_by", "updated_at", "note"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [before, status]}, reason=note)
        if status == LoanStatus.APPROVED:
            _notify_consultant(contract, LeadEventKind.LOAN_APPROVED)
            _sync_sold(actor=actor, contract=contract)
    return locked


def loan_documents_update(*, actor: User, loan: LoanApplication,
                          documents: dict) -> LoanApplication:
    """Tick the documents the lender has received. Side effects: the row, an audit row
    (none when nothing changed)."""
    if not can_arrange_finance(actor, loan.contract):
        raise PermissionDenied
    docs = _documents(documents)
    with transaction.atomic():
        locked = LoanApplication.objects.select_for_update(of=("self",)).get(pk=loan.pk)
        if locked.status == LoanStatus.DISBURSED:
            raise ValidationError(_("The loan is disbursed; its documents are closed."))
        before = dict(locked.documents or {})
        if before == docs:
            return locked
        locked.documents = docs
        locked.updated_at = timezone.now()
        locked.save(update_fields=["documents", "updated_at"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"documents": [before, docs]})
    return locked


# --- Insurance ----------------------------------------------------------------------------
def policy_start_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - POLICY_START_PAST, today + POLICY_START_AHEAD


def policy_latest_end(starts_on: dt.date) -> dt.date:
    """A year and a day after the start (29 February starts end on 1 March + 1 day)."""
    try:
        year_later = starts_on.replace(year=starts_on.year + 1)
    except ValueError:  # 29 February
        year_later = starts_on + dt.timedelta(days=365)
    return year_later + dt.timedelta(days=1)


def _policy_errors(*, insurer, kind, premium, policy_number, starts_on, ends_on,
                   today) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not insurer:
        errors["insurer"] = [_("Enter the insurer.")]
    if kind not in InsuranceKind.values:
        errors["kind"] = [_("Choose the type of insurance.")]
    if premium is None or premium <= 0:
        errors["premium"] = [_("Enter a premium greater than zero.")]
    if not policy_number:
        errors["policy_number"] = [_("Enter the policy number.")]
    if starts_on is None:
        errors["starts_on"] = [_("Enter the day the policy starts.")]
    else:
        try:
            earliest, latest = policy_start_range(today)
            ensure_within(starts_on, earliest=earliest, latest=latest, field="starts_on")
        except ValidationError as error:
            errors.update(error.message_dict)
    if ends_on is None:
        errors["ends_on"] = [_("Enter the day the policy ends.")]
    elif starts_on is not None:
        if ends_on <= starts_on:
            errors["ends_on"] = [_("The policy ends after it starts.")]
        elif ends_on > policy_latest_end(starts_on):
            errors["ends_on"] = [_("A policy runs at most a year and a day: end on "
                                   "%(latest)s at the latest.")
                                 % {"latest": policy_latest_end(starts_on).isoformat()}]
    return errors


def insurance_add(*, actor: User, contract: Contract, insurer: str, kind: str,
                  premium: Decimal, policy_number: str, starts_on: dt.date,
                  ends_on: dt.date) -> InsurancePolicy:
    """Record an insurance policy bought with the car. A policy number is recorded once
    per insurer in a store. Side effects: the row, an audit row."""
    if not can_arrange_finance(actor, contract):
        raise PermissionDenied
    insurer = (insurer or "").strip()
    policy_number = (policy_number or "").strip()
    with transaction.atomic():
        locked = (Contract.objects.select_for_update(of=("self",)).select_related("store")
                  .get(pk=contract.pk))
        _require_status(locked)
        errors = _policy_errors(insurer=insurer, kind=kind, premium=premium,
                                policy_number=policy_number, starts_on=starts_on,
                                ends_on=ends_on, today=locked.store.today())
        taken = _("This insurer's policy number is already recorded.")
        recorded = InsurancePolicy.objects.filter(
            store_id=locked.store_id, insurer=insurer, policy_number=policy_number)
        if "policy_number" not in errors and recorded.exists():
            errors["policy_number"] = [taken]
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                policy = InsurancePolicy.objects.create(
                    store_id=locked.store_id, contract=locked, insurer=insurer, kind=kind,
                    premium=premium, policy_number=policy_number, starts_on=starts_on,
                    ends_on=ends_on, created_by=actor)
        except IntegrityError:
            raise ValidationError({"policy_number": [taken]}) from None
        audit_log(actor=actor, instance=policy, action=AuditAction.CREATE, changes={
            "insurer": [None, insurer], "kind": [None, kind], "premium": [None, str(premium)],
            "policy_number": [None, policy_number], "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()]})
    return policy
