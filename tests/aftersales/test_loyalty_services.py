"""Referrals and points: the services, and the contract hooks that credit and reverse."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from aftersales.enums import LeadEventKind, PointsEntryKind
from aftersales.models import CareSettings, LoyaltyAccount, PointsEntry, Referral, ServicePackage
from aftersales.services.loyalty import (
    package_create,
    package_update,
    points_adjust,
    points_redeem,
)
from contracts.enums import ContractStatus
from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry, Customer
from leads.enums import Channel, LeadStatus
from leads.models import Lead, LeadEvent
from tests.aftersales.factories_loyalty import (
    FRIEND_PHONE,
    ServicePackageFactory,
    balance_of,
    cancel,
    owner,
    refer,
    sign_friend,
)
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def carer(make_user):
    return make_user(Role.CUSTOMER_CARE, name="钱客服")


@pytest.fixture
def advisor(make_user):
    return make_user(Role.SERVICE_ADVISOR, name="孙顾问")


@pytest.fixture
def referrer(consultant, manager):
    return owner(consultant, manager, name="张车主", phone="+8613800000001")



# --- Referral -----------------------------------------------------------------------------
def test_referral_create_makes_a_referral_lead_for_the_referrers_consultant(
        consultant, carer, referrer):
    referral = refer(carer, referrer, model_interest="Model Y", note="周末来店",
                     marketing_consent=True)

    lead = referral.lead
    friend = Customer.objects.get(pk=lead.customer_id)
    assert (referral.store_id, referral.referrer_id, referral.created_by_id,
            referral.contract_id) == (referrer.store_id, referrer.pk, carer.pk, None)
    assert (lead.channel, lead.owner_id, lead.status, lead.model_interest, lead.note) == (
        Channel.REFERRAL, consultant.pk, LeadStatus.NEW, "Model Y", "周末来店")
    assert (friend.name, friend.phone, friend.marketing_consent, friend.owner_id) == (
        "李朋友", FRIEND_PHONE, True, consultant.pk)
    event = LeadEvent.objects.get(lead=lead, kind=LeadEventKind.REFERRAL)
    assert (event.actor_id, event.note, event.data) == (
        carer.pk, "Referred by 张车主", {"referrer": referrer.pk, "referral": referral.pk})
    audit = AuditEntry.objects.get(object_id=str(referral.pk), action=AuditAction.CREATE,
                                   content_type__model="referral")
    assert audit.actor_id == carer.pk


def test_referral_create_with_an_inactive_consultant_routes_the_lead(consultant, carer,
                                                                    referrer, teammate):
    consultant.is_active = False
    consultant.save(update_fields=["is_active"])
    referrer.refresh_from_db()

    referral = refer(carer, referrer)

    assert referral.lead.owner_id != consultant.pk


def test_referral_create_refuses_a_self_referral(carer, referrer):
    with pytest.raises(ValidationError) as error:
        refer(carer, referrer, phone=referrer.phone)

    assert list(error.value.message_dict) == ["phone"]
    assert (Referral.objects.count(), Lead.objects.filter(
        channel=Channel.REFERRAL).count()) == (0, 0)


def test_referral_create_refuses_a_friend_whose_lead_is_already_referred(
        consultant, manager, carer, referrer):
    refer(carer, referrer)
    other = owner(consultant, manager, name="另一车主", phone="+8613800000002")
    events_before = LeadEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        refer(carer, other)

    assert error.value.message_dict == {
        "phone": ["This friend is already referred (their open lead has a referral)."]}
    assert Referral.objects.count() == 1
    assert LeadEvent.objects.count() == events_before  # the enquiry is rolled back too


def test_referral_create_refuses_a_customer_without_a_delivered_car(consultant, manager,
                                                                   carer, customer):
    make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)

    with pytest.raises(ValidationError) as error:
        refer(carer, customer)

    assert error.value.messages == [
        "张三丰 has no delivered car yet: only owners can refer friends."]
    assert not Customer.objects.filter(phone=FRIEND_PHONE).exists()


def test_referral_create_refuses_a_consultant_of_another_book(teammate, referrer):
    with pytest.raises(PermissionDenied):
        refer(teammate, referrer)

    assert Referral.objects.count() == 0


def test_referral_create_refuses_a_service_advisor(advisor, referrer):
    with pytest.raises(PermissionDenied):
        refer(advisor, referrer)


# --- Credit and reversal ------------------------------------------------------------------
def test_signing_the_referred_leads_contract_credits_the_referrer_once(
        consultant, manager, carer, referrer):
    CareSettings.objects.create(store=referrer.store, referral_points=3000)
    referral = refer(carer, referrer)

    contract = sign_friend(referral, consultant, manager)

    entry = PointsEntry.objects.get()
    assert (entry.kind, entry.points, entry.balance_after, entry.referral_id,
            entry.created_by_id, entry.note) == (
        PointsEntryKind.REFERRAL_CREDIT, 3000, 3000, referral.pk, consultant.pk,
        f"Contract {contract.number} signed")
    assert balance_of(referrer) == 3000
    referral.refresh_from_db()
    assert referral.contract_id == contract.pk


def test_a_second_contract_of_the_same_lead_credits_nothing_more(consultant, manager, carer,
                                                                 referrer):
    referral = refer(carer, referrer)
    sign_friend(referral, consultant, manager)

    sign_friend(referral, consultant, manager)  # the friend buys a second car

    assert list(PointsEntry.objects.values_list("kind", "points")) == [
        (PointsEntryKind.REFERRAL_CREDIT, 2000)]
    assert balance_of(referrer) == 2000


def test_signing_a_lead_without_a_referral_credits_nothing(consultant, manager, customer):
    lead = LeadFactory(store=customer.store, customer=customer, owner=consultant)

    make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED,
                  lead=lead)

    assert (PointsEntry.objects.count(), LoyaltyAccount.objects.count()) == (0, 0)


def test_cancelling_the_credited_contract_reverses_the_points(consultant, manager, carer,
                                                             referrer):
    referral = refer(carer, referrer)
    contract = sign_friend(referral, consultant, manager)

    cancel(contract, manager)

    assert list(PointsEntry.objects.order_by("id").values_list(
        "kind", "points", "balance_after", "note")) == [
        (PointsEntryKind.REFERRAL_CREDIT, 2000, 2000, f"Contract {contract.number} signed"),
        (PointsEntryKind.REFERRAL_REVERSAL, -2000, 0, f"Contract {contract.number} cancelled"),
    ]
    assert balance_of(referrer) == 0


def test_cancelling_an_unsigned_contract_of_the_referred_lead_reverses_nothing(
        consultant, manager, carer, referrer):
    referral = refer(carer, referrer)
    lead = referral.lead

    make_contract(consultant, Customer.objects.get(pk=lead.customer_id), manager=manager,
                  status=ContractStatus.CANCELLED, lead=lead)

    assert PointsEntry.objects.count() == 0


def test_reversal_after_the_points_were_spent_takes_back_what_is_left(
        consultant, manager, carer, referrer):
    referral = refer(carer, referrer)
    contract = sign_friend(referral, consultant, manager)
    package = ServicePackageFactory(store=referrer.store, points=1500, name="首保")
    points_redeem(actor=carer, customer=referrer, package=package)

    cancelled = cancel(contract, manager)

    assert cancelled.status == ContractStatus.CANCELLED
    reversal = PointsEntry.objects.get(kind=PointsEntryKind.REFERRAL_REVERSAL)
    assert (reversal.points, reversal.balance_after, reversal.note) == (
        -500, 0, f"Contract {contract.number} cancelled; 1500 of the 2000 points were "
                 "already spent and could not be taken back")
    assert balance_of(referrer) == 0


def test_reversal_with_everything_spent_records_a_zero_entry_and_cancels(
        consultant, manager, carer, referrer):
    referral = refer(carer, referrer)
    contract = sign_friend(referral, consultant, manager)
    package = ServicePackageFactory(store=referrer.store, points=2000)
    points_redeem(actor=carer, customer=referrer, package=package)

    cancel(contract, manager)

    reversal = PointsEntry.objects.get(kind=PointsEntryKind.REFERRAL_REVERSAL)
    assert (reversal.points, reversal.balance_after) == (0, 0)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CANCELLED


# --- Redemption ---------------------------------------------------------------------------
@pytest.fixture
def credited(consultant, manager, carer, referrer):
    """The referrer with 2000 points from a friend's signed contract."""
    sign_friend(refer(carer, referrer), consultant, manager)
    return referrer


