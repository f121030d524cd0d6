"""The finance desk's confirmation step (confirming receipt cannot be undone: the step states
amount, payer, method and contract before the one button) and the counters at the top of
the desk, swapped out of band with the row after a confirmation or a refund."""

from __future__ import annotations

import re

import pytest

from contracts.enums import ContractStatus, PaymentKind
from contracts.models import Payment, RefundObligation
from contracts.services.contracts import contract_cancel
from contracts.services.ledger import payment_confirm
from dealership.enums import Role
from dealership.models import AuditEntry
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db

CONFIRM = {"confirm": "received"}


def confirm_url(payment) -> str:
    return f"/delivery/payments/{payment.pk}/confirm/"


def counters(html: str) -> str:
    """The out-of-band counters block of an htmx response."""
    match = re.search(r'<div class="stats finance-stats" id="desk-counters" '
                      r'hx-swap-oob="true">(.*?)\n</div>', html, re.S)
    assert match, "no out-of-band counters in the response"
    return match.group(1)


def count_of(block: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', block).group(1)


@pytest.fixture
def finance(make_user):
    return english(make_user(Role.FINANCE, name="钱会计"))


@pytest.fixture
def signed(consultant, customer, manager):
    """A signed contract whose ¥5,000 deposit (WeChat Pay) waits for finance."""
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


@pytest.fixture
def deposit(signed):
    return Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)


@pytest.fixture
def second_deposit(consultant, manager, store):
    """Another signed contract's ¥5,000 deposit, also waiting."""
    other = make_contract(consultant, CustomerFactory(store=store, owner=consultant),
                          manager=manager, status=ContractStatus.SIGNED)
    return Payment.objects.get(contract=other, kind=PaymentKind.DEPOSIT)


def unchanged(payment) -> bool:
    payment.refresh_from_db()
    return (payment.confirmed_at is None and payment.confirmed_by_id is None
            and not AuditEntry.objects.filter(object_id=str(payment.pk),
                                              content_type__model="payment").exists())


# --- The confirmation step ----------------------------------------------------------------
def test_desk_button_opens_the_step_instead_of_posting(client, finance, deposit):
    client.force_login(finance)

    html = client.get("/delivery/finance/").content.decode()

    row = html[html.index(f'id="payment-row-{deposit.pk}"'):]
    row = row[:row.index("</li>")]
    assert "<form" not in row  # no one-tap POST on the desk
    assert (f'href="/delivery/payments/{deposit.pk}/confirm/" '
            f'hx-get="/delivery/payments/{deposit.pk}/confirm/"') in row


def test_step_page_states_amount_payer_method_and_contract(client, finance, deposit, signed):
    client.force_login(finance)

    response = client.get(confirm_url(deposit))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "delivery/finance_payment_confirm.html"
    assert 'data-testid="confirm-amount">¥5,000.00<' in html
    assert 'data-testid="confirm-payer">张*丰<' in html and "张三丰" not in html
    assert 'data-testid="confirm-method">Deposit · WeChat Pay<' in html
    assert f'data-testid="confirm-contract">{signed.number}<' in html
    assert '<input type="hidden" name="confirm" value="received">' in html
    assert "Yes, ¥5,000.00 received" in html
    assert "hx-post" not in html  # the page's form is a plain POST → redirect
    assert unchanged(deposit)


