"""`{% money_card contract as card %}`: the contract page's "Payment, loan and insurance"
card data in a fixed number of queries (four), or None for a contract not yet signed or
cancelled."""

from __future__ import annotations

from django import template

from delivery.selectors.money import MONEY_PANEL_STATUSES, MoneyPanel, money_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def money_card(context, contract) -> MoneyPanel | None:
    if contract is None or contract.status not in MONEY_PANEL_STATUSES:
        return None
    from contracts.permissions import can_handle_payments
    from delivery.services.finance import can_arrange_finance, can_set_payment_date

    user = context.get("user") or getattr(context.get("request"), "user", None)
    card = money_panel(contract)
    collecting = contract.status != "closed"
    card.can_record = bool(user) and collecting and can_handle_payments(user, contract.store_id)
    card.can_arrange = bool(user) and collecting and can_arrange_finance(user, contract)
    card.can_set_date = bool(user) and collecting and can_set_payment_date(user, contract)
    return card
