"""Referrals and loyalty points (issue 12 item 6).

An owner refers a friend: the friend becomes a lead with channel `referral` through the
leads capture service, and a `Referral` links it to the owner. When a contract of that
lead is signed the referrer is credited the store's `referral_points`, once; when that
contract is cancelled the credit is taken back, as far as the balance allows. Points buy
the store's service packages.

The ledger (`PointsEntry`) is append-only: these services only create rows. Every entry is
written with the account row locked (`select_for_update`), the balance moved beside it and
kept in `balance_after`; the CHECK constraints refuse a negative balance should a bug
slip past the checks here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.enums import LeadEventKind, PointsEntryKind
from aftersales.models import (
    CareSettings,
    LoyaltyAccount,
    PointsEntry,
    Referral,
    ServicePackage,
)
from aftersales.permissions import (
    PACKAGE_ROLES,
    can_adjust_points,
    can_refer,
    can_use_points,
)
from contracts.enums import ContractStatus
from contracts.models import Contract
from dealership.enums import AuditAction, ConsentSource
from dealership.models import Customer, Store, User
from dealership.permissions import has_role
from dealership.services.audit import audit_log
from leads.enums import Channel
from leads.services.capture import lead_capture
from leads.services.events import event

# The owner's car is theirs once handed over (a closed contract was delivered first).
OWNED_STATUSES = (ContractStatus.DELIVERED, ContractStatus.CLOSED)
MAX_ADJUSTMENT = 1_000_000


def owns_delivered_car(customer: Customer) -> bool:
    return Contract.objects.filter(customer=customer, status__in=OWNED_STATUSES).exists()


def referral_points_for(store_id: int) -> int:
    """The store's points for a referral that buys (its after-sales settings, else the
    settings' default: a store whose settings were never saved still pays the default)."""
    points = (CareSettings.objects.filter(store_id=store_id)
              .values_list("referral_points", flat=True).first())
    if points is None:
        points = CareSettings._meta.get_field("referral_points").get_default()
    return points


# --- Referral -----------------------------------------------------------------------------
def referral_create(
    *, actor: User, referrer: Customer, name: str, phone: str, model_interest: str = "",
    note: str = "", marketing_consent: bool = False,
) -> Referral:
    """`referrer` (an owner of a delivered car) refers a friend; `phone` is E.164 already.

    Side effects: through `lead_capture`, the friend's customer row (a new phone) and a lead
    with channel referral given to the referrer's consultant when active (or, when the
    friend is already a customer with an open lead, that lead with an enquiry on its
    timeline); the REFERRAL timeline event; the audit row. A refusal writes nothing."""
    if not can_refer(actor, referrer):
        raise PermissionDenied
    name, phone = name.strip(), phone.strip()
    if phone == referrer.phone:
        raise ValidationError({"phone": [_("This is the referrer's own phone number: an "
                                           "owner cannot refer themselves.")]})
    if not owns_delivered_car(referrer):
        raise ValidationError(_("%(name)s has no delivered car yet: only owners can refer "
                                "friends.") % {"name": referrer.name})
    keeper = referrer.owner if (referrer.owner_id and referrer.owner.is_active) else None
    already = ValidationError({"phone": [_("This friend is already referred (their open "
                                           "lead has a referral).")]})
    with transaction.atomic():
        result = lead_capture(
            store=referrer.store, actor=actor, name=name, phone=phone,
            channel=Channel.REFERRAL, model_interest=model_interest, note=note,
            marketing_consent=marketing_consent,
            consent_source=ConsentSource.OTHER if marketing_consent else "",
            owner=keeper)
        lead = result.lead
        # The capture locked the friend's open lead (or created it): no other referral of
        # the same lead can be written until this transaction ends; the one-to-one column
        # catches the case of a lead created at the same instant by two referrals.
        if Referral.objects.filter(lead=lead).exists():
            raise already
        try:
            with transaction.atomic():
                referral = Referral.objects.create(store_id=referrer.store_id,
                                                   referrer=referrer, lead=lead,
                                                   created_by=actor)
        except IntegrityError:
            raise already from None
        event(lead, LeadEventKind.REFERRAL, actor=actor,
              note=_("Referred by %(name)s") % {"name": referrer.name},
              referrer=referrer.pk, referral=referral.pk)
        audit_log(actor=actor, instance=referral, action=AuditAction.CREATE,
                  changes={"referrer": [None, referrer.pk], "lead": [None, lead.pk]})
    return referral


