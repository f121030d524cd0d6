"""Insurance policies on a signed contract (issue 11 item 4): the start within −30..+365
days of the store's today, the end after the start and at most a year and a day later,
one policy number per insurer; who may; fields named; refused changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.enums import ContractStatus
from dealership.enums import Role
from delivery.enums import InsuranceKind
from delivery.models import InsurancePolicy
from delivery.services.finance import insurance_add, policy_latest_end
from tests.contracts.factories import make_contract
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def signed(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager, status=ContractStatus.SIGNED)


def add(actor, contract, **overrides):
    today = contract.store.today()
    values = {"insurer": "中国人保", "kind": InsuranceKind.COMPULSORY,
              "premium": Decimal("950"), "policy_number": "PICC-001", "starts_on": today,
              "ends_on": policy_latest_end(today)}
    values.update(overrides)
    return insurance_add(actor=actor, contract=contract, **values)


def test_a_policy_is_recorded(signed, consultant):
    policy = add(consultant, signed)
    assert (policy.contract, policy.store_id, policy.created_by) == (signed, signed.store_id,
                                                                     consultant)


def test_a_year_and_a_day_is_the_longest_policy():
    assert policy_latest_end(dt.date(2026, 3, 1)) == dt.date(2027, 3, 2)
    assert policy_latest_end(dt.date(2028, 2, 29)) == dt.date(2029, 3, 1)


@pytest.mark.parametrize(("start", "end", "field"), [
    (-31, 100, "starts_on"),
    (366, 500, "starts_on"),
    (0, 0, "ends_on"),
    (0, -1, "ends_on"),
])
def test_dates_out_of_range_are_field_errors(signed, consultant, start, end, field):
    today = signed.store.today()
    with pytest.raises(ValidationError) as refused:
        add(consultant, signed, starts_on=today + dt.timedelta(days=start),
            ends_on=today + dt.timedelta(days=end))
    assert field in refused.value.message_dict
    assert not InsurancePolicy.objects.exists()


def test_more_than_a_year_and_a_day_is_refused(signed, consultant):
    today = signed.store.today()
    with pytest.raises(ValidationError) as refused:
        add(consultant, signed, ends_on=policy_latest_end(today) + dt.timedelta(days=1))
    assert list(refused.value.message_dict) == ["ends_on"]


def test_the_policy_number_is_unique_per_insurer(signed, consultant):
    add(consultant, signed)
    with pytest.raises(ValidationError) as refused:
        add(consultant, signed, kind=InsuranceKind.COMMERCIAL)
    assert refused.value.message_dict == {
        "policy_number": ["This insurer's policy number is already recorded."]}
    add(consultant, signed, insurer="平安保险")  # another insurer may use the same number
    assert InsurancePolicy.objects.count() == 2


def test_another_store_may_record_the_same_policy_number(signed, consultant, other_store,
                                                         outsider):
    add(consultant, signed)
    their_manager = UserFactory(username="mgr2", role=Role.MANAGER, store=other_store)
    theirs = make_contract(outsider, CustomerFactory(store=other_store, owner=outsider),
                           manager=their_manager, status=ContractStatus.SIGNED)

    policy = add(outsider, theirs)

    rows = InsurancePolicy.objects.values_list("store", "insurer", "policy_number")
    assert sorted(rows) == sorted([(signed.store_id, "中国人保", "PICC-001"),
                                   (other_store.pk, "中国人保", "PICC-001")])
    assert policy.contract == theirs


def test_missing_fields_are_named(signed, consultant):
    with pytest.raises(ValidationError) as refused:
        add(consultant, signed, insurer="", kind="life", premium=Decimal("0"),
            policy_number=" ", starts_on=None, ends_on=None)
    assert set(refused.value.message_dict) == {"insurer", "kind", "premium", "policy_number",
                                               "starts_on", "ends_on"}


def test_another_consultant_may_not_add(signed, teammate, make_user):
    with pytest.raises(PermissionDenied):
        add(teammate, signed)
    add(make_user(Role.FINANCE), signed)  # the store's finance may
    assert InsurancePolicy.objects.count() == 1
