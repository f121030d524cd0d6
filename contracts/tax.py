"""Vehicle purchase tax (车辆购置税): a pure function on Decimals, no database.

The tax is 10 % of the price excluding VAT: the invoice price (the vehicle price after
discount) ÷ 1.13, times 10 %, rounded half-up to the fen.

New-energy vehicles get relief by purchase date, per the announcement 2023 No. 10 of the
Ministry of Finance, the State Taxation Administration and MIIT:
- 2024-01-01 to 2025-12-31: exempt, the exemption capped at ¥30,000 per vehicle;
- 2026-01-01 to 2027-12-31: halved, the reduction capped at ¥15,000;
- from 2028-01-01: the full tax.

"Qualifying models only": the announcement lists the models in MIIT's catalogue. We
follow the powertrain instead of keeping a per-trim list: a battery electric, plug-in
hybrid or range-extender car qualifies (the catalogue counts range extenders among plug-in
hybrids); a petrol, diesel or self-charging hybrid does not. The purchase date is the
day a quote version is written (a contract keeps its quote version's figures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext

from dealership.enums import Powertrain
from dealership.money import CENT, ZERO, fen

RATE = Decimal("0.10")
VAT = Decimal("1.13")
NEV_POWERTRAINS = frozenset({Powertrain.EV, Powertrain.PHEV, Powertrain.EREV})


@dataclass(frozen=True)
class NevRelief:
    """One period of relief: `share` of the full tax is waived, at most `cap`."""

    starts: dt.date
    ends: dt.date
    share: Decimal
    cap: Decimal


# MOF/STA/MIIT announcement 2023 No. 10.
NEV_RELIEF_2023_10 = (
    NevRelief(dt.date(2024, 1, 1), dt.date(2025, 12, 31), Decimal("1"), Decimal("30000")),
    NevRelief(dt.date(2026, 1, 1), dt.date(2027, 12, 31), Decimal("0.5"), Decimal("15000")),
)


@dataclass(frozen=True)
class PurchaseTax:
    full: Decimal
    relief: Decimal
    due: Decimal


NO_TAX = PurchaseTax(full=ZERO.quantize(CENT), relief=ZERO.quantize(CENT),
                     due=ZERO.quantize(CENT))


def is_nev(powertrain: str) -> bool:
    return powertrain in NEV_POWERTRAINS


def purchase_tax(
    *, price: Decimal, powertrain: str, on: dt.date,
    rules: tuple[NevRelief, ...] = NEV_RELIEF_2023_10, rate: Decimal = RATE,
) -> PurchaseTax:
    """The tax on a vehicle bought for `price` (VAT included) on the day `on`."""
    if price <= 0:
        return NO_TAX
    with localcontext() as ctx:
        ctx.prec = 34
        # Rounded once, at the end: the tax office computes on the unrounded taxable price.
        full = fen(price / VAT * rate)
    relief = ZERO
    if is_nev(powertrain):
        for period in rules:
            if period.starts <= on <= period.ends:
                relief = min(fen(full * period.share), period.cap)
                break
    relief = fen(relief)
    return PurchaseTax(full=full, relief=relief, due=full - relief)