def test_points_redeem_takes_the_packages_points(carer, credited):
    package = ServicePackageFactory(store=credited.store, points=1500, name="首保")

    entry = points_redeem(actor=carer, customer=credited, package=package)

    assert (entry.kind, entry.points, entry.balance_after, entry.package_id, entry.note,
            entry.created_by_id) == (PointsEntryKind.REDEMPTION, -1500, 500, package.pk,
                                     "首保", carer.pk)
    assert balance_of(credited) == 500


def test_points_redeem_refuses_a_short_balance_naming_the_field(carer, credited):
    package = ServicePackageFactory(store=credited.store, points=2500, name="全年洗车卡")

    with pytest.raises(ValidationError) as error:
        points_redeem(actor=carer, customer=credited, package=package)

    assert error.value.message_dict == {"package": [
        "全年洗车卡 costs 2500 points; the balance is 2000, 500 points short."]}
    assert PointsEntry.objects.filter(kind=PointsEntryKind.REDEMPTION).count() == 0
    assert balance_of(credited) == 2000


def test_points_redeem_without_an_account_is_short_by_the_whole_price(carer, referrer):
    package = ServicePackageFactory(store=referrer.store, points=100, name="洗车")

    with pytest.raises(ValidationError) as error:
        points_redeem(actor=carer, customer=referrer, package=package)

    assert error.value.message_dict == {"package": [
        "洗车 costs 100 points; the balance is 0, 100 points short."]}
    assert PointsEntry.objects.count() == 0


