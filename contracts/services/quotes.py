"""Quotes: writing versions, and deciding the discount approvals they need.

Every saved state of a quote is a new, immutable `QuoteVersion`. Whether the version needs
someone else's approval follows from the store's `DiscountPolicy` and the author's role;
a new version supersedes any approval still waiting, and an approved quote that changes
needs approval again. All transitions lock the quote row, so two approvers acting at the
same moment cannot both win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.enums import (
    REVISABLE_QUOTE_STATUSES,
    ApprovalDecision,
    ApprovalStatus,
    ApprovalTier,
    LeadEventKind,
    NotificationKind,
    PaymentPlan,
    QuoteStatus,
)
from contracts.models import (
    Accessory,
    ApprovalRequest,
    DiscountPolicy,
    Quote,
    QuoteVersion,
    ValuePackage,
)
from contracts.permissions import can_decide_approval, can_write_quote
from contracts.services import pricing
from contracts.tax import purchase_tax
from dealership.enums import AuditAction, StockStatus
from dealership.models import Colour, Customer, StockVehicle, Trim, User
from dealership.money import ZERO
from dealership.services.audit import audit_log
from leads.enums import BEFORE_NEGOTIATION_STATUSES
from leads.services.notifications import notification_send_decision
from leads.services.work import lead_start_negotiation

MAX_QUANTITY = 20
# The stock whose cost a margin is set against (typical_cost and the approvals inbox).
COSTED_STOCK_STATUSES = (StockStatus.IN_STOCK, StockStatus.IN_TRANSIT, StockStatus.RESERVED)
LOAN_TERMS = (12, 24, 36, 48, 60)
MAX_RATE = Decimal("36")
# The fields a version's "what changed" compares, in the order they are shown.
COMPARED_FIELDS = (
    "trim", "colour", "vehicle", "list_price", "discount", "accessories", "packages",
    "trade_in_value", "insurance_estimate", "fees", "purchase_tax", "payment_plan",
    "down_payment", "loan_term_months", "loan_annual_rate", "floor_reason", "note",
)


@dataclass
class QuoteInput:
    """What a quote builder submits (already parsed into objects by the form)."""

    trim: Trim
    colour: Colour | None = None
    vehicle: StockVehicle | None = None
    discount: Decimal = ZERO
    # [(accessory, quantity)]
    accessories: list[tuple[Accessory, int]] = field(default_factory=list)
    packages: list[ValuePackage] = field(default_factory=list)
    trade_in_make: str = ""
    trade_in_model: str = ""
    trade_in_year: int | None = None
    trade_in_mileage_km: int | None = None
    trade_in_condition: str = ""
    trade_in_value: Decimal = ZERO
    trade_in_appraiser: str = ""
    insurance_estimate: Decimal = ZERO
    fees: Decimal = ZERO
    payment_plan: str = PaymentPlan.FULL
    down_payment: Decimal = ZERO
    loan_term_months: int | None = None
    loan_annual_rate: Decimal | None = None
    floor_reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class Priced:
    """A priced quote input: the totals, the line items as stored, the tier it needs."""

    totals: pricing.Totals
    accessories: list[dict]
    packages: list[dict]
    tier: str
    below_floor: bool
    floor_amount: Decimal
    needs_approval: bool


# --- Pricing and validation ---------------------------------------------------------------
def _list_price(data: QuoteInput) -> Decimal:
    surcharge = data.colour.surcharge if data.colour is not None else ZERO
    return data.trim.msrp + surcharge


def quote_price(*, actor: User, data: QuoteInput, policy: DiscountPolicy) -> Priced:
    """The figures of a quote as the builder shows them while typing. No writes."""
    accessories = [
        {"id": item.pk, "code": item.code, "name": item.name, "unit_price": str(item.price),
         "quantity": quantity, "amount": str(pricing.fen(item.price * quantity))}
        for item, quantity in data.accessories
    ]
    packages = [{"id": p.pk, "name": p.name, "kind": p.kind, "price": str(p.price)}
                for p in data.packages]
    list_price = _list_price(data)
    tax = None
    if policy.show_purchase_tax:
        # The purchase date is the store's today: the day this version is written.
        tax = purchase_tax(price=max(list_price - data.discount, ZERO),
                           powertrain=data.trim.powertrain, on=policy.store.today())
    totals = pricing.quote_totals(
        list_price=list_price, discount=data.discount,
        accessories_total=sum((Decimal(a["amount"]) for a in accessories), ZERO),
        packages_total=sum((p.price for p in data.packages), ZERO),
        insurance_estimate=data.insurance_estimate, fees=data.fees,
        trade_in_value=data.trade_in_value, payment_plan=data.payment_plan,
        down_payment=data.down_payment, loan_term_months=data.loan_term_months,
        loan_annual_rate=data.loan_annual_rate, tax=tax)
    tier = pricing.tier_required(policy, list_price, data.discount)
    return Priced(
        totals=totals, accessories=accessories, packages=packages, tier=tier,
        below_floor=pricing.is_below_floor(policy, list_price, data.discount),
        floor_amount=pricing.floor_amount(policy, list_price),
        needs_approval=not pricing.within_authority(actor, tier))


def quote_errors(*, actor: User, data: QuoteInput, priced: Priced) -> dict[str, list[str]]:
    """Every reason the input cannot be saved, by field."""
    errors: dict[str, list[str]] = {}
    store_id = actor.store_id

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.trim.is_active:
        refuse("trim", _("This trim is no longer on sale; choose another."))
    if data.colour is not None and data.colour.series_id != data.trim.series_id:
        refuse("colour", _("This colour is not offered for this series."))
    if data.colour is not None and not data.colour.is_active:
        refuse("colour", _("This colour is no longer offered; choose another."))
    if data.vehicle is not None:
        vehicle = data.vehicle
        if (vehicle.store_id != store_id or vehicle.trim_id != data.trim.pk
                or vehicle.status not in (StockStatus.IN_STOCK, StockStatus.IN_TRANSIT)):
            refuse("vehicle", _("Choose an unsold vehicle of this trim from the store's "
                                "stock, or none."))
        elif data.colour is not None and vehicle.colour_id not in (None, data.colour.pk):
            refuse("vehicle", _("This vehicle has another colour."))
    totals = priced.totals
    if data.discount < 0:
        refuse("discount", _("The discount cannot be negative."))
    elif data.discount > totals.list_price:
        refuse("discount", _("The discount cannot be more than the list price."))
    if priced.below_floor and not data.floor_reason.strip():
        refuse("floor_reason", _(
            "A discount above ¥%(floor)s is below the store's floor: record the reason.")
            % {"floor": f"{priced.floor_amount:,.2f}"})
    for item, quantity in data.accessories:
        if item.store_id != store_id or not item.is_active:
            refuse("accessories", _("“%(name)s” is not on sale at this store.")
                   % {"name": item.name})
        if not 1 <= quantity <= MAX_QUANTITY:
            refuse("accessories", _("Quantities run from 1 to %(max)s.") % {"max": MAX_QUANTITY})
    for package in data.packages:
        if package.store_id != store_id or not package.is_active:
            refuse("packages", _("“%(name)s” is not offered at this store.")
                   % {"name": package.name})
    for name in ("insurance_estimate", "fees", "trade_in_value", "down_payment"):
        if getattr(data, name) < 0:
            refuse(name, _("Enter an amount of zero or more."))
    if data.trade_in_value > 0:
        for name, label in (("trade_in_make", _("make")), ("trade_in_model", _("model")),
                            ("trade_in_appraiser", _("appraiser"))):
            if not getattr(data, name).strip():
                refuse(name, _("A trade-in needs its %(what)s.") % {"what": label})
        this_year = timezone.localdate().year
        if data.trade_in_year is None or not 1980 <= data.trade_in_year <= this_year:
            refuse("trade_in_year", _("Enter the trade-in's year (1980–%(year)s).")
                   % {"year": this_year})
        if not data.trade_in_condition:
            refuse("trade_in_condition", _("Choose the trade-in's condition."))
        if data.trade_in_value > totals.out_the_door:
            refuse("trade_in_value", _("The trade-in is worth more than the car; the "
                                       "difference cannot be paid out in a quote."))
    if data.payment_plan == PaymentPlan.LOAN:
        if data.loan_term_months not in LOAN_TERMS:
            refuse("loan_term_months", _("Choose a term of %(terms)s months.")
                   % {"terms": "/".join(str(t) for t in LOAN_TERMS)})
        if data.loan_annual_rate is None or not ZERO <= data.loan_annual_rate <= MAX_RATE:
            refuse("loan_annual_rate", _("Enter an annual rate from 0 to 36 %."))
        if data.down_payment >= totals.amount_due:
            refuse("down_payment", _("The down payment leaves nothing to finance; choose "
                                     "full payment instead."))
    elif data.payment_plan != PaymentPlan.FULL:
        refuse("payment_plan", _("Choose full payment or a loan."))
    return errors


def typical_cost(*, store_id: int, trim: Trim, vehicle: StockVehicle | None) -> Decimal | None:
    """The cost to set a margin against: the chosen vehicle's, or the average of the
    store's unsold stock of the trim. Only for roles that may see cost."""
    if vehicle is not None:
        return vehicle.cost
    return StockVehicle.objects.filter(
        store_id=store_id, trim=trim,
        status__in=COSTED_STOCK_STATUSES,
    ).aggregate(cost=Avg("cost"))["cost"]


