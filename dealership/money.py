"""Money helpers shared by every stage: CNY amounts are `Decimal`, rounded half-up to the
fen (分) at each printed or stored figure. One copy here, so a stage never redefines zero
or its rounding rule."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def fen(value: Decimal) -> Decimal:
    """`value` rounded half-up to the fen, the rounding of Chinese invoices and contracts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
