"""Two people click Send on one campaign at once, and a customer says STOP while it is
sent (PostgreSQL, one connection per thread, as two web workers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aftersales.enums import CampaignStatus
from aftersales.models import CareCampaign
from aftersales.services.campaigns import CONFLICT, campaign_send
from dealership.enums import Role
from leads.enums import MessageStatus
from leads.messaging import SOURCE_STAFF, customer_opt_out
from leads.models import OutboundMessage
from tests.aftersales.factories_campaigns import campaign, owner
from tests.concurrency import race, require_postgres

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

NOW = dt.datetime(2026, 2, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgres()


def test_two_sends_at_once_queue_once(store, consultant, manager, make_user):
    owners = [owner(consultant, manager, name=f"车主{n}") for n in range(3)]
    draft = campaign(store)
    marketer = make_user(Role.MARKETING)
    carer = make_user(Role.CUSTOMER_CARE)

    results = race(lambda: campaign_send(actor=marketer, campaign=draft, now=NOW),
                   lambda: campaign_send(actor=carer, campaign=draft, now=NOW))

    sent = [r for r in results if isinstance(r, CareCampaign)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(sent), len(refused)) == (1, 1)
    assert refused[0].error_list[0].code == CONFLICT
    assert sorted(OutboundMessage.objects.values_list("customer", flat=True)) == sorted(
        o.pk for o in owners)
    draft.refresh_from_db()
    assert (draft.status, draft.queued, draft.sent_by) == (CampaignStatus.SENT, 3,
                                                           sent[0].sent_by)


def test_a_stop_during_the_send_leaves_no_message_to_send(store, consultant, manager,
                                                          make_user):
    stopper = owner(consultant, manager, name="退订者")
    other = owner(consultant, manager, name="车主")
    draft = campaign(store)
    marketer = make_user(Role.MARKETING)

    race(lambda: campaign_send(actor=marketer, campaign=draft, now=NOW),
         lambda: customer_opt_out(customer=stopper, source=SOURCE_STAFF, now=NOW))

    # Whichever came first, the customer who said no has nothing waiting to be sent.
    waiting = OutboundMessage.objects.filter(status=MessageStatus.QUEUED)
    assert list(waiting.values_list("customer", flat=True)) == [other.pk]
