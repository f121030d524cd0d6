"""The Django admin of the money stage: quotes and contracts are read-only there; the
discount policy may be changed, and the change is audited like the policy screen's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.models import DiscountPolicy
from dealership.enums import AuditAction, Role
from tests.contracts.factories_services import audit_rows

pytestmark = pytest.mark.django_db


def test_policy_changed_in_the_admin_is_audited(client, make_user, store):
    admin = make_user(Role.ADMIN)
    policy = DiscountPolicy.objects.create(store=store)
    client.force_login(admin)

    response = client.post(f"/admin/contracts/discountpolicy/{policy.pk}/change/", {
        "store": store.pk, "consultant_limit": "3500.00", "supervisor_limit": "8000.00",
        "floor_pct": "8.00", "quote_valid_days": "7", "contract_terms": ""})

    policy.refresh_from_db()
    assert response.status_code == 302
    assert policy.consultant_limit == Decimal("3500.00")
    [entry] = audit_rows(policy)
    assert (entry.action, entry.actor, entry.reason, entry.changes) == (
        AuditAction.UPDATE, admin, "admin", {"consultant_limit": ["3000.00", "3500.00"]})


@pytest.mark.parametrize("model", ["quote", "approvalrequest", "contract", "contractdocument"])
def test_quotes_and_contracts_cannot_be_added_in_the_admin(client, make_user, model):
    client.force_login(make_user(Role.ADMIN))

    response = client.get(f"/admin/contracts/{model}/add/")

    assert response.status_code == 403
