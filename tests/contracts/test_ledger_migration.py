"""The payments ledger's move from delivery to contracts (contracts 0002, delivery 0002) on
a database made before it, with payments and refunds in it: every row keeps its values and
reads through the contracts models, and what pointed at the old content types (permissions,
their grants, audit rows) follows the models. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from contracts.enums import ContractStatus, PaymentChannel, PaymentKind, RefundStatus
from contracts.models import Payment, RefundObligation
from contracts.services.contracts import contract_cancel
from contracts.services.ledger import payment_confirm
from dealership.enums import Role
from dealership.models import AuditEntry, User
from tests.contracts.factories import make_contract
from tests.contracts.factories_services import customer_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The last migrations before the ledger moved.
BEFORE = [("contracts", "0001_initial"), ("delivery", "0001_initial")]
LEDGER_MODELS = ("payment", "refundobligation")


@pytest.fixture
def old_database():
    """The database migrated back to BEFORE; its historical models. Whatever the test does,
    the database is left at the latest migrations, as every other test expects."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    ContentType.objects.clear_cache()
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.fixture
def ledger(consultant, manager):
    """Rows written by the services before the move: a deposit finance confirmed, and a
    signed contract cancelled with its refund owed."""
    finance = UserFactory(role=Role.FINANCE, store=consultant.store, username="fin-mig")
    kept = make_contract(consultant, customer_of(consultant), manager=manager,
                         status=ContractStatus.SIGNED)
    payment_confirm(actor=finance, payment=Payment.objects.get(contract=kept))
    cancelled = make_contract(consultant, customer_of(consultant), manager=manager,
                              status=ContractStatus.SIGNED, deposit=Decimal("8000"))
    contract_cancel(actor=manager, contract=cancelled, reason="客户放弃")
    return {"finance": finance, "kept": kept, "cancelled": cancelled}