# --- Writing versions ---------------------------------------------------------------------
def _display(version: QuoteVersion | None, name: str) -> str:
    if version is None:
        return ""
    if name == "accessories":
        return "; ".join(f"{a['name']} ×{a['quantity']}" for a in version.accessories)
    if name == "packages":
        return "; ".join(p["name"] for p in version.packages)
    value = getattr(version, name)
    if name == "payment_plan":
        return str(value)
    if isinstance(value, Decimal):
        # The new version holds the input as typed (4.8), the one before it the value read
        # back from the database (4.80): compare both as stored, to two places.
        return str(pricing.fen(value))
    return "" if value is None else str(value)


def _diff(before: QuoteVersion | None, after: QuoteVersion) -> list[dict]:
    if before is None:
        return []
    return [{"field": name, "old": _display(before, name), "new": _display(after, name)}
            for name in COMPARED_FIELDS if _display(before, name) != _display(after, name)]


def _new_version(*, quote: Quote, actor: User, data: QuoteInput, priced: Priced,
                 previous: QuoteVersion | None) -> QuoteVersion:
    totals = priced.totals
    version = QuoteVersion(
        store_id=quote.store_id, quote=quote,
        number=(previous.number + 1) if previous else 1, created_by=actor,
        trim=data.trim, colour=data.colour, vehicle=data.vehicle,
        list_price=totals.list_price, discount=totals.discount,
        accessories=priced.accessories, packages=priced.packages,
        accessories_total=totals.accessories_total, packages_total=totals.packages_total,
        trade_in_make=data.trade_in_make.strip(), trade_in_model=data.trade_in_model.strip(),
        trade_in_year=data.trade_in_year if data.trade_in_value else None,
        trade_in_mileage_km=data.trade_in_mileage_km if data.trade_in_value else None,
        trade_in_condition=data.trade_in_condition if data.trade_in_value else "",
        trade_in_value=totals.trade_in_value,
        trade_in_appraiser=data.trade_in_appraiser.strip(),
        insurance_estimate=totals.insurance_estimate, fees=totals.fees,
        purchase_tax_included=totals.purchase_tax_included,
        purchase_tax=totals.purchase_tax, purchase_tax_relief=totals.purchase_tax_relief,
        payment_plan=data.payment_plan, down_payment=totals.down_payment,
        loan_term_months=data.loan_term_months if data.payment_plan == PaymentPlan.LOAN
        else None,
        loan_annual_rate=data.loan_annual_rate if data.payment_plan == PaymentPlan.LOAN
        else None,
        loan_principal=totals.loan_principal, monthly_payment=totals.monthly_payment,
        total_interest=totals.total_interest, out_the_door=totals.out_the_door,
        amount_due=totals.amount_due, tier_required=priced.tier,
        below_floor=priced.below_floor,
        floor_reason=data.floor_reason.strip() if priced.below_floor else "",
        note=data.note.strip())
    version.changes = _diff(previous, version)
    version.save()
    return version


