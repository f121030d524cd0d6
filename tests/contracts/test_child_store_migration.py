"""contracts 0008/0009 on a database made before them: the quote versions, contract events
and contract PDFs written then get their parent's store. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from contracts.enums import ContractStatus
from contracts.models import ContractDocument, ContractEvent, QuoteVersion
from tests.contracts.factories import make_contract
from tests.contracts.factories_services import customer_of
from tests.factories import StoreFactory, UserFactory
from tests.helpers import migrated_back

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contracts", "0007_signed_index")]


def test_children_get_the_store_of_their_quote_or_contract(consultant, manager):
    elsewhere = StoreFactory(code="OTHER")
    seller = UserFactory(role=consultant.role, store=elsewhere, username="seller-2")
    boss = UserFactory(role=manager.role, store=elsewhere, username="boss-2")
    contracts = [
        make_contract(consultant, customer_of(consultant), manager=manager,
                      status=ContractStatus.SIGNED),
        make_contract(seller, customer_of(seller), manager=boss, status=ContractStatus.SIGNED),
    ]
    # Back before the store columns (dropped); on the way out they are added again, filled
    # from the parents and made NOT NULL.
    with migrated_back(BEFORE):
        pass

    expected = {contract.pk: contract.store_id for contract in contracts}
    assert {(v.quote_id, v.store_id) for v in QuoteVersion.objects.all()} == {
        (contract.quote_id, contract.store_id) for contract in contracts}
    assert {(e.contract_id, e.store_id) for e in ContractEvent.objects.all()} == set(
        expected.items())
    assert {(d.contract_id, d.store_id) for d in ContractDocument.objects.all()} == set(
        expected.items())