def add_old_rows(apps, ledger) -> None:
    """Rows written through the old delivery models, as the code before the move did: a
    balance paid by transfer (not yet confirmed) and a refund already paid back."""
    OldPayment = apps.get_model("delivery", "Payment")
    OldRefund = apps.get_model("delivery", "RefundObligation")
    kept, cancelled, finance = ledger["kept"], ledger["cancelled"], ledger["finance"]
    moment = dt.datetime(2026, 11, 3, 10, 30, tzinfo=dt.UTC)
    OldPayment.objects.create(
        store_id=kept.store_id, contract_id=kept.pk, kind="balance", channel="transfer",
        amount=Decimal("152345.67"), receipt_number="ZZ-20261103-1", received_at=moment,
        recorded_by_id=kept.consultant_id)
    OldPayment.objects.create(
        store_id=cancelled.store_id, contract_id=cancelled.pk, kind="refund",
        channel="card", amount=Decimal("8000.00"), receipt_number="TK-1",
        received_at=moment, recorded_by_id=finance.pk, confirmed_by_id=finance.pk,
        confirmed_at=moment)
    OldRefund.objects.filter(contract_id=cancelled.pk).update(
        status="paid", settled_by_id=finance.pk, settled_at=moment)


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def test_the_ledger_rows_types_and_grants_follow_the_move(ledger, old_database):
    """On a database made before the move: every payment and refund is read by the
    contracts models; the content types are delivery's and are renamed in place, so their
    ids, permissions, grants and audit rows stay attached; and the ledger keeps working.
    (One test: each migrates the database back and forth, about a minute on SQLite.)"""
    add_old_rows(old_database, ledger)
    payments_before = rows(old_database.get_model("delivery", "Payment"))
    refunds_before = rows(old_database.get_model("delivery", "RefundObligation"))
    old_types = {ct.model: ct.pk for ct in ContentType.objects.filter(
        app_label="delivery", model__in=LEDGER_MODELS)}
    desk = Group.objects.create(name="前台财务")
    desk.permissions.add(Permission.objects.get(content_type_id=old_types["payment"],
                                                codename="view_payment"))
    cashier = UserFactory(role=Role.RECEPTIONIST, store=ledger["kept"].store,
                          username="cashier-mig")
    cashier.user_permissions.add(Permission.objects.get(
        content_type_id=old_types["refundobligation"], codename="change_refundobligation"))
    audited = AuditEntry.objects.filter(content_type_id=old_types["payment"]).count()

    migrate_to_latest()

    # The rows.
    assert rows(Payment) == payments_before
    assert rows(RefundObligation) == refunds_before
    assert [(p.contract_id, p.kind, p.channel, p.amount, p.receipt_number)
            for p in Payment.objects.order_by("pk")] == [
        (ledger["kept"].pk, PaymentKind.DEPOSIT, PaymentChannel.WECHAT, Decimal("5000.00"),
         f"R{ledger['kept'].pk:06d}"),
        (ledger["cancelled"].pk, PaymentKind.DEPOSIT, PaymentChannel.WECHAT,
         Decimal("8000.00"), f"R{ledger['cancelled'].pk:06d}"),
        (ledger["kept"].pk, PaymentKind.BALANCE, PaymentChannel.TRANSFER,
         Decimal("152345.67"), "ZZ-20261103-1"),
        (ledger["cancelled"].pk, PaymentKind.REFUND, PaymentChannel.CARD, Decimal("8000.00"),
         "TK-1"),
    ]
    refund = RefundObligation.objects.select_related("contract", "settled_by").get()
    assert (refund.contract, refund.amount, refund.reason, refund.status, refund.settled_by,
            refund.settled_at) == (
        ledger["cancelled"], Decimal("8000.00"), "客户放弃", RefundStatus.PAID,
        ledger["finance"], dt.datetime(2026, 11, 3, 10, 30, tzinfo=dt.UTC))
    assert ledger["cancelled"].refund_obligation == refund

    # The content types, their grants and audit rows.
    new_types = {ct.model: ct.pk for ct in ContentType.objects.filter(
        app_label="contracts", model__in=LEDGER_MODELS)}
    assert new_types == old_types
    assert not ContentType.objects.filter(app_label="delivery",
                                          model__in=LEDGER_MODELS).exists()
    assert ContentType.objects.get_for_model(Payment).pk == old_types["payment"]
    assert list(desk.permissions.values_list("content_type__app_label", "codename")) == [
        ("contracts", "view_payment")]
    cashier = User.objects.get(pk=cashier.pk)
    assert (cashier.has_perm("contracts.change_refundobligation"),
            cashier.has_perm("delivery.change_refundobligation")) == (True, False)
    assert audited == 1  # the deposit's confirmation
    assert AuditEntry.objects.filter(content_type_id=new_types["payment"]).count() == audited

    # The ledger keeps working after the move.
    balance = Payment.objects.create(
        store=ledger["kept"].store, contract=ledger["kept"], kind=PaymentKind.BALANCE,
        channel=PaymentChannel.CASH, amount=Decimal("1.00"), receipt_number="NEW-1",
        received_at=timezone.now(), recorded_by=ledger["kept"].consultant)
    assert Payment.objects.filter(contract=ledger["kept"]).count() == 3
    assert balance.pk > Payment.objects.exclude(pk=balance.pk).latest("pk").pk


def test_content_types_made_meanwhile_are_merged(ledger, old_database):
    """When the contracts content types exist already (post_migrate ran between the two
    steps of a partial migrate), the old ones are merged into them: their grants and audit
    rows move over, no permission is left twice, and the old rows are gone."""
    old_payment = ContentType.objects.get(app_label="delivery", model="payment")
    old = {p.codename: p for p in Permission.objects.filter(content_type=old_payment)}
    old_view, old_change = old["view_payment"], old["change_payment"]
    new_payment = ContentType.objects.create(app_label="contracts", model="payment")
    new_view = Permission.objects.create(content_type=new_payment, codename="view_payment",
                                         name="Can view payment")
    both = Group.objects.create(name="两边都有")
    both.permissions.add(old_view, new_view)
    old_only = Group.objects.create(name="只有旧的")
    old_only.permissions.add(old_view, old_change)
    audited = AuditEntry.objects.filter(content_type=old_payment).count()

    migrate_to_latest()

    assert not ContentType.objects.filter(pk=old_payment.pk).exists()
    assert ContentType.objects.get_for_model(Payment).pk == new_payment.pk
    assert sorted(Permission.objects.filter(content_type=new_payment)
                  .values_list("codename", "pk")) == [
        ("add_payment", old["add_payment"].pk), ("change_payment", old_change.pk),
        ("delete_payment", old["delete_payment"].pk), ("view_payment", new_view.pk)]
    assert not Permission.objects.filter(pk=old_view.pk).exists()
    assert list(both.permissions.values_list("pk", flat=True)) == [new_view.pk]
    assert sorted(old_only.permissions.values_list("pk", flat=True)) == sorted(
        [new_view.pk, old_change.pk])
    assert audited == 1
    assert AuditEntry.objects.filter(content_type=new_payment).count() == audited