def _close_pending(quote: Quote, *, status: str, now: dt.datetime) -> None:
    ApprovalRequest.objects.filter(quote=quote, status=ApprovalStatus.PENDING).update(
        status=status, decided_at=now)


def _settle(*, quote: Quote, version: QuoteVersion, actor: User, priced: Priced,
            now: dt.datetime) -> None:
    """Point the quote at its new version, and ask for approval when it needs one."""
    _close_pending(quote, status=ApprovalStatus.SUPERSEDED, now=now)
    if priced.needs_approval:
        ApprovalRequest.objects.create(
            store_id=quote.store_id, quote=quote, version=version, tier=priced.tier,
            discount=version.discount, requested_by=actor, requested_at=now)
        quote.status = QuoteStatus.PENDING
    else:
        quote.status = QuoteStatus.APPROVED
    policy = DiscountPolicy.for_store(quote.store)
    quote.current_version = version
    quote.valid_until = quote.store.today() + dt.timedelta(days=policy.quote_valid_days)
    quote.updated_at = now
    quote.save(update_fields=["status", "current_version", "valid_until", "updated_at"])


def _lead_event(quote: Quote, *, actor: User, note: str, **data) -> None:
    if quote.lead_id is not None:
        from leads.services.events import event

        event(quote.lead, LeadEventKind.QUOTE, actor=actor, note=note, quote=quote.pk, **data)


