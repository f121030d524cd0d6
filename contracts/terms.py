"""The standard terms printed in every sales contract, unless the store wrote its own
(DiscountPolicy.contract_terms, one term per line).

The built-in terms follow the usual structure of a Chinese vehicle sales contract
(汽车销售合同示范文本) and the Civil Code's rules on deposits (定金, art. 586–587):
a deposit is at most 20 % of the contract amount; the party that gave it and fails to
perform loses it, the party that took it and fails to perform returns twice the amount.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STANDARD_TERMS = (
    _("Delivery. The seller delivers the vehicle at its premises on or before the promised "
      "delivery date, together with the certificate of conformity, the purchase invoice, "
      "the warranty booklet, the owner's manual and all keys. If it cannot deliver on "
      "time, it tells the buyer in writing without delay and the parties agree on a new "
      "date."),
    _("Inspection at delivery. The buyer inspects the vehicle's appearance, equipment, VIN "
      "and mileage together with the seller at delivery and signs the delivery "
      "confirmation. Visible defects raised at delivery are repaired or the parts replaced "
      "by the seller at its cost before the vehicle is handed over."),
    _("Transfer of ownership and risk. Ownership of the vehicle and the risk of its damage "
      "or loss pass to the buyer when the vehicle is handed over and the delivery "
      "confirmation is signed."),
    _("Warranty. The vehicle is covered by the manufacturer's warranty and by the national "
      "rules on the repair, replacement and return of household motor vehicles, as set "
      "out in the warranty booklet. Warranty work is carried out by service centres "
      "authorised by the manufacturer."),
    _("Payment of the balance. The buyer pays the balance (with a loan: the down payment) "
      "before delivery; the deposit is credited against it. With a loan the vehicle is "
      "delivered once the lender has approved the loan. The seller issues a receipt for "
      "every payment and the vehicle invoice at delivery."),
    _("Cancellation and the deposit. The deposit stated in this contract is a deposit "
      "(定金) under articles 586 and 587 of the Civil Code. If the buyer cancels the "
      "contract or fails to perform it without a legal reason, the deposit is forfeited. "
      "If the seller fails to deliver the vehicle as agreed, it returns twice the deposit. "
      "Other amounts paid are refunded within 15 working days of a cancellation."),
    _("Disputes. Disputes arising from this contract are settled by negotiation; failing "
      "that, either party may bring proceedings before the people's court of the place "
      "where the seller is located."),
    _("Effect. This contract takes effect when signed by both parties. It is made in two "
      "copies of equal force, one for each party. Amendments are valid only in writing."),
)


def contract_terms(*, store_terms: str, extra_terms: str = "") -> tuple[list[str], list[str]]:
    """The terms of one contract in print order: the store's own terms (one per line) or,
    when it has none, the built-in ones; and the contract's additional terms."""
    terms = _lines(store_terms) or [str(term) for term in STANDARD_TERMS]
    return terms, _lines(extra_terms)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
