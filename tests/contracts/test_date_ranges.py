"""The promised delivery date's business range (issue 10): the store's today to two years
ahead, refused in the draft's edit form and in contract_update."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from contracts.models import Contract
from contracts.services import contracts as services
from tests.contracts.factories import make_contract
from tests.helpers import english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def draft(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager)


def _edit(contract: Contract, day: dt.date) -> dict[str, str]:
    return {"buyer_name": "张三丰", "buyer_id_number": ID_NUMBER, "buyer_phone": "13812345678",
            "buyer_address": "深圳市南山区科技园2号", "configuration": "",
            "deposit_amount": "0", "promised_delivery_date": day.isoformat(),
            "extra_terms": ""}


@pytest.mark.parametrize("offset", [-1, 2 * 366 + 1])
def test_edit_just_outside_the_delivery_range_is_refused(client, consultant, draft, offset):
    client.force_login(english(consultant))
    today = draft.store.today()
    before = draft.promised_delivery_date

    response = client.post(f"/contracts/{draft.pk}/edit/",
                           _edit(draft, today + dt.timedelta(days=offset)))

    assert response.status_code == 400
    assert response.context["form"].errors == {"promised_delivery_date": [
        f"Enter a date between {today} and {today + dt.timedelta(days=2 * 366)}."]}
    draft.refresh_from_db()
    assert (draft.promised_delivery_date, draft.buyer_address) == (
        before, "深圳市南山区科技园1号")


@pytest.mark.parametrize("offset", [0, 2 * 366])
def test_edit_on_the_delivery_bounds_is_accepted(client, consultant, draft, offset):
    client.force_login(english(consultant))
    day = draft.store.today() + dt.timedelta(days=offset)

    response = client.post(f"/contracts/{draft.pk}/edit/", _edit(draft, day))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.promised_delivery_date == day


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_contract_update_refuses_an_impossible_delivery_date(consultant, draft, day):
    before = draft.promised_delivery_date

    with pytest.raises(ValidationError) as refused:
        services.contract_update(actor=consultant, contract=draft, promised_delivery_date=day)

    assert list(refused.value.message_dict) == ["promised_delivery_date"]
    draft.refresh_from_db()
    assert draft.promised_delivery_date == before