def test_points_redeem_refuses_a_retired_package(carer, credited):
    package = ServicePackageFactory(store=credited.store, points=100, active=False)

    with pytest.raises(ValidationError) as error:
        points_redeem(actor=carer, customer=credited, package=package)

    assert list(error.value.message_dict) == ["package"]
    assert balance_of(credited) == 2000


def test_points_redeem_refuses_a_consultant(consultant, credited):
    package = ServicePackageFactory(store=credited.store, points=100)

    with pytest.raises(PermissionDenied):
        points_redeem(actor=consultant, customer=credited, package=package)

    assert balance_of(credited) == 2000


def test_the_database_refuses_a_negative_balance(credited):
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyAccount.objects.filter(customer=credited).update(balance=-1)


def test_the_database_keeps_one_account_per_customer(credited):
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyAccount.objects.create(store=credited.store, customer=credited)

    assert LoyaltyAccount.objects.filter(customer=credited).count() == 1


# --- Adjustment ---------------------------------------------------------------------------
def test_points_adjust_by_the_manager_with_a_reason(manager, credited):
    entry = points_adjust(actor=manager, customer=credited, points=-300, reason="重复入账")

    assert (entry.kind, entry.points, entry.balance_after, entry.note) == (
        PointsEntryKind.ADJUSTMENT, -300, 1700, "重复入账")


def test_points_adjust_refuses_taking_the_balance_below_zero(manager, credited):
    with pytest.raises(ValidationError) as error:
        points_adjust(actor=manager, customer=credited, points=-2001, reason="更正")

    assert error.value.message_dict == {"points": [
        "The balance is 2000 points: at most 2000 can be taken off."]}
    assert balance_of(credited) == 2000


def test_points_adjust_refuses_no_reason_and_zero(manager, credited):
    with pytest.raises(ValidationError) as error:
        points_adjust(actor=manager, customer=credited, points=0, reason=" ")

    assert sorted(error.value.message_dict) == ["points", "reason"]


def test_points_adjust_refuses_customer_care(carer, credited):
    with pytest.raises(PermissionDenied):
        points_adjust(actor=carer, customer=credited, points=100, reason="好意")


# --- Packages -----------------------------------------------------------------------------
def test_package_create_and_retire(manager, store):
    package = package_create(actor=manager, store=store, name=" 首保套餐 ", points=1200,
                             description="机油机滤")

    retired = package_update(actor=manager, package=package, name="首保套餐", points=1200,
                             description="机油机滤", active=False)

    assert (retired.name, retired.points, retired.active) == ("首保套餐", 1200, False)
    audit = AuditEntry.objects.filter(object_id=str(package.pk),
                                      content_type__model="servicepackage")
    assert list(audit.order_by("id").values_list("action", flat=True)) == [
        AuditAction.CREATE, AuditAction.UPDATE]


def test_package_create_refuses_zero_points_naming_the_field(manager, store):
    with pytest.raises(ValidationError) as error:
        package_create(actor=manager, store=store, name="洗车", points=0)

    assert list(error.value.message_dict) == ["points"]
    assert ServicePackage.objects.count() == 0


def test_package_create_refuses_customer_care(carer, store):
    with pytest.raises(PermissionDenied):
        package_create(actor=carer, store=store, name="洗车", points=100)


def test_referral_friend_is_an_existing_customer_with_an_open_lead(consultant, carer, referrer,
                                                                  store):
    friend = CustomerFactory(store=store, owner=consultant, phone=FRIEND_PHONE, name="老客户")
    lead = LeadFactory(store=store, customer=friend, owner=consultant)

    referral = refer(carer, referrer)

    assert referral.lead_id == lead.pk
    assert Lead.objects.filter(customer=friend).count() == 1
