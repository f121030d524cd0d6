"""The owners' demo completes every second recent file from its contract, through the
customer service, so the data-quality list shows complete and incomplete files."""

from __future__ import annotations

import random

import pytest

from aftersales.demo.owners import seed
from dealership.enums import Gender
from tests.aftersales.factories_owners import owned
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_seed_completes_every_second_recent_file(store, consultant, manager):
    first = CustomerFactory(store=store, owner=consultant, name="甲", id_number="",
                            address="", gender=Gender.UNKNOWN)
    second = CustomerFactory(store=store, owner=consultant, name="乙", id_number="",
                             address="", gender=Gender.UNKNOWN)
    first_contract, _car = owned(consultant, manager, customer=first)
    owned(consultant, manager, customer=second)

    seed(random.Random(7), store=store, scale="small")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.id_number, first.address) == (first_contract.buyer_id_number,
                                                first_contract.buyer_address)
    assert first.gender in (Gender.MALE, Gender.FEMALE)
    assert (second.id_number, second.address, second.gender) == ("", "", "")


def test_seed_twice_changes_nothing_more(store, consultant, manager):
    customer = CustomerFactory(store=store, owner=consultant, id_number="", address="")
    owned(consultant, manager, customer=customer)
    seed(random.Random(7), store=store, scale="small")
    customer.refresh_from_db()
    before = (customer.id_number, customer.address, customer.gender, customer.updated_at)

    seed(random.Random(8), store=store, scale="small")

    customer.refresh_from_db()
    assert (customer.id_number, customer.address, customer.gender,
            customer.updated_at) == before