def _check(actor: User, data: QuoteInput, policy: DiscountPolicy) -> Priced:
    priced = quote_price(actor=actor, data=data, policy=policy)
    errors = quote_errors(actor=actor, data=data, priced=priced)
    if errors:
        raise ValidationError(errors)
    return priced


def quote_create(*, actor: User, customer: Customer, data: QuoteInput, lead=None) -> Quote:
    """A new quote with its first version. Side effects: an approval request when the
    discount is over the author's authority, an audit row, a QUOTE event on the lead, and a
    lead still before negotiation moves on to it (leads.services.lead_start_negotiation)."""
    if not can_write_quote(actor, customer=customer):
        raise PermissionDenied
    if lead is not None and (lead.customer_id != customer.pk or lead.store_id != customer.store_id):
        raise ValidationError({"lead": _("This lead is not of this customer.")})
    policy = DiscountPolicy.for_store(customer.store)
    priced = _check(actor, data, policy)
    now = timezone.now()
    with transaction.atomic():
        quote = Quote.objects.create(
            store_id=customer.store_id, customer=customer, lead=lead, consultant=(
                customer.owner if customer.owner_id else actor),
            created_at=now, updated_at=now)
        quote.store = customer.store
        version = _new_version(quote=quote, actor=actor, data=data, priced=priced,
                               previous=None)
        _settle(quote=quote, version=version, actor=actor, priced=priced, now=now)
        audit_log(actor=actor, instance=quote, action=AuditAction.CREATE, changes={
            "status": [None, quote.status], "discount": [None, str(version.discount)],
            "out_the_door": [None, str(version.out_the_door)]})
        _lead_event(quote, actor=actor, note=_("Quote %(number)s: ¥%(total)s") % {
            "number": quote.number, "total": f"{version.out_the_door:,.2f}"})
        if lead is not None and lead.status in BEFORE_NEGOTIATION_STATUSES:
            try:
                with transaction.atomic():
                    lead_start_negotiation(lead=lead, actor=actor)
            except ValidationError:
                pass  # another request moved the lead on meanwhile; the quote stands
    return quote


def _locked(quote: Quote) -> Quote:
    # Not select_related("current_version"): PostgreSQL hands a request that waited for
    # the lock the new quote row with the rows joined before the wait, so a version just
    # written by the winner would read as none. The version is read after the lock.
    return (Quote.objects.select_for_update(of=("self",))
            .select_related("store", "customer", "consultant__team")
            .get(pk=quote.pk))


def _locked_revisable(quote: Quote) -> Quote:
    """The quote, locked, refused unless it is still being negotiated."""
    locked = _locked(quote)
    if locked.status not in REVISABLE_QUOTE_STATUSES:
        raise ValidationError(_("This quote is %(status)s and can no longer change.")
                              % {"status": locked.get_status_display()})
    return locked


def quote_revise(*, actor: User, quote: Quote, data: QuoteInput) -> QuoteVersion:
    """A new version of a quote still being negotiated. An approval still waiting is
    superseded; a change to an approved quote needs approval again when over the author's
    authority."""
    if not can_write_quote(actor, quote=quote):
        raise PermissionDenied
    policy = DiscountPolicy.for_store(quote.store)
    priced = _check(actor, data, policy)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_revisable(quote)
        previous = locked.current_version
        version = _new_version(quote=locked, actor=actor, data=data, priced=priced,
                               previous=previous)
        before = locked.status
        _settle(quote=locked, version=version, actor=actor, priced=priced, now=now)
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE, changes={
            "version": [previous.number if previous else None, version.number],
            "status": [before, locked.status],
            "discount": [str(previous.discount) if previous else None, str(version.discount)]})
        _lead_event(locked, actor=actor, note=_("Quote %(number)s revised (v%(version)s)")
                    % {"number": locked.number, "version": version.number})
    quote.refresh_from_db()
    return version


