"""The team page (on duty, a leaving consultant's book) and the store's lead policy."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import transaction

from dealership.enums import AuditAction, Role, Seniority
from dealership.models import AuditEntry, Customer, User
from leads.enums import EventKind, Grade, LeadStatus, LostReason
from leads.models import ConsultantRouting, Lead, LeadEvent, LeadPolicy
from leads.services import lead_route
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import HTMX, english
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db



def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _audit(instance) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk)).order_by("id"))


# --- Team page ----------------------------------------------------------------------------
def test_team_manager_sees_every_consultant_with_book_and_duty(client, store, manager,
                                                               consultant, teammate):
    LeadFactory.create_batch(2, store=store, owner=consultant)
    LeadFactory(store=store, owner=consultant, status=LeadStatus.WON)
    ConsultantRouting.objects.create(user=teammate, store=store, on_duty=False)
    client.force_login(manager)

    response = client.get("/leads/team/")

    assert response.status_code == 200
    rows = {c.pk: (c.open_leads, c.customers, c.on_duty) for c in response.context["consultants"]}
    assert rows == {consultant.pk: (2, 3, True), teammate.pk: (0, 0, False)}
    html = _text(response)
    assert f"/leads/team/{consultant.pk}/on-duty/" in html
    assert f"/leads/team/{consultant.pk}/reassign/" in html


def test_team_lists_a_consultant_who_left_while_they_still_have_a_book(client, store, manager,
                                                                       consultant):
    gone = UserFactory(role=Role.CONSULTANT, store=store, is_active=False, username="gone")
    LeadFactory(store=store, owner=gone)
    UserFactory(role=Role.CONSULTANT, store=store, is_active=False, username="long_gone")
    client.force_login(manager)

    response = client.get("/leads/team/")

    assert {c.username for c in response.context["consultants"]} == {"con", "gone"}


def test_team_supervisor_reads_their_team_without_controls(client, store, supervisor,
                                                           consultant, teammate, make_user):
    make_user(Role.CONSULTANT, username="stranger", seniority=Seniority.JUNIOR)
    client.force_login(supervisor)

    response = client.get("/leads/team/")

    assert response.status_code == 200
    assert {c.pk for c in response.context["consultants"]} == {consultant.pk, teammate.pk}
    html = _text(response)
    assert "/on-duty/" not in html
    assert "/reassign/" not in html
    assert 'data-testid="duty"' in html


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.MARKETING])
def test_team_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/leads/team/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_team_query_count_is_constant(client, store, manager, team, count,
                                      django_assert_num_queries):
    for _index in range(count):
        member = UserFactory(role=Role.CONSULTANT, store=store, team=team,
                             seniority=Seniority.JUNIOR)
        LeadFactory(store=store, owner=member)
        ConsultantRouting.objects.create(user=member, store=store)
    client.force_login(manager)

    with django_assert_num_queries(4):
        response = client.get("/leads/team/")

    assert [c.open_leads for c in response.context["consultants"]] == [1] * count


# --- On duty ------------------------------------------------------------------------------
def test_on_duty_off_creates_the_routing_row_and_audits(client, store, manager, consultant):
    client.force_login(manager)

    response = client.post(f"/leads/team/{consultant.pk}/on-duty/", {"on_duty": "0"})

    assert response.status_code == 302
    routing = ConsultantRouting.objects.get(user=consultant)
    assert (routing.store, routing.on_duty) == (store, False)
    [entry] = _audit(routing)
    assert (entry.action, entry.actor, entry.changes) == (AuditAction.UPDATE, manager,
                                                          {"on_duty": [True, False]})


def test_on_duty_off_takes_the_consultant_out_of_lead_routing(client, store, manager,
                                                              consultant, teammate):
    client.force_login(manager)

    client.post(f"/leads/team/{consultant.pk}/on-duty/", {"on_duty": "0"})

    # An A lead wants a senior; the only senior is off duty, so anyone on duty gets it.
    with transaction.atomic():
        assert lead_route(store=store, grade=Grade.A) == teammate
        assert lead_route(store=store, grade=Grade.A) == teammate


def test_on_duty_back_on_puts_the_consultant_back_in_routing(client, store, manager,
                                                             consultant, teammate):
    ConsultantRouting.objects.create(user=consultant, store=store, on_duty=False)
    client.force_login(manager)

    client.post(f"/leads/team/{consultant.pk}/on-duty/", {"on_duty": "1"})

    with transaction.atomic():
        assert lead_route(store=store, grade=Grade.A) == consultant


def test_on_duty_htmx_returns_the_row(client, store, manager, consultant):
    client.force_login(manager)

    response = client.post(f"/leads/team/{consultant.pk}/on-duty/", {"on_duty": "0"}, **HTMX)

    assert response.status_code == 200
    html = _text(response)
    assert html.lstrip().startswith(f'<tr id="consultant-{consultant.pk}"')
    assert 'value="1"' in html  # the button now puts them back on duty


def test_on_duty_bad_value_changes_nothing(client, store, manager, consultant):
    client.force_login(english(manager))

    response = client.post(f"/leads/team/{consultant.pk}/on-duty/", {"on_duty": "maybe"})

    assert response.status_code == 302
    assert _messages(response) == ["Choose on duty or off duty."]
    assert not ConsultantRouting.objects.filter(user=consultant).exists()


def test_on_duty_supervisor_is_forbidden(client, supervisor, consultant):
    client.force_login(supervisor)

    response = client.post(f"/leads/team/{consultant.pk}/on-duty/", {"on_duty": "0"})

    assert response.status_code == 403
    assert not ConsultantRouting.objects.filter(user=consultant).exists()


def test_on_duty_other_store_consultant_is_not_found(client, manager, outsider):
    client.force_login(manager)

    response = client.post(f"/leads/team/{outsider.pk}/on-duty/", {"on_duty": "0"})

    assert response.status_code == 404
    assert ConsultantRouting.objects.filter(user=outsider).exists() is False
    assert AuditEntry.objects.count() == 0


# --- A leaving consultant's book ----------------------------------------------------------
@pytest.fixture
def book(store, consultant):
    """consultant: 2 open leads, 1 lost lead, 1 customer without a lead (3 + 1 customers)."""
    open_leads = LeadFactory.create_batch(2, store=store, owner=consultant)
    closed = LeadFactory(store=store, owner=consultant, status=LeadStatus.LOST,
                         lost_reason=LostReason.PRICE)
    CustomerFactory(store=store, owner=consultant)
    return open_leads, closed


def test_reassign_confirmation_shows_the_books_size(client, book, manager, consultant):
    client.force_login(english(manager))

    response = client.get(f"/leads/team/{consultant.pk}/reassign/")

    assert response.status_code == 200
    assert "2 open leads and 4 customers will move" in _text(response)
    assert consultant not in response.context["form"].fields["to_user"].queryset


def test_reassign_moves_open_leads_and_all_customers(client, book, manager, consultant,
                                                     teammate):
    open_leads, closed = book
    client.force_login(english(manager))

    response = client.post(f"/leads/team/{consultant.pk}/reassign/", {"to_user": teammate.pk})

    assert response.status_code == 302
    assert response["Location"] == "/leads/team/"
    assert _messages(response) == [
        "2 open leads of 王芳 moved to 李强, with all customers."]
    assert set(Lead.objects.filter(owner=teammate)) == set(open_leads)
    assert Lead.objects.get(pk=closed.pk).owner == consultant
    assert Customer.objects.filter(owner=consultant).count() == 0
    assert Customer.objects.filter(owner=teammate).count() == 4
    events = LeadEvent.objects.filter(kind=EventKind.ASSIGNED, actor=manager)
    assert sorted(e.lead_id for e in events) == sorted(lead.pk for lead in open_leads)
    assert {(e.data["from_owner"], e.data["to_owner"]) for e in events} == {
        (consultant.pk, teammate.pk)}
    assert User.objects.get(pk=consultant.pk).is_active is True


def test_reassign_with_leaving_switches_the_login_off(client, book, manager, consultant,
                                                      teammate):
    ConsultantRouting.objects.create(user=consultant, store=consultant.store)
    client.force_login(manager)

    response = client.post(f"/leads/team/{consultant.pk}/reassign/",
                           {"to_user": teammate.pk, "deactivate": "on"})

    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.is_active is False
    assert ConsultantRouting.objects.get(user=consultant).on_duty is False
    [entry] = _audit(consultant)
    assert (entry.actor, entry.changes) == (manager, {"is_active": [True, False]})


def test_reassign_to_an_inactive_or_foreign_consultant_is_refused(client, book, store,
                                                                  manager, consultant,
                                                                  outsider):
    inactive = UserFactory(role=Role.CONSULTANT, store=store, is_active=False,
                           username="inactive")
    client.force_login(english(manager))

    for target in (inactive, outsider, consultant):
        response = client.post(f"/leads/team/{consultant.pk}/reassign/",
                               {"to_user": target.pk})
        assert response.status_code == 400
        assert response.context["form"].errors["to_user"] == [
            "Choose another active consultant of your store."]
    assert Lead.objects.filter(owner=consultant).count() == 3


def test_reassign_supervisor_is_forbidden(client, book, supervisor, consultant, teammate):
    client.force_login(supervisor)

    response = client.post(f"/leads/team/{consultant.pk}/reassign/", {"to_user": teammate.pk})

    assert response.status_code == 403
    assert Lead.objects.filter(owner=consultant).count() == 3


def test_reassign_other_store_consultant_is_not_found(client, manager, outsider):
    client.force_login(manager)

    assert client.get(f"/leads/team/{outsider.pk}/reassign/").status_code == 404


# --- Policy -------------------------------------------------------------------------------
def _policy_form(**overrides) -> dict[str, str]:
    data = {"cadence_a_days": "1", "cadence_b_days": "5", "cadence_c_per_month": "2",
            "first_contact_minutes": "45", "remind_owner_after_minutes": "20",
            "alert_supervisor_after_minutes": "45", "reassign_after_minutes": "90",
            "dormant_after_days": "30", "pool_after_days": "30", "messages_per_week": "2",
            "reactivation_text": "【{store}】{name}您好，{consultant}邀您回店试驾。回复T退订"}
    data.update(overrides)
    return data


def test_policy_manager_saves_and_it_is_audited(client, store, manager):
    client.force_login(english(manager))

    response = client.post("/leads/policy/", _policy_form())

    assert response.status_code == 302
    policy = LeadPolicy.objects.get(store=store)
    assert (policy.cadence_b_days, policy.first_contact_minutes,
            policy.reassign_after_minutes) == (5, 45, 90)
    [entry] = _audit(policy)
    assert (entry.action, entry.actor) == (AuditAction.UPDATE, manager)
    assert entry.changes["cadence_b_days"] == [7, 5]
    assert entry.changes["reassign_after_minutes"] == [120, 90]
    assert entry.changes["reactivation_text"][1] == _policy_form()["reactivation_text"]
    page = _text(client.get("/leads/policy/"))
    assert "Last changed by 周经理 on" in page


def test_policy_unchanged_save_writes_no_audit_row(client, store, manager):
    LeadPolicy.objects.create(store=store)
    client.force_login(manager)
    defaults = _policy_form(cadence_b_days="7", first_contact_minutes="60",
                            remind_owner_after_minutes="30",
                            alert_supervisor_after_minutes="60", reassign_after_minutes="120",
                            reactivation_text=LeadPolicy._meta.get_field(
                                "reactivation_text").default)

    client.post("/leads/policy/", defaults)

    assert _audit(LeadPolicy.objects.get(store=store)) == []


def test_policy_shows_defaults_never_changed(client, manager):
    client.force_login(english(manager))

    response = client.get("/leads/policy/")

    assert response.status_code == 200
    assert "Never changed: the defaults apply." in _text(response)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"alert_supervisor_after_minutes": "20"}, "alert_supervisor_after_minutes",
     "Alert the supervisor later than the owner is reminded."),
    ({"reassign_after_minutes": "30"}, "reassign_after_minutes",
     "Reassign later than the supervisor is alerted."),
    ({"reactivation_text": "{name}您好，{price}元优惠"}, "reactivation_text",
     "Unknown placeholder: {price}. Use {name}, {store} or {consultant}."),
    ({"reactivation_text": "{name您好"}, "reactivation_text",
     "A brace is not closed: write placeholders as {name}, {store} or {consultant}."),
    ({"cadence_a_days": "0"}, "cadence_a_days",
     "Ensure this value is greater than or equal to 1."),
    # Past the column's range on PostgreSQL; SQLite would store it and every later touch
    # would overflow computing the next due date.
    ({"cadence_a_days": "99999999"}, "cadence_a_days",
     "Ensure this value is less than or equal to 32767."),
])
def test_policy_invalid_is_refused_with_input_kept(client, store, manager, overrides, field,
                                                    message):
    client.force_login(english(manager))

    response = client.post("/leads/policy/", _policy_form(**overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert 'value="45"' in _text(response)
    assert _audit(LeadPolicy.objects.get(store=store)) == []
    assert LeadPolicy.objects.get(store=store).first_contact_minutes == 60


def test_policy_admin_edits_a_chosen_store(client, store, other_store, make_user):
    admin = make_user(Role.ADMIN)
    client.force_login(admin)

    response = client.post(f"/leads/policy/?store={other_store.code}", _policy_form())

    assert response.status_code == 302
    assert response["Location"] == f"/leads/policy/?store={other_store.code}"
    assert LeadPolicy.objects.get(store=other_store).cadence_b_days == 5
    assert not LeadPolicy.objects.filter(store=store, cadence_b_days=5).exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CONSULTANT, Role.MARKETING])
def test_policy_other_roles_are_forbidden(client, make_user, store, role):
    policy = LeadPolicy.objects.create(store=store)
    client.force_login(make_user(role))

    assert client.get("/leads/policy/").status_code == 403
    assert client.post("/leads/policy/", _policy_form(cadence_b_days="5")).status_code == 403
    policy.refresh_from_db()
    assert (policy.cadence_b_days, policy.first_contact_minutes) == (7, 60)
    assert AuditEntry.objects.count() == 0


def test_policy_page_query_count(client, store, manager, django_assert_num_queries):
    LeadPolicy.objects.create(store=store)
    client.force_login(manager)

    with django_assert_num_queries(5):
        response = client.get("/leads/policy/")

    assert response.context["last_change"] is None
