"""Referral and points screens: who may open them, scoping (404 outside), refusals that
change nothing, and fixed query counts at 1 and 3 rows."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from aftersales.enums import PointsEntryKind
from aftersales.models import PointsEntry, Referral, ServicePackage
from aftersales.services.loyalty import points_adjust
from dealership.enums import Role
from leads.enums import Channel
from leads.models import Lead
from tests.aftersales.factories_loyalty import (
    FRIEND_PHONE,
    ServicePackageFactory,
    balance_of,
    cancel,
    owner,
    refer,
    sign_friend,
)
from tests.factories import UserFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db


@pytest.fixture
def carer(make_user):
    return english(make_user(Role.CUSTOMER_CARE, name="钱客服"))


@pytest.fixture
def advisor(make_user):
    return english(make_user(Role.SERVICE_ADVISOR, name="孙顾问"))


@pytest.fixture
def referrer(consultant, manager):
    return owner(consultant, manager, name="张车主", phone="+8613800000001")


def _refer_url(customer) -> str:
    return f"/aftersales/owners/{customer.pk}/refer/"


def _ledger_url(customer) -> str:
    return f"/aftersales/owners/{customer.pk}/points/"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Refer a friend -----------------------------------------------------------------------
def test_referral_create_anonymous_redirects_to_login(client, referrer):
    response = client.get(_refer_url(referrer))

    assert (response.status_code, response["Location"]) == (
        302, f"/accounts/login/?next={_refer_url(referrer)}")


def test_referral_create_by_the_consultant_records_the_friend(client, consultant, referrer):
    client.force_login(english(consultant))

    response = client.post(_refer_url(referrer), {
        "phone": "139 8765 4321", "name": "李朋友", "model_interest": "Model Y", "note": ""})

    assert (response.status_code, response["Location"]) == (302, f"/customers/{referrer.pk}/")
    referral = Referral.objects.get()
    assert (referral.referrer_id, referral.lead.channel, referral.lead.owner_id,
            referral.lead.customer.phone) == (referrer.pk, Channel.REFERRAL, consultant.pk,
                                              FRIEND_PHONE)
    assert _messages(response) == ["李朋友 is referred by 张车主; the lead is with 王芳."]


def test_referral_create_form_shows_the_owner(client, carer, referrer):
    client.force_login(carer)

    response = client.get(_refer_url(referrer))

    assert response.status_code == 200
    body = response.content.decode()
    assert "张车主 refers a friend" in body
    assert 'data-testid="referral-form"' in body


def test_referral_create_bad_phone_keeps_the_input(client, carer, referrer):
    client.force_login(carer)

    response = client.post(_refer_url(referrer), {"phone": "12345", "name": "李朋友",
                                                  "model_interest": "Model Y"})

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["phone"]
    assert (form["name"].value(), form["model_interest"].value()) == ("李朋友", "Model Y")
    assert Referral.objects.count() == 0


def test_referral_create_self_referral_is_refused_on_the_phone(client, carer, referrer):
    client.force_login(carer)

    response = client.post(_refer_url(referrer), {"phone": "13800000001", "name": "张车主"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"phone": [
        "This is the referrer's own phone number: an owner cannot refer themselves."]}
    assert (Referral.objects.count(), Lead.objects.count()) == (0, 0)


def test_referral_create_for_a_customer_without_a_delivered_car_is_409(client, carer,
                                                                       customer):
    client.force_login(carer)

    response = client.post(_refer_url(customer), {"phone": "13987654321", "name": "李朋友"})

    assert response.status_code == 409
    assert "张三丰 has no delivered car yet: only owners can refer friends." in \
        response.content.decode()
    assert (Referral.objects.count(), Lead.objects.count()) == (0, 0)


def test_referral_create_page_for_a_customer_without_a_delivered_car_says_why(client, carer,
                                                                             customer):
    client.force_login(carer)

    response = client.get(_refer_url(customer))

    assert response.status_code == 200
    body = response.content.decode()
    assert "张三丰 has no delivered car yet: only owners can refer friends." in body
    assert 'data-testid="referral-form"' not in body


def test_referral_create_another_consultants_owner_is_404(client, teammate, referrer):
    client.force_login(teammate)

    response = client.post(_refer_url(referrer), {"phone": "13987654321", "name": "李朋友"})

    assert response.status_code == 404
    assert Referral.objects.count() == 0


def test_referral_create_another_stores_carer_is_404(client, other_store, referrer):
    client.force_login(UserFactory(role=Role.CUSTOMER_CARE, store=other_store))

    assert client.get(_refer_url(referrer)).status_code == 404


def test_referral_create_service_advisor_is_forbidden(client, advisor, referrer):
    client.force_login(advisor)

    response = client.post(_refer_url(referrer), {"phone": "13987654321", "name": "李朋友"})

    assert response.status_code == 403
    assert Referral.objects.count() == 0


def test_customer_page_offers_refer_to_the_consultant_and_points_to_the_manager(
        client, consultant, manager, referrer):
    client.force_login(consultant)
    body = client.get(f"/customers/{referrer.pk}/").content.decode()
    assert ('data-testid="refer-a-friend"' in body, 'data-testid="loyalty-points"' in body) \
        == (True, False)

    client.force_login(manager)
    body = client.get(f"/customers/{referrer.pk}/").content.decode()
    assert ('data-testid="refer-a-friend"' in body, 'data-testid="loyalty-points"' in body) \
        == (True, True)


# --- The ledger ---------------------------------------------------------------------------
@pytest.fixture
def credited(consultant, manager, referrer):
    sign_friend(refer(manager, referrer), consultant, manager)
    return referrer


def test_ledger_shows_the_balance_and_entries_newest_first(client, carer, manager, credited):
    points_adjust(actor=manager, customer=credited, points=-200, reason="更正")
    client.force_login(carer)

    response = client.get(_ledger_url(credited))

    assert response.status_code == 200
    assert response.context["balance"] == 1800
    assert [(e.kind, e.points, e.balance_after) for e in response.context["entries"]] == [
        (PointsEntryKind.ADJUSTMENT, -200, 1800), (PointsEntryKind.REFERRAL_CREDIT, 2000, 2000)]
    assert response.context["adjust_form"] is None  # the manager's alone


def test_ledger_empty_says_how_points_come(client, carer, referrer):
    client.force_login(carer)

    body = client.get(_ledger_url(referrer)).content.decode()

    assert "No points yet" in body
    assert "No service package is offered" in body


@pytest.mark.parametrize("count, queries", [(1, 9), (3, 9)])
def test_ledger_query_count_is_fixed(client, carer, manager, referrer, store,
                                     django_assert_num_queries, count, queries):
    for number in range(count):
        points_adjust(actor=manager, customer=referrer, points=100 + number, reason="开业礼")
        ServicePackageFactory(store=store, points=100 + number)
    client.force_login(carer)

    with django_assert_num_queries(queries):
        response = client.get(_ledger_url(referrer))

    assert len(response.context["entries"]) == count


def test_ledger_consultant_is_forbidden(client, consultant, credited):
    client.force_login(consultant)

    assert client.get(_ledger_url(credited)).status_code == 403


def test_ledger_another_stores_carer_is_404(client, other_store, credited):
    client.force_login(UserFactory(role=Role.CUSTOMER_CARE, store=other_store))

    assert client.get(_ledger_url(credited)).status_code == 404


def test_redeem_at_the_desk(client, advisor, credited, store):
    package = ServicePackageFactory(store=store, points=1500, name="首保")
    client.force_login(advisor)

    response = client.post(f"{_ledger_url(credited)}redeem/", {"package": package.pk})

    assert (response.status_code, response["Location"]) == (302, _ledger_url(credited))
    assert balance_of(credited) == 500
    assert _messages(response) == ["首保 redeemed for 1500 points; 500 points left."]


def test_redeem_short_balance_is_400_on_the_package_and_changes_nothing(client, advisor,
                                                                       credited, store):
    package = ServicePackageFactory(store=store, points=2500, name="全年洗车卡")
    client.force_login(advisor)

    response = client.post(f"{_ledger_url(credited)}redeem/", {"package": package.pk})

    assert response.status_code == 400
    assert response.context["redeem_form"].errors == {"package": [
        "全年洗车卡 costs 2500 points; the balance is 2000, 500 points short."]}
    assert response.context["redeem_form"]["package"].value() == str(package.pk)
    assert balance_of(credited) == 2000
    assert PointsEntry.objects.filter(kind=PointsEntryKind.REDEMPTION).count() == 0


def test_redeem_another_stores_package_is_400(client, advisor, credited, other_store):
    package = ServicePackageFactory(store=other_store, points=10)
    client.force_login(advisor)

    response = client.post(f"{_ledger_url(credited)}redeem/", {"package": package.pk})

    assert response.status_code == 400
    assert list(response.context["redeem_form"].errors) == ["package"]
    assert balance_of(credited) == 2000


def test_adjust_by_the_manager(client, manager, credited):
    client.force_login(english(manager))

    response = client.post(f"{_ledger_url(credited)}adjust/", {"points": "300",
                                                               "reason": "好意补偿"})

    assert (response.status_code, response["Location"]) == (302, _ledger_url(credited))
    assert balance_of(credited) == 2300


def test_adjust_below_zero_is_400_on_points(client, manager, credited):
    client.force_login(english(manager))

    response = client.post(f"{_ledger_url(credited)}adjust/", {"points": "-2500",
                                                               "reason": "更正"})

    assert response.status_code == 400
    assert response.context["adjust_form"].errors == {"points": [
        "The balance is 2000 points: at most 2000 can be taken off."]}
    assert balance_of(credited) == 2000


def test_adjust_by_customer_care_is_forbidden(client, carer, credited):
    client.force_login(carer)

    response = client.post(f"{_ledger_url(credited)}adjust/", {"points": "300",
                                                               "reason": "好意"})

    assert response.status_code == 403
    assert balance_of(credited) == 2000


# --- The store's referrals ----------------------------------------------------------------
def test_referral_list_for_a_consultant_shows_only_their_customers(
        client, consultant, teammate, manager, carer, store):
    mine = owner(consultant, manager, name="我的车主")
    theirs = owner(teammate, manager, name="别人车主")
    refer(carer, mine, phone="+8613900000001", name="甲朋友")
    refer(carer, theirs, phone="+8613900000002", name="乙朋友")
    client.force_login(english(consultant))

    response = client.get("/aftersales/referrals/")

    assert [r.referrer.name for r in response.context["rows"]] == ["我的车主"]


def test_referral_list_states(client, consultant, manager, carer, store):
    credited_owner = owner(consultant, manager, name="甲车主")
    reversed_owner = owner(consultant, manager, name="乙车主")
    open_owner = owner(consultant, manager, name="丙车主")
    sign_friend(refer(carer, credited_owner, phone="+8613900000001"), consultant, manager)
    contract = sign_friend(refer(carer, reversed_owner, phone="+8613900000002"), consultant,
                           manager)
    cancel(contract, manager)
    refer(carer, open_owner, phone="+8613900000003")
    client.force_login(carer)

    states = {state: [r.referrer.name for r in client.get(
        "/aftersales/referrals/", {"state": state}).context["rows"]]
        for state in ("", "open", "credited", "reversed")}

    assert states == {"": ["丙车主", "乙车主", "甲车主"], "open": ["丙车主"],
                      "credited": ["甲车主"], "reversed": ["乙车主"]}


def test_referral_list_empty_says_what_to_do(client, carer):
    client.force_login(carer)

    body = client.get("/aftersales/referrals/").content.decode()

    assert "No referrals yet" in body


def test_referral_list_service_advisor_is_forbidden(client, advisor):
    client.force_login(advisor)

    assert client.get("/aftersales/referrals/").status_code == 403


@pytest.mark.parametrize("count, queries", [(1, 5), (3, 5)])
def test_referral_list_query_count_is_fixed(client, consultant, manager, carer,
                                            django_assert_num_queries, count, queries):
    for number in range(count):
        referrer = owner(consultant, manager, name=f"车主{number}")
        refer(carer, referrer, phone=f"+86139000000{number:02d}")
    client.force_login(carer)

    with django_assert_num_queries(queries):
        response = client.get("/aftersales/referrals/")

    assert len(response.context["rows"]) == count


# --- Service packages ---------------------------------------------------------------------
@pytest.mark.parametrize("count, queries", [(1, 5), (3, 5)])
def test_package_list_query_count_is_fixed(client, manager, store, django_assert_num_queries,
                                           count, queries):
    ServicePackageFactory.create_batch(count, store=store)
    client.force_login(manager)

    with django_assert_num_queries(queries):
        response = client.get("/aftersales/packages/")

    assert len(response.context["rows"]) == count


def test_package_create_by_the_manager(client, manager, store):
    client.force_login(english(manager))

    response = client.post("/aftersales/packages/new/", {"name": "首保套餐", "points": "1200",
                                                         "description": "机油机滤"})

    assert (response.status_code, response["Location"]) == (302, "/aftersales/packages/")
    assert list(ServicePackage.objects.values_list("store", "name", "points", "active")) == [
        (store.pk, "首保套餐", 1200, True)]


def test_package_create_bad_points_keeps_the_input(client, manager):
    client.force_login(english(manager))

    response = client.post("/aftersales/packages/new/", {"name": "首保套餐", "points": "0"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["points"]
    assert response.context["form"]["name"].value() == "首保套餐"
    assert ServicePackage.objects.count() == 0


def test_package_edit_retires_it(client, manager, store):
    package = ServicePackageFactory(store=store, name="洗车", points=100)
    client.force_login(english(manager))

    response = client.post(f"/aftersales/packages/{package.pk}/edit/",
                           {"name": "洗车", "points": "100", "description": ""})

    assert response.status_code == 302
    package.refresh_from_db()
    assert package.active is False


def test_package_edit_another_stores_is_404(client, manager, other_store):
    package = ServicePackageFactory(store=other_store)
    client.force_login(manager)

    assert client.get(f"/aftersales/packages/{package.pk}/edit/").status_code == 404


@pytest.mark.parametrize("role", [Role.CUSTOMER_CARE, Role.CONSULTANT, Role.SERVICE_ADVISOR])
def test_packages_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/aftersales/packages/").status_code == 403
    assert client.post("/aftersales/packages/new/", {"name": "x", "points": "1"}
                       ).status_code == 403
    assert ServicePackage.objects.count() == 0


@pytest.mark.usefixtures("in_english")  # the stored text is written in English
def test_the_referred_leads_timeline_shows_the_referral(client, consultant, carer, referrer):
    referral = refer(carer, referrer)
    client.force_login(english(consultant))

    response = client.get(f"/leads/{referral.lead_id}/")

    assert response.status_code == 200
    assert "Referred by 张车主" in response.content.decode()