# --- The ledger ---------------------------------------------------------------------------
def _account_locked(customer: Customer) -> LoyaltyAccount:
    """The customer's account, created at 0 if missing, locked until the transaction ends.
    Must run inside one."""
    LoyaltyAccount.objects.bulk_create(
        [LoyaltyAccount(store_id=customer.store_id, customer=customer)],
        ignore_conflicts=True)
    return LoyaltyAccount.objects.select_for_update(of=("self",)).get(customer=customer)


def _post(*, account: LoyaltyAccount, kind: str, points: int, actor: User | None,
          note: str = "", referral: Referral | None = None,
          package: ServicePackage | None = None) -> PointsEntry:
    """Move the locked account's balance by `points` and write the entry (the only place
    that writes either)."""
    account.balance += points
    account.save(update_fields=["balance", "updated_at"])
    entry = PointsEntry.objects.create(
        store_id=account.store_id, account=account, kind=kind, points=points,
        balance_after=account.balance, referral=referral, package=package, note=note[:300],
        created_by=actor if (actor is not None and actor.is_authenticated) else None)
    audit_log(actor=actor, instance=entry, action=AuditAction.CREATE,
              changes={"kind": [None, kind], "points": [None, points],
                       "balance": [account.balance - points, account.balance]})
    return entry


def referral_credit(*, contract: Contract, actor: User | None) -> PointsEntry | None:
    """The contract of a referred lead is signed: credit the referrer, once per referral
    (a second contract of the same lead, even after a cancellation, earns nothing more).
    Runs inside the signing's transaction (contracts' `contract_signed`): rolled back with
    it. Returns the credit, or None when there is nothing to credit."""
    if contract.lead_id is None:
        return None
    with transaction.atomic():
        # The referral row is the lock that makes "once" hold when two contracts of the
        # same lead are signed at once; the unique (referral, kind) backs it.
        referral = (Referral.objects.select_for_update(of=("self",))
                    .select_related("referrer").filter(lead_id=contract.lead_id).first())
        if referral is None or referral.entries.filter(
                kind=PointsEntryKind.REFERRAL_CREDIT).exists():
            return None
        points = referral_points_for(referral.store_id)
        account = _account_locked(referral.referrer)
        entry = _post(account=account, kind=PointsEntryKind.REFERRAL_CREDIT, points=points,
                      actor=actor, referral=referral,
                      note=_("Contract %(number)s signed") % {"number": contract.number})
        referral.contract = contract
        referral.save(update_fields=["contract"])
    return entry


def referral_reverse(*, contract: Contract, actor: User | None) -> PointsEntry | None:
    """The credited contract is cancelled: take the credit back, once, never below zero
    (min(credit, balance); the shortfall is noted on the entry). Runs inside the
    cancellation's transaction and must never make it fail. Returns the reversal, or None
    when there is nothing to reverse."""
    if contract.lead_id is None:
        return None
    with transaction.atomic():
        referral = (Referral.objects.select_for_update(of=("self",))
                    .select_related("referrer")
                    .filter(lead_id=contract.lead_id, contract_id=contract.pk).first())
        if referral is None:
            return None
        kinds = dict(referral.entries.values_list("kind", "points"))
        credit = kinds.get(PointsEntryKind.REFERRAL_CREDIT)
        if credit is None or PointsEntryKind.REFERRAL_REVERSAL in kinds:
            return None
        account = _account_locked(referral.referrer)
        taken = min(credit, account.balance)
        if taken == credit:
            note = _("Contract %(number)s cancelled") % {"number": contract.number}
        else:
            note = _("Contract %(number)s cancelled; %(short)s of the %(credit)s points "
                     "were already spent and could not be taken back") % {
                "number": contract.number, "short": credit - taken, "credit": credit}
        return _post(account=account, kind=PointsEntryKind.REFERRAL_REVERSAL, points=-taken,
                     actor=actor, referral=referral, note=note)