def quote_withdraw(*, actor: User, quote: Quote, reason: str) -> Quote:
    """The customer walked away from this offer; a waiting approval is withdrawn too."""
    if not can_write_quote(actor, quote=quote):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the quote is withdrawn.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_revisable(quote)
        before = locked.status
        _close_pending(locked, status=ApprovalStatus.WITHDRAWN, now=now)
        locked.status = QuoteStatus.WITHDRAWN
        locked.updated_at = now
        locked.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [before, locked.status]}, reason=reason.strip())
    return locked


# --- Deciding approvals -------------------------------------------------------------------
# What the consultant is told of each decision on their request.
DECISION_NOTIFICATIONS = {
    ApprovalStatus.APPROVED: NotificationKind.DISCOUNT_APPROVED,
    ApprovalStatus.REJECTED: NotificationKind.DISCOUNT_REJECTED,
    ApprovalStatus.COUNTERED: NotificationKind.DISCOUNT_COUNTERED,
}


def _copy_input(version: QuoteVersion, *, discount: Decimal, note: str) -> QuoteInput:
    """The input that reproduces `version` with another discount (for a counter-offer)."""
    accessories = {a.pk: a for a in Accessory.objects.filter(
        pk__in=[item["id"] for item in version.accessories])}
    packages = {p.pk: p for p in ValuePackage.objects.filter(
        pk__in=[item["id"] for item in version.packages])}
    return QuoteInput(
        trim=version.trim, colour=version.colour, vehicle=version.vehicle, discount=discount,
        accessories=[(accessories[item["id"]], item["quantity"]) for item in version.accessories
                     if item["id"] in accessories],
        packages=[packages[item["id"]] for item in version.packages if item["id"] in packages],
        trade_in_make=version.trade_in_make, trade_in_model=version.trade_in_model,
        trade_in_year=version.trade_in_year, trade_in_mileage_km=version.trade_in_mileage_km,
        trade_in_condition=version.trade_in_condition, trade_in_value=version.trade_in_value,
        trade_in_appraiser=version.trade_in_appraiser,
        insurance_estimate=version.insurance_estimate, fees=version.fees,
        payment_plan=version.payment_plan, down_payment=version.down_payment,
        loan_term_months=version.loan_term_months, loan_annual_rate=version.loan_annual_rate,
        floor_reason=version.floor_reason, note=note)