def test_step_with_htmx_swaps_the_row_for_the_step(client, finance, deposit):
    client.force_login(finance)

    response = client.get(confirm_url(deposit), HTTP_HX_TARGET=f"payment-row-{deposit.pk}",
                          **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="ledger-row" id="payment-row-{deposit.pk}"')
    assert 'data-testid="payment-confirm-step"' in html
    assert f'hx-post="/delivery/payments/{deposit.pk}/confirm/"' in html
    assert unchanged(deposit)


def test_post_without_the_confirmation_changes_nothing(client, finance, deposit):
    client.force_login(finance)

    response = client.post(confirm_url(deposit))

    assert response.status_code == 400
    assert ("Check the amount, the payer and the method, then confirm the receipt."
            in response.content.decode())
    assert 'data-testid="payment-confirm-step"' in response.content.decode()
    assert unchanged(deposit)


def test_htmx_post_with_a_wrong_confirmation_changes_nothing(client, finance, deposit):
    client.force_login(finance)

    response = client.post(confirm_url(deposit), {"confirm": "yes"}, **HTMX)

    assert response.status_code == 400
    assert 'data-testid="payment-confirm-step"' in response.content.decode()
    assert unchanged(deposit)


def test_plain_post_with_the_confirmation_confirms_and_redirects(client, finance, deposit):
    client.force_login(finance)

    response = client.post(confirm_url(deposit), CONFIRM)

    assert response.status_code == 302 and response["Location"] == "/delivery/finance/"
    deposit.refresh_from_db()
    assert deposit.confirmed_by == finance


def test_step_of_a_confirmed_payment_goes_back_to_the_desk(client, finance, deposit):
    payment_confirm(actor=finance, payment=deposit)
    client.force_login(finance)

    response = client.get(confirm_url(deposit))

    assert response.status_code == 302 and response["Location"] == "/delivery/finance/"



def test_step_with_htmx_of_a_confirmed_payment_shows_who_confirmed(client, finance, make_user,
                                                                  deposit):
    payment_confirm(actor=make_user(Role.FINANCE, name="孙出纳", username="fin3"),
                    payment=deposit)
    client.force_login(finance)

    response = client.get(confirm_url(deposit), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="payment-state"' in html and "by 孙出纳" in html
    assert 'data-testid="payment-confirm-step"' not in html


def test_stale_post_without_the_confirmation_on_a_confirmed_payment_is_409(
        client, finance, make_user, deposit):
    first = payment_confirm(actor=make_user(Role.FINANCE, name="孙出纳", username="fin3"),
                            payment=deposit)
    client.force_login(finance)

    response = client.post(confirm_url(deposit), **HTMX)

    assert response.status_code == 409
    deposit.refresh_from_db()
    assert (deposit.confirmed_by.name, deposit.confirmed_at) == ("孙出纳", first.confirmed_at)

def test_step_is_forbidden_to_the_consultant(client, consultant, deposit):
    client.force_login(consultant)

    assert client.get(confirm_url(deposit)).status_code == 403


def test_step_of_another_stores_payment_is_404(client, make_user, other_store, deposit):
    client.force_login(make_user(Role.FINANCE, store=other_store, username="fin2"))

    assert client.get(confirm_url(deposit)).status_code == 404


# --- The counters, out of band -------------------------------------------------------------
def test_confirm_with_htmx_swaps_the_counters_out_of_band(client, finance, deposit,
                                                          second_deposit):
    client.force_login(finance)
    before = client.get("/delivery/finance/").content.decode()
    assert 'data-testid="to-confirm-count">2<' in before

    response = client.post(confirm_url(deposit), CONFIRM, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="ledger-row ledger-row-done" '
                                    f'id="payment-row-{deposit.pk}"')
    block = counters(html)
    # Two deposits of ¥5,000 waited; one is confirmed: one left, ¥5,000.00.
    assert count_of(block, "to-confirm-count") == "1"
    assert "Payments to confirm (¥5,000.00)" in block
    assert count_of(block, "refunds-count") == "0"


def test_confirm_conflict_still_refreshes_the_counters(client, finance, make_user, deposit):
    payment_confirm(actor=make_user(Role.FINANCE, name="孙出纳", username="fin3"),
                    payment=deposit)
    client.force_login(finance)

    response = client.post(confirm_url(deposit), CONFIRM, **HTMX)

    assert response.status_code == 409
    block = counters(response.content.decode())
    assert count_of(block, "to-confirm-count") == "0"
    assert "Payments to confirm (¥0.00)" in block


def test_settle_refund_with_htmx_swaps_the_counters(client, finance, signed, manager):
    contract_cancel(actor=manager, contract=signed, reason="客户放弃购买")
    refund = RefundObligation.objects.get(contract=signed)
    client.force_login(finance)

    response = client.post(f"/delivery/refunds/{refund.pk}/settle/",
                           {f"refund-{refund.pk}-channel": "transfer",
                            f"refund-{refund.pk}-receipt_number": "TK-0009"}, **HTMX)

    assert response.status_code == 200
    block = counters(response.content.decode())
    assert count_of(block, "refunds-count") == "0"
    assert "Refunds owed (¥0.00)" in block


def test_refund_form_asks_before_posting(client, finance, signed, manager):
    contract_cancel(actor=manager, contract=signed, reason="客户放弃购买")
    client.force_login(finance)

    html = client.get("/delivery/finance/").content.decode()

    assert (f'hx-confirm="Record that ¥5,000.00 was paid back on {signed.number}? '
            f'This cannot be undone."') in html

