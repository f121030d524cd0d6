"""The finance desk: deposits recorded at signing that finance confirms, refunds owed by
cancelled contracts that finance settles; who may; the race's loser; query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind, RefundStatus
from contracts.models import Payment, RefundObligation
from contracts.services.contracts import contract_cancel
from contracts.services.ledger import payment_confirm, refund_settle
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db

DESK = "/delivery/finance/"
# The confirmation step's button (tests/delivery/test_finance_desk_confirm.py tests the step).
CONFIRM = {"confirm": "received"}


def confirm_url(payment) -> str:
    return f"/delivery/payments/{payment.pk}/confirm/"


def settle_url(refund) -> str:
    return f"/delivery/refunds/{refund.pk}/settle/"


def settle_data(refund, *, channel="transfer", receipt="TK-0001") -> dict[str, str]:
    return {f"refund-{refund.pk}-channel": channel,
            f"refund-{refund.pk}-receipt_number": receipt}


def audit_of(instance) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk)).order_by("id"))


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, name="钱会计")


@pytest.fixture
def signed(consultant, customer, manager):
    """A signed contract whose ¥5,000 deposit (WeChat Pay) waits for finance."""
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


@pytest.fixture
def deposit(signed):
    return Payment.objects.get(contract=signed, kind=PaymentKind.DEPOSIT)


@pytest.fixture
def refund(signed, manager):
    contract_cancel(actor=manager, contract=signed, reason="客户放弃购买")
    return RefundObligation.objects.get(contract=signed)


def local(moment, store) -> str:
    return timezone.localtime(moment, store.tzinfo).strftime("%Y-%m-%d %H:%M")


# --- The desk -----------------------------------------------------------------------------
def test_desk_lists_deposits_to_confirm(client, finance, deposit, signed):
    client.force_login(finance)

    response = client.get(DESK)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["to_confirm"] == [deposit]
    assert response.context["to_confirm_total"] == Decimal("5000.00")
    assert f'id="payment-row-{deposit.pk}"' in html
    assert signed.number in html
    assert "张*丰" in html and "张三丰" not in html
    assert 'data-testid="payment-amount">¥5,000.00<' in html
    assert f"R{signed.pk:06d}" in html
    assert f'href="/delivery/payments/{deposit.pk}/confirm/"' in html


def test_desk_lists_refunds_owed(client, finance, refund):
    client.force_login(finance)

    response = client.get(DESK)

    html = response.content.decode()
    assert response.context["refunds"] == [refund]
    assert response.context["refunds_total"] == Decimal("5000.00")
    assert 'data-testid="refund-amount">¥5,000.00<' in html
    assert f'name="refund-{refund.pk}-receipt_number"' in html


def test_desk_empty_says_what_comes(client, finance):
    client.force_login(english(finance))

    response = client.get(DESK)

    html = response.content.decode()
    assert response.context["to_confirm"] == [] and response.context["refunds"] == []
    assert "No payment is waiting for confirmation." in html
    assert "No refund is owed." in html


def test_desk_leaves_out_other_stores(client, make_user, other_store, deposit):
    client.force_login(make_user(Role.FINANCE, store=other_store, username="fin2"))

    response = client.get(DESK)

    assert response.context["to_confirm"] == []


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MANAGER])
def test_desk_is_forbidden_to_other_roles(client, make_user, role):
    client.force_login(make_user(role))

    response = client.get(DESK)

    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_desk_query_count_is_constant(client, finance, consultant, manager, store, count,
                                      django_assert_num_queries):
    for n in range(count):
        customer = CustomerFactory(store=store, owner=consultant)
        make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)
        cancelled = make_contract(consultant, customer, manager=manager,
                                  status=ContractStatus.SIGNED)
        contract_cancel(actor=manager, contract=cancelled, reason=f"取消{n}")
    client.force_login(finance)

    # session, user, store (time zone), stock figures, payments to confirm, refunds owed
    with django_assert_num_queries(6):
        response = client.get(DESK)

    assert len(response.context["to_confirm"]) == 2 * count
    assert len(response.context["refunds"]) == count


# --- Confirming a deposit -----------------------------------------------------------------
def test_confirm_deposit(client, finance, deposit):
    client.force_login(finance)

    response = client.post(confirm_url(deposit), CONFIRM)

    deposit.refresh_from_db()
    entries = audit_of(deposit)
    assert response.status_code == 302
    assert response["Location"] == DESK
    assert deposit.confirmed_by == finance
    assert deposit.confirmed_at is not None
    assert [(e.actor, e.action) for e in entries] == [(finance, AuditAction.UPDATE)]
    assert entries[0].changes["confirmed_by"] == [None, {"id": finance.pk, "label": "钱会计"}]


def test_confirm_with_htmx_swaps_the_row(client, finance, deposit):
    client.force_login(english(finance))

    response = client.post(confirm_url(deposit), CONFIRM, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="ledger-row ledger-row-done" '
                                    f'id="payment-row-{deposit.pk}"')
    assert "Payment of ¥5,000.00 confirmed." in html
    assert 'data-testid="payment-state"' in html and "confirm-payment" not in html


def test_confirm_twice_is_409_and_changes_nothing(client, finance, make_user, deposit, store):
    other = make_user(Role.FINANCE, name="孙出纳", username="fin-b")
    first = payment_confirm(actor=other, payment=deposit)
    client.force_login(english(finance))

    response = client.post(confirm_url(deposit), CONFIRM, **HTMX)

    deposit.refresh_from_db()
    assert response.status_code == 409
    assert (f"This payment was already confirmed by 孙出纳 at "
            f"{local(first.confirmed_at, store)}.") in response.content.decode()
    assert deposit.confirmed_by == other
    assert deposit.confirmed_at == first.confirmed_at
    assert len(audit_of(deposit)) == 1


def test_confirm_twice_without_htmx_shows_the_message_on_the_desk(client, finance, deposit,
                                                                  store):
    first = payment_confirm(actor=finance, payment=deposit)
    client.force_login(english(finance))

    response = client.post(confirm_url(deposit), CONFIRM)

    assert response.status_code == 409
    assert [str(m) for m in response.context["messages"]] == [
        f"This payment was already confirmed by 钱会计 at {local(first.confirmed_at, store)}."]
    deposit.refresh_from_db()
    assert (deposit.confirmed_by, deposit.confirmed_at) == (finance, first.confirmed_at)
    assert len(audit_of(deposit)) == 1  # the first confirmation's row only


def test_confirm_is_forbidden_to_the_consultant(client, consultant, deposit):
    client.force_login(consultant)

    response = client.post(confirm_url(deposit), CONFIRM)

    deposit.refresh_from_db()
    assert response.status_code == 403
    assert deposit.confirmed_at is None


def test_confirm_of_another_stores_payment_is_404(client, make_user, other_store, deposit):
    client.force_login(make_user(Role.FINANCE, store=other_store, username="fin2"))

    response = client.post(confirm_url(deposit), CONFIRM)

    deposit.refresh_from_db()
    assert response.status_code == 404
    assert deposit.confirmed_at is None


def test_confirm_service_refuses_another_stores_finance(make_user, other_store, deposit):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        payment_confirm(actor=make_user(Role.FINANCE, store=other_store, username="fin2"),
                        payment=deposit)


# --- Settling a refund --------------------------------------------------------------------
def test_settle_refund_writes_the_payment_and_marks_it_paid(client, finance, refund, signed):
    client.force_login(finance)

    response = client.post(settle_url(refund), settle_data(refund))

    refund.refresh_from_db()
    payment = Payment.objects.get(contract=signed, kind=PaymentKind.REFUND)
    assert response.status_code == 302
    assert response["Location"] == DESK
    assert refund.status == RefundStatus.PAID
    assert refund.settled_by == finance
    assert (payment.amount, payment.channel, payment.receipt_number) == (
        Decimal("5000.00"), PaymentChannel.TRANSFER, "TK-0001")
    assert (payment.recorded_by, payment.confirmed_by) == (finance, finance)
    assert payment.confirmed_at == refund.settled_at
    assert [e.changes for e in audit_of(refund)] == [{"status": ["due", "paid"]}]
    assert [e.action for e in audit_of(payment)] == [AuditAction.CREATE]


def test_settle_refund_with_htmx_swaps_the_row(client, finance, refund):
    client.force_login(english(finance))

    response = client.post(settle_url(refund), settle_data(refund), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="ledger-row ledger-row-done" '
                                    f'id="refund-row-{refund.pk}"')
    assert 'data-testid="refund-state"' in html and "settle-refund" not in html


def test_settle_twice_is_409_and_writes_no_second_payment(client, finance, refund, signed,
                                                          store):
    settled = refund_settle(actor=finance, refund=refund, channel=PaymentChannel.CASH,
                            receipt_number="TK-0001")
    client.force_login(english(finance))

    response = client.post(settle_url(refund), settle_data(refund, receipt="TK-0002"),
                           **HTMX)

    assert response.status_code == 409
    assert (f"This refund was already paid by 钱会计 at {local(settled.settled_at, store)}."
            in response.content.decode())
    assert Payment.objects.filter(contract=signed, kind=PaymentKind.REFUND).count() == 1


def test_settle_without_receipt_is_400_with_the_input_kept(client, finance, refund):
    client.force_login(english(finance))

    response = client.post(settle_url(refund), settle_data(refund, receipt=" "), **HTMX)

    refund.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 400
    assert refund.status == RefundStatus.DUE
    assert "Enter the refund&#x27;s receipt or transfer number." in html
    assert '<option value="transfer" selected>' in html


def test_settle_with_a_receipt_already_in_the_ledger_is_400(client, finance, refund, signed):
    client.force_login(english(finance))

    response = client.post(settle_url(refund), settle_data(refund, receipt=f"R{signed.pk:06d}"))

    refund.refresh_from_db()
    assert response.status_code == 400
    assert response.context["refunds"][0].form.errors["receipt_number"] == [
        "This receipt number is already in the ledger."]
    assert refund.status == RefundStatus.DUE


def test_settle_is_forbidden_to_the_manager(client, manager, refund):
    client.force_login(manager)

    response = client.post(settle_url(refund), settle_data(refund))

    refund.refresh_from_db()
    assert response.status_code == 403
    assert refund.status == RefundStatus.DUE


# --- Times in refusals are the store's ---------------------------------------------------
def test_refusals_tell_the_time_in_the_stores_time_zone(finance, deposit, refund, store):
    """Outside a request (a task, the shell) no store time zone is active: the service
    itself must speak the store's local time."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    store.timezone = "America/Los_Angeles"
    store.save(update_fields=["timezone"])
    first = payment_confirm(actor=finance, payment=deposit)
    settled = refund_settle(actor=finance, refund=refund, channel=PaymentChannel.CASH,
                            receipt_number="TK-0001")

    with translation.override("en"), pytest.raises(ValidationError) as confirmed:
        payment_confirm(actor=finance, payment=deposit)
    with translation.override("en"), pytest.raises(ValidationError) as paid:
        refund_settle(actor=finance, refund=refund, channel=PaymentChannel.CASH,
                      receipt_number="TK-0002")

    assert confirmed.value.messages == [
        f"This payment was already confirmed by 钱会计 at {local(first.confirmed_at, store)}."]
    assert paid.value.messages == [
        f"This refund was already paid by 钱会计 at {local(settled.settled_at, store)}."]