def approval_decide(
    *, actor: User, approval: ApprovalRequest, decision: str, comment: str = "",
    counter_discount: Decimal | None = None,
) -> ApprovalRequest:
    """Approve, reject (with a comment) or counter (a smaller discount, which becomes the
    quote's new, approved version). The quote row is locked first: of two approvers
    acting at once, the second finds the request decided and is told who decided it.
    Side effects: an audit row, the lead's timeline, and a notification to the quote's
    consultant (linking to the quote) unless they decided it themselves."""
    if not can_decide_approval(actor, approval):
        raise PermissionDenied
    if decision not in ApprovalDecision.values:
        raise ValidationError({"decision": _("Choose approve, reject or counter-offer.")})
    comment = comment.strip()
    if decision == ApprovalDecision.REJECT and not comment:
        raise ValidationError({"comment": _("Tell the consultant why you reject it.")})
    now = timezone.now()
    with transaction.atomic():
        quote = _locked(approval.quote)
        locked = (ApprovalRequest.objects.select_for_update(of=("self",))
                  .select_related("version", "decided_by").get(pk=approval.pk))
        if locked.status != ApprovalStatus.PENDING:
            who = locked.decided_by.get_full_name() if locked.decided_by else ""
            raise ValidationError(
                _("This request was already decided (%(status)s) by %(who)s.")
                % {"status": locked.get_status_display(), "who": who or "—"}
                if who else _("This request is no longer waiting (%(status)s).")
                % {"status": locked.get_status_display()})
        locked.decided_by = actor
        locked.decided_at = now
        locked.comment = comment
        before = quote.status
        if decision == ApprovalDecision.APPROVE:
            locked.status = ApprovalStatus.APPROVED
            quote.status = QuoteStatus.APPROVED
        elif decision == ApprovalDecision.REJECT:
            locked.status = ApprovalStatus.REJECTED
            quote.status = QuoteStatus.REJECTED
        else:
            if counter_discount is None or not ZERO <= counter_discount < locked.discount:
                raise ValidationError({"counter_discount": _(
                    "A counter-offer is a smaller discount than the ¥%(asked)s asked.")
                    % {"asked": f"{locked.discount:,.2f}"}})
            policy = DiscountPolicy.for_store(quote.store)
            data = _copy_input(locked.version, discount=counter_discount,
                               note=comment or locked.version.note)
            priced = quote_price(actor=actor, data=data, policy=policy)
            if priced.needs_approval:
                raise ValidationError({"counter_discount": _(
                    "This counter-offer is beyond your own authority.")})
            errors = quote_errors(actor=actor, data=data, priced=priced)
            if errors:
                raise ValidationError({"counter_discount": [m for ms in errors.values()
                                                            for m in ms]})
            version = _new_version(quote=quote, actor=actor, data=data, priced=priced,
                                   previous=quote.current_version)
            locked.status = ApprovalStatus.COUNTERED
            locked.counter_discount = version.discount
            quote.status = QuoteStatus.APPROVED
            quote.current_version = version
        locked.save(update_fields=["status", "decided_by", "decided_at", "comment",
                                   "counter_discount"])
        quote.updated_at = now
        quote.save(update_fields=["status", "current_version", "updated_at"])
        audit_log(actor=actor, instance=quote, action=AuditAction.UPDATE,
                  changes={"status": [before, quote.status],
                           "approval": [ApprovalStatus.PENDING, locked.status]},
                  reason=comment)
        _lead_event(quote, actor=actor, note=_("Discount %(decision)s: %(comment)s") % {
            "decision": locked.get_status_display(), "comment": comment or "—"})
        notification_send_decision(
            actor=actor, user=quote.consultant, store=quote.store,
            kind=DECISION_NOTIFICATIONS[locked.status], lead=quote.lead,
            url=quote.get_absolute_url(), subject=quote.number)
    return locked


# --- A quote and its contract (called by contracts.services.contracts) --------------------
def _move(quote: Quote, *, actor: User, starts_from: str, status: str,
          reason: str = "") -> Quote:
    """Lock the quote, refuse unless it is in `starts_from`, move it, audit it. Inside
    the contract's transaction, so the quote and its contract change together."""
    with transaction.atomic():
        locked = _locked(quote)
        if locked.status != starts_from:
            raise ValidationError(_("This quote is %(status)s; that step is not possible "
                                    "now.") % {"status": locked.get_status_display()})
        locked.status = status
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, instance=locked, action=AuditAction.UPDATE,
                  changes={"status": [starts_from, status]}, reason=reason)
    return locked


def quote_mark_contracted(*, actor: User, quote: Quote) -> Quote:
    """approved → contracted: a contract was drafted from it, so it can no longer change.
    Side effects: an audit row."""
    if not can_write_quote(actor, quote=quote):
        raise PermissionDenied
    return _move(quote, actor=actor, starts_from=QuoteStatus.APPROVED,
                 status=QuoteStatus.CONTRACTED)


def quote_reopen(*, actor: User, quote: Quote, reason: str) -> Quote:
    """contracted → approved: its contract was cancelled before signing, so the offer
    stands again and another contract may be drafted from it. Side effects: an audit row
    with the cancellation's reason."""
    if not can_write_quote(actor, quote=quote):
        raise PermissionDenied
    return _move(quote, actor=actor, starts_from=QuoteStatus.CONTRACTED,
                 status=QuoteStatus.APPROVED, reason=reason)


def quote_withdraw_with_contract(*, actor: User, quote: Quote, reason: str) -> Quote:
    """contracted → withdrawn: its signed contract was cancelled, and the offer goes with
    it. Side effects: an audit row with the cancellation's reason."""
    if not can_write_quote(actor, quote=quote):
        raise PermissionDenied
    return _move(quote, actor=actor, starts_from=QuoteStatus.CONTRACTED,
                 status=QuoteStatus.WITHDRAWN, reason=reason)


__all__ = [
    "ApprovalTier", "Priced", "QuoteInput", "approval_decide", "quote_create",
    "quote_mark_contracted", "quote_price", "quote_reopen", "quote_revise", "quote_withdraw",
    "quote_withdraw_with_contract", "typical_cost",
]
