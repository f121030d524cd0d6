"""The commission scheme's versions (issue 13 §8). The figures themselves are never stored:
reports.selectors.commission computes them from the contracts and the version in force."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.enums import AuditAction
from dealership.models import Store, User
from dealership.money import HUNDRED, ZERO
from dealership.services.audit import audit_log
from dealership.validators import ensure_within
from reports.models import CommissionScheme, CommissionTier
from reports.permissions import can_set_commission_scheme
from reports.selectors.targets import month_start

SCHEME_MONTHS_AHEAD = 12
MAX_TIERS = 10
MAX_TIER_UNITS = 999
MAX_TIER_AMOUNT = Decimal("99999999.99")


@dataclass(frozen=True)
class TierInput:
    min_units: int
    amount_per_unit: Decimal


@dataclass(frozen=True)
class SchemePercents:
    value_added: Decimal = ZERO
    finance: Decimal = ZERO
    insurance: Decimal = ZERO


def scheme_month_range(*, store: Store, now: dt.datetime | None = None,
                       ) -> tuple[dt.date, dt.date]:
    """The first days of the earliest and latest months a new version may start: this store
    month (a change from now on) to SCHEME_MONTHS_AHEAD months later."""
    first = month_start(timezone.localdate(now or timezone.now(), store.tzinfo))
    index = first.year * 12 + first.month - 1 + SCHEME_MONTHS_AHEAD
    return first, dt.date(index // 12, index % 12 + 1, 1)


def tier_errors(tiers: Sequence[TierInput]) -> list[str]:
    """What is wrong with a scheme's tiers, in the order the manager should fix it."""
    if not tiers:
        return [_("Enter at least one tier: from how many units, and the amount per unit.")]
    if len(tiers) > MAX_TIERS:
        return [_("A scheme has at most %(count)d tiers.") % {"count": MAX_TIERS}]
    errors = []
    if tiers[0].min_units not in (0, 1):
        errors.append(_("The first tier starts at 0 or 1 unit."))
    starts = [tier.min_units for tier in tiers]
    if any(later <= earlier for earlier, later in itertools.pairwise(starts)):
        errors.append(_("Each tier starts at more units than the one before it."))
    if any(not 0 <= start <= MAX_TIER_UNITS for start in starts):
        errors.append(_("A tier starts between 0 and %(max)d units.") % {"max": MAX_TIER_UNITS})
    amounts = [tier.amount_per_unit for tier in tiers]
    if any(amount is None or not amount.is_finite() or amount < 0 or amount > MAX_TIER_AMOUNT
           or amount != amount.quantize(Decimal("0.01")) for amount in amounts):
        errors.append(_("Each amount per unit is zero or more, in yuan and fen."))
    return errors


def _percent_errors(percents: SchemePercents) -> dict[str, list[str]]:
    errors = {}
    for name, value in (("value_added_percent", percents.value_added),
                        ("finance_percent", percents.finance),
                        ("insurance_percent", percents.insurance)):
        if (value is None or not value.is_finite() or not ZERO <= value <= HUNDRED
                or value != value.quantize(Decimal("0.01"))):
            errors[name] = [_("Enter a percentage between 0 and 100 (two decimals at most).")]
    return errors


def commission_scheme_create(*, store: Store, valid_from: dt.date,
                             tiers: Sequence[TierInput], percents: SchemePercents,
                             actor: User, note: str = "",
                             now: dt.datetime | None = None) -> CommissionScheme:
    """A new version of `store`'s commission scheme, in force from `valid_from` (the first
    day of this store month or of a later one, up to SCHEME_MONTHS_AHEAD ahead) until the
    next version. A version whose month has begun is never changed: asking for its month
    again is refused. A version for a month not yet begun is replaced (the manager's
    correction before it applies). Side effects: the scheme and its tiers, an audit row (and
    one for the replaced version). Two managers at once are serialised on the store's row;
    the second sees the first's version. `now` is the moment of the change (the demo
    replays history); the store month it falls in is "this month"."""
    if not can_set_commission_scheme(actor, store):
        raise PermissionDenied
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    now = now or timezone.now()
    earliest, latest = scheme_month_range(store=store, now=now)
    if valid_from is None or valid_from.day != 1:
        errors["valid_from"] = [_("Choose the month the version starts in.")]
    else:
        try:
            ensure_within(valid_from, earliest=earliest, latest=latest, field="valid_from")
        except ValidationError as error:
            errors.update(error.message_dict)
    if problems := tier_errors(list(tiers)):
        errors["tiers"] = problems
    errors.update(_percent_errors(percents))
    if len(note) > 200:
        errors["note"] = [_("Keep the note within 200 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The store's row is the lock: one version per store and month, however many
        # managers save at once.
        Store.objects.select_for_update(of=("self",)).filter(pk=store.pk).first()
        existing = CommissionScheme.objects.filter(store=store, valid_from=valid_from).first()
        if existing is not None:
            if existing.valid_from <= earliest:
                raise ValidationError({"valid_from": [
                    _("The version from %(month)s is already in force and can't be changed; "
                      "start the change in a later month.")
                    % {"month": valid_from.strftime("%Y-%m")}]})
            audit_log(actor=actor, instance=existing, action=AuditAction.DELETE,
                      changes={"replaced": [_snapshot(existing), None]})
            existing.delete()
        scheme = CommissionScheme(
            store=store, valid_from=valid_from, value_added_percent=percents.value_added,
            finance_percent=percents.finance, insurance_percent=percents.insurance,
            note=note, created_by=actor, created_at=now)
        scheme.full_clean()
        scheme.save()
        rows = [CommissionTier(store=store, scheme=scheme, min_units=tier.min_units,
                               amount_per_unit=tier.amount_per_unit) for tier in tiers]
        for row in rows:
            row.full_clean(exclude=["store", "scheme"])
        CommissionTier.objects.bulk_create(rows)
        audit_log(actor=actor, instance=scheme, action=AuditAction.CREATE,
                  changes={name: [None, value] for name, value in _snapshot(scheme).items()})
    return scheme


def _snapshot(scheme: CommissionScheme) -> dict:
    return {
        "valid_from": scheme.valid_from.isoformat(),
        "value_added_percent": str(scheme.value_added_percent),
        "finance_percent": str(scheme.finance_percent),
        "insurance_percent": str(scheme.insurance_percent),
        "tiers": [[tier.min_units, str(tier.amount_per_unit)]
                  for tier in CommissionTier.objects.filter(scheme=scheme)],
    }
