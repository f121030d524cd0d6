"""What one lead through the intake API costs the database (issue 15: a new lead in at most
ten statements, a duplicate in as few as possible), whatever the store's history.

The requests run outside a test transaction (transactional tests), as in production, and
the statements counted are those that read or write rows: PostgreSQL's BEGIN/COMMIT are not
captured at all, SQLite's are (BEGIN IMMEDIATE), and a test transaction would add a
SAVEPOINT/RELEASE pair around the service's transaction.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealership.enums import Role, Seniority
from dealership.models import Customer
from leads.api import api_key_create
from leads.enums import Channel, LeadStatus
from leads.models import ConsultantRouting, Lead, LeadEvent, LeadIntake, Notification
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/leads"


@pytest.fixture
def key(store):
    return api_key_create(store=store, channel=Channel.WEBSITE, name="官网")[1]


@pytest.fixture
def post(client, key):
    def send(phone: str, **fields):
        data = {"name": "陈大文", "phone": phone, "channel": "website",
                "purchase_window": "1m", **fields}
        return client.generic("POST", URL, json.dumps(data).encode(),
                              content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {key}")

    return send


@pytest.fixture
def warm(post, consultant, teammate):
    """One lead first: the key's last use is recorded (once a minute) and the routing rows
    exist, as on any working day."""
    assert post("13900000000").status_code == 201


def history(store, consultants, leads: int) -> None:
    for user in consultants:
        LeadFactory.create_batch(leads, store=store, owner=user)
        LeadFactory.create_batch(leads, store=store, owner=user, status=LeadStatus.WON)


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(send) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    return response, [q["sql"] for q in queries.captured_queries
                      if not q["sql"].startswith(TRANSACTION_CONTROL)]


@pytest.mark.parametrize("leads", [1, 3])
def test_new_lead_is_nine_statements_whatever_the_history(post, warm, store, consultant,
                                                         teammate, make_user, leads):
    more = [make_user(Role.CONSULTANT, username=f"c{n}", seniority=Seniority.JUNIOR)
            for n in range(leads)]
    history(store, [consultant, teammate, *more], leads * 10)
    assert post("13900000009").status_code == 201  # the new consultants' routing rows

    response, sql = statements(lambda: post("13911112222"))

    assert response.status_code == 201
    # key with store and policy; customer (locked); routing: candidates (locked), turn and
    # load; customer; its audit row; lead; notification; both timeline rows
    assert len(sql) == 9, "\n".join(sql)
    lead = Lead.objects.get(customer__phone="+8613911112222")
    assert lead.owner is not None
    assert json.loads(response.content) == {
        "id": lead.pk, "grade": "B", "owner": lead.owner.get_full_name(), "duplicate": False}
    assert list(lead.events.order_by("pk").values_list("kind", flat=True)) == [
        "created", "assigned"]


def test_new_lead_with_an_external_id_is_ten_statements(post, warm, store):
    response, sql = statements(lambda: post("13911112222", external_id="web-1"))

    assert response.status_code == 201
    assert len(sql) == 10, "\n".join(sql)
    assert LeadIntake.objects.get().external_id == "web-1"


def test_routing_never_counts_the_leads_of_the_candidates(post, warm):
    _response, sql = statements(lambda: post("13911112222"))

    reads = [s for s in sql if s.startswith("SELECT")]
    assert not [s for s in reads if '"leads_lead"' in s]


@pytest.mark.parametrize("external_id", ["", "web-2"])
def test_duplicate_is_five_statements_six_with_an_external_id(post, warm, external_id):
    fields = {"external_id": external_id} if external_id else {}

    response, sql = statements(lambda: post("13900000000", **fields))

    assert (response.status_code, json.loads(response.content)["duplicate"]) == (200, True)
    # key, customer (locked), its open lead (locked), timeline row, notification (+ intake)
    assert len(sql) == (6 if external_id else 5), "\n".join(sql)


def test_replayed_external_id_writes_nothing_and_answers_as_the_first(post, warm):
    first = post("13911112222", external_id="web-3")
    before = (Customer.objects.count(), Lead.objects.count(), LeadEvent.objects.count(),
              Notification.objects.count(),
              list(ConsultantRouting.objects.order_by("pk").values_list(
                  "last_assigned_at", "open_leads")))

    again = post("13911112222", external_id="web-3")

    assert (again.status_code, json.loads(again.content)) == (201, json.loads(first.content))
    assert (Customer.objects.count(), Lead.objects.count(), LeadEvent.objects.count(),
            Notification.objects.count(),
            list(ConsultantRouting.objects.order_by("pk").values_list(
                "last_assigned_at", "open_leads"))) == before