def points_redeem(*, actor: User, customer: Customer, package: ServicePackage) -> PointsEntry:
    """Spend points on one of the store's offered service packages.
    Side effects: the balance, the ledger entry, the audit row. Refused (field `package`)
    when the balance is short, saying by how many points."""
    if not can_use_points(actor, customer):
        raise PermissionDenied
    if package.store_id != customer.store_id or not package.active:
        raise ValidationError({"package": [_("This package is not offered any more.")]})
    with transaction.atomic():
        # The lock makes two redemptions at the desk wait for each other: the second sees
        # the balance the first left.
        account = _account_locked(customer)
        if account.balance < package.points:
            raise ValidationError({"package": [
                _("%(package)s costs %(cost)s points; the balance is %(balance)s, "
                  "%(short)s points short.") % {
                    "package": package.name, "cost": package.points,
                    "balance": account.balance, "short": package.points - account.balance}]})
        return _post(account=account, kind=PointsEntryKind.REDEMPTION, points=-package.points,
                     actor=actor, package=package, note=package.name)


def points_adjust(*, actor: User, customer: Customer, points: int, reason: str) -> PointsEntry:
    """The manager corrects a balance by hand (a goodwill gesture, a mistake), saying why.
    Refused (field `points`) for 0, or when it would take the balance below zero."""
    if not can_adjust_points(actor, customer):
        raise PermissionDenied
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the balance is adjusted.")]
    if points == 0 or abs(points) > MAX_ADJUSTMENT:
        errors["points"] = [_("Enter a number of points between -%(max)s and %(max)s, not "
                              "0.") % {"max": MAX_ADJUSTMENT}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        account = _account_locked(customer)
        if account.balance + points < 0:
            raise ValidationError({"points": [
                _("The balance is %(balance)s points: at most %(balance)s can be taken "
                  "off.") % {"balance": account.balance}]})
        return _post(account=account, kind=PointsEntryKind.ADJUSTMENT, points=points,
                     actor=actor, note=reason)


# --- Service packages ---------------------------------------------------------------------
def _package_check(package: ServicePackage) -> None:
    package.full_clean(exclude=["store"])


def package_create(*, actor: User, store: Store, name: str, points: int,
                   description: str = "") -> ServicePackage:
    """A new package the store offers for points. Side effects: the audit row."""
    if not has_role(actor, *PACKAGE_ROLES) or actor.store_id != store.pk:
        raise PermissionDenied
    package = ServicePackage(store=store, name=name.strip(), description=description.strip(),
                             points=points, active=True)
    _package_check(package)
    with transaction.atomic():
        package.save()
        audit_log(actor=actor, instance=package, action=AuditAction.CREATE,
                  changes={"name": [None, package.name], "points": [None, points]})
    return package


def package_update(*, actor: User, package: ServicePackage, name: str, points: int,
                   description: str = "", active: bool = True) -> ServicePackage:
    """Change a package, or retire it (`active=False`: no longer offered; the redemptions
    already made keep pointing at it). Side effects: the audit row of what changed."""
    if not has_role(actor, *PACKAGE_ROLES) or actor.store_id != package.store_id:
        raise PermissionDenied
    with transaction.atomic():
        locked = ServicePackage.objects.select_for_update(of=("self",)).get(pk=package.pk)
        values = {"name": name.strip(), "description": description.strip(), "points": points,
                  "active": active}
        changes = {field: [getattr(locked, field), value] for field, value in values.items()
                   if getattr(locked, field) != value}
        for field, value in values.items():
            setattr(locked, field, value)
        _package_check(locked)
        if changes:
            locked.save(update_fields=list(changes))
            audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                      changes=changes)
    return locked


# --- Receivers of the contracts stage's hooks ---------------------------------------------
def on_contract_signed(sender, *, contract: Contract, actor=None, **kwargs) -> None:
    referral_credit(contract=contract, actor=actor)


def on_contract_cancelled(sender, *, contract: Contract, actor=None, **kwargs) -> None:
    referral_reverse(contract=contract, actor=actor)
