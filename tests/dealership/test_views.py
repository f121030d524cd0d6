"""The shell's screens: home redirects, customers, stock, language, errors and headers."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.contrib.messages import constants as message_levels
from django.utils import timezone

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry, Customer
from dealership.views import home
from tests.factories import (
    CustomerFactory,
    StockVehicleFactory,
    StoreFactory,
    UserFactory,
)
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db


# Every role's home page, as a literal path, and the template that page renders.
ROLE_HOMES = {
    Role.CONSULTANT: ("/my-day/", "dealership/my_day.html"),
    Role.SUPERVISOR: ("/leads/board/", "leads/team_board.html"),
    Role.RECEPTIONIST: ("/showroom/desk/", "showroom/desk.html"),
    Role.MANAGER: ("/reports/store/", "reports/store_overview.html"),
    Role.FINANCE: ("/delivery/finance/", "delivery/finance_desk.html"),
    Role.SERVICE_ADVISOR: ("/aftersales/service/", "aftersales/service_desk.html"),
    Role.CUSTOMER_CARE: ("/aftersales/care/", "aftersales/care_desk.html"),
    Role.MARKETING: ("/leads/marketing/", "leads/marketing_home.html"),
    Role.GROUP_EXEC: ("/reports/group/", "reports/group_overview.html"),
    Role.ADMIN: ("/console/", "dealership/console.html"),
}

# One role per landing page that may not open it.
LANDING_FORBIDDEN = [
    ("/my-day/", Role.MANAGER),
    ("/leads/board/", Role.CONSULTANT),
    ("/showroom/desk/", Role.CONSULTANT),
    ("/reports/store/", Role.CONSULTANT),
    ("/delivery/finance/", Role.CONSULTANT),
    ("/aftersales/service/", Role.CONSULTANT),
    ("/aftersales/care/", Role.MARKETING),
    ("/leads/marketing/", Role.CONSULTANT),
    ("/reports/group/", Role.MANAGER),
    ("/console/", Role.MANAGER),
]


def _template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def _customer_form_data(**overrides) -> dict[str, str]:
    data = {
        "name": "李四", "phone": "13912345678", "gender": "", "city": "深圳", "address": "",
        "id_number": "", "wechat_id": "", "consent_source": "", "note": "",
    }
    data.update(overrides)
    return data


# --- Anonymous visitors -------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/", "/customers/", "/customers/new/", "/stock/",
    *[path for path, _template in ROLE_HOMES.values()],
])
def test_page_anonymous_redirects_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_customer_detail_anonymous_redirects_to_login(client, customer):
    response = client.get(f"/customers/{customer.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/customers/{customer.pk}/"


# --- Home pages ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", list(ROLE_HOMES))
def test_home_each_role_redirects_to_its_own_home(client, make_user, role):
    client.force_login(make_user(role))
    path, _template = ROLE_HOMES[role]

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == path


@pytest.mark.parametrize("role", list(ROLE_HOMES))
def test_home_page_opens_for_its_role(client, make_user, role):
    client.force_login(make_user(role))
    path, template = ROLE_HOMES[role]

    response = client.get(path)

    assert response.status_code == 200
    assert _template_names(response)[0] == template


@pytest.mark.parametrize(("path", "role"), LANDING_FORBIDDEN)
def test_landing_page_other_role_is_forbidden(client, make_user, path, role):
    client.force_login(make_user(role))

    response = client.get(path)

    assert response.status_code == 403
    assert _template_names(response)[0] == "403.html"
    assert '<a class="button" href="/">' in response.content.decode()


# --- Landing pages: constant query counts ------------------------------------------------
# A stage's screen is query-counted in its own app's tests; the core's screens here.
@pytest.mark.parametrize("count", [1, 3])
def test_console_query_count_is_constant(client, make_user, count, django_assert_num_queries):
    for store in StoreFactory.create_batch(count):
        UserFactory(role=Role.CONSULTANT, store=store)
    client.force_login(make_user(Role.ADMIN))

    with django_assert_num_queries(4):
        response = client.get("/console/")

    # make_user's store fixture adds the persona store DEMO to the count.
    assert len(response.context["stores"]) == count + 1


def test_console_counts_each_stores_customers_to_a_bound(client, make_user, monkeypatch):
    monkeypatch.setattr(home, "CONSOLE_CUSTOMER_BOUND", 3)
    big, small = StoreFactory(code="BIG"), StoreFactory(code="SMALL")
    CustomerFactory.create_batch(4, store=big)
    CustomerFactory.create_batch(3, store=small)
    client.force_login(make_user(Role.ADMIN))

    response = client.get("/console/")

    labels = {store.code: (store.customer_count, store.customer_label)
              for store in response.context["stores"]}
    # Past the bound: one row more than the bound is read, and the label says so.
    assert labels["BIG"] == (4, "3+")
    assert labels["SMALL"] == (3, "3")
    assert labels["DEMO"] == (0, "0")


# --- Customer list ------------------------------------------------------------------------
def _page_names(response) -> set[str]:
    return {customer.name for customer in response.context["page"].object_list}


def test_customer_list_consultant_sees_only_own_customers(
        client, store, other_store, consultant, teammate, outsider, customer):
    CustomerFactory(store=store, owner=consultant, name="钱七")
    CustomerFactory(store=store, owner=teammate, name="孙八")
    CustomerFactory(store=store, owner=None, name="周九")
    CustomerFactory(store=other_store, owner=outsider, name="吴十")
    client.force_login(consultant)

    response = client.get("/customers/")

    assert response.status_code == 200
    assert _page_names(response) == {"张三丰", "钱七"}
    assert "孙八" not in response.content.decode()


def test_customer_list_manager_sees_whole_store(
        client, store, other_store, manager, consultant, teammate, outsider, customer):
    CustomerFactory(store=store, owner=teammate, name="孙八")
    CustomerFactory(store=store, owner=None, name="周九")
    CustomerFactory(store=other_store, owner=outsider, name="吴十")
    client.force_login(manager)

    response = client.get("/customers/")

    assert _page_names(response) == {"张三丰", "孙八", "周九"}
    assert "吴十" not in response.content.decode()


@pytest.mark.parametrize("query", ["三丰", "138 1234 5678", "+86 138-1234-5678", "5678"])
def test_customer_list_filter_by_name_or_phone(client, store, consultant, customer, query):
    CustomerFactory(store=store, owner=consultant, name="钱七", phone="+8613900001111")
    client.force_login(consultant)

    response = client.get("/customers/", {"q": query})

    assert _page_names(response) == {"张三丰"}


def test_customer_list_filter_no_match_is_empty(client, consultant, customer):
    client.force_login(consultant)

    response = client.get("/customers/", {"q": "9999"})

    assert _page_names(response) == set()
    assert "张三丰" not in response.content.decode()


def test_customer_list_paginates_by_25(client, store, consultant):
    start = timezone.now() - dt.timedelta(days=30)
    for index in range(26):
        CustomerFactory(store=store, owner=consultant, name=f"客户{index:02d}",
                        created_at=start + dt.timedelta(hours=index))
    client.force_login(consultant)

    first = client.get("/customers/")
    second = client.get("/customers/", {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.num_pages == 2
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert _page_names(second) == {"客户00"}


def test_customer_list_htmx_renders_only_rows_partial(client, consultant, customer):
    client.force_login(consultant)

    response = client.get("/customers/", {"q": "张"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="customer-rows">')
    assert "<html" not in html
    assert "张三丰" in html
    assert "HX-Request" in [part.strip() for part in response["Vary"].split(",")]


def test_customer_list_full_page_varies_on_htmx(client, consultant, customer):
    client.force_login(consultant)

    response = client.get("/customers/")

    assert "<html" in response.content.decode()
    assert "HX-Request" in [part.strip() for part in response["Vary"].split(",")]


@pytest.mark.parametrize("count", [1, 3])
def test_customer_list_query_count_is_constant(client, store, consultant, count,
                                               django_assert_num_queries):
    CustomerFactory.create_batch(count, store=store, owner=consultant)
    client.force_login(consultant)

    with django_assert_num_queries(7):
        response = client.get("/customers/")

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 3])
def test_customer_list_manager_query_count_is_constant(client, store, manager, consultant,
                                                       count, django_assert_num_queries):
    CustomerFactory.create_batch(count, store=store, owner=consultant)
    client.force_login(manager)

    with django_assert_num_queries(8):
        response = client.get("/customers/")

    assert len(response.context["page"].object_list) == count


# --- Customer detail ----------------------------------------------------------------------
def test_customer_detail_shows_phone_and_id_masked(client, consultant, customer):
    client.force_login(consultant)

    response = client.get(f"/customers/{customer.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<dd data-testid="customer-phone">138****5678</dd>' in html
    assert '<dd data-testid="customer-id-number">1101**********002X</dd>' in html
    assert "13812345678" not in html
    assert "138 1234 5678" not in html
    assert "11010519491231002X" not in html


@pytest.mark.parametrize("persona", ["teammate", "outsider"])
def test_customer_detail_out_of_scope_is_not_found(client, request, customer, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(f"/customers/{customer.pk}/")

    assert response.status_code == 404
    assert _template_names(response)[0] == "404.html"
    assert "张三丰" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.GROUP_EXEC])
def test_customer_detail_role_without_customers_is_forbidden(client, make_user, customer, role):
    client.force_login(make_user(role))

    response = client.get(f"/customers/{customer.pk}/")

    assert response.status_code == 403
    assert "张三丰" not in response.content.decode()


def test_customer_detail_history_lists_edit(client, consultant, customer):
    client.force_login(consultant)
    client.post(f"/customers/{customer.pk}/edit/",
                _customer_form_data(name="张三丰", phone="+8613812345678",
                                    id_number="11010519491231002X", city="广州"))

    response = client.get(f"/customers/{customer.pk}/")

    history = [(entry.action, entry.actor) for entry in response.context["history"]]
    assert history == [(AuditAction.UPDATE, consultant)]
    assert "<del>深圳</del> → <ins>广州</ins>" in response.content.decode()


# --- Reveal -------------------------------------------------------------------------------
def test_reveal_by_owner_shows_full_numbers_and_audits(client, consultant, customer):
    client.force_login(consultant)

    response = client.post(f"/customers/{customer.pk}/reveal/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="tel:+8613812345678">138 1234 5678</a>' in html
    assert '<dd data-testid="customer-id-number">11010519491231002X</dd>' in html
    entries = AuditEntry.objects.filter(action=AuditAction.VIEW_PII)
    assert [(e.actor_id, e.object_id, e.changes) for e in entries] == [
        (consultant.pk, str(customer.pk), {"fields": ["phone", "id_number"]})
    ]


def test_reveal_get_is_not_allowed(client, consultant, customer):
    client.force_login(consultant)

    response = client.get(f"/customers/{customer.pk}/reveal/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert AuditEntry.objects.count() == 0


def test_reveal_marketing_without_pii_permission_is_forbidden(client, make_user, customer):
    client.force_login(make_user(Role.MARKETING))

    response = client.post(f"/customers/{customer.pk}/reveal/")

    assert response.status_code == 403
    assert "13812345678" not in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_reveal_teammate_is_not_found(client, teammate, customer):
    client.force_login(teammate)

    response = client.post(f"/customers/{customer.pk}/reveal/")

    assert response.status_code == 404
    assert "13812345678" not in response.content.decode()
    assert AuditEntry.objects.count() == 0


def test_reveal_htmx_returns_contact_details_partial(client, consultant, customer):
    client.force_login(consultant)

    response = client.post(f"/customers/{customer.pk}/reveal/", **HTMX)

    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<dl id="contact-details" class="details">')
    assert html.endswith("</dl>")
    assert "<html" not in html
    assert '<a href="tel:+8613812345678">138 1234 5678</a>' in html
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_PII).count() == 1
    assert json.loads(response["HX-Trigger"]) == {"customer-history-changed": {}}


def test_customer_detail_htmx_history_partial_shows_the_reveal(client, consultant, customer):
    client.force_login(consultant)
    client.post(f"/customers/{customer.pk}/reveal/", **HTMX)

    response = client.get(f"/customers/{customer.pk}/", HTTP_HX_TARGET="history", **HTMX)

    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<section class="card" id="history"')
    assert "<html" not in html
    assert html.count('class="timeline-item"') == 1
    assert "138****5678" not in html and "13812345678" not in html


# --- Create -------------------------------------------------------------------------------
def test_customer_create_consultant_becomes_owner(client, consultant, store):
    client.force_login(consultant)

    response = client.post("/customers/new/", _customer_form_data(phone="139-1234-5678"))

    created = Customer.objects.get(name="李四")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{created.pk}/"
    assert (created.owner, created.store, created.phone) == (consultant, store, "+8613912345678")
    assert list(AuditEntry.objects.values_list("action", "object_id")) == [
        (AuditAction.CREATE, str(created.pk))
    ]


def test_customer_create_invalid_phone_keeps_input(client, consultant):
    client.force_login(english(consultant))

    response = client.post("/customers/new/", _customer_form_data(phone="12345"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "“12345” is not a valid phone number." in html
    assert 'name="name" value="李四"' in html
    assert 'name="phone" value="12345"' in html
    assert Customer.objects.count() == 0


def test_customer_create_duplicate_phone_names_owner(client, teammate, customer):
    client.force_login(english(teammate))

    response = client.post("/customers/new/", _customer_form_data(phone="138 1234 5678"))

    assert response.status_code == 400
    assert response.context["form"].errors["phone"] == [
        "This phone number is already a customer of this store, served by 王芳."
    ]
    assert "served by 王芳." in response.content.decode()
    assert list(Customer.objects.values_list("name", flat=True)) == ["张三丰"]


def test_customer_create_finance_is_forbidden(client, make_user):
    client.force_login(make_user(Role.FINANCE))

    response = client.post("/customers/new/", _customer_form_data())

    assert response.status_code == 403
    assert Customer.objects.count() == 0


def test_customer_create_manager_chooses_owner(client, manager, consultant, teammate, store):
    client.force_login(manager)

    response = client.post("/customers/new/", _customer_form_data(owner=str(teammate.pk)))

    created = Customer.objects.get(name="李四")
    assert response["Location"] == f"/customers/{created.pk}/"
    assert (created.owner, created.store) == (teammate, store)


def test_customer_create_manager_cannot_choose_other_store_consultant(
        client, manager, outsider):
    client.force_login(manager)

    response = client.post("/customers/new/", _customer_form_data(owner=str(outsider.pk)))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["owner"]
    assert Customer.objects.count() == 0


# --- Edit ---------------------------------------------------------------------------------
def test_customer_edit_writes_audit_row(client, consultant, customer):
    client.force_login(consultant)

    response = client.post(
        f"/customers/{customer.pk}/edit/",
        _customer_form_data(name="张三丰", phone="+8613812345678",
                            id_number="11010519491231002X", city="广州"),
    )

    customer.refresh_from_db()
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.city == "广州"
    entries = AuditEntry.objects.all()
    assert [(e.action, e.actor_id, e.changes) for e in entries] == [
        (AuditAction.UPDATE, consultant.pk, {"city": ["深圳", "广州"]})
    ]


def test_customer_edit_form_shows_numbers_masked_and_audits_nothing(client, consultant,
                                                                    customer):
    """Issue 10 (#5): opening the form is no way around the audited reveal."""
    client.force_login(consultant)

    response = client.get(f"/customers/{customer.pk}/edit/")

    page = response.content.decode()
    assert response.status_code == 200
    for full in ("13812345678", "138 1234 5678", "11010519491231002X"):
        assert full not in page
    assert 'placeholder="138****5678"' in page
    assert 'placeholder="1101**********002X"' in page
    assert AuditEntry.objects.count() == 0


def test_customer_edit_left_empty_keeps_the_numbers(client, consultant, customer):
    client.force_login(consultant)

    response = client.post(f"/customers/{customer.pk}/edit/",
                           _customer_form_data(name="张三丰", phone="", id_number="",
                                               city="广州"))

    customer.refresh_from_db()
    assert response.status_code == 302
    assert (customer.phone, customer.id_number, customer.city) == (
        "+8613812345678", "11010519491231002X", "广州")
    assert [e.changes for e in AuditEntry.objects.all()] == [{"city": ["深圳", "广州"]}]


def test_customer_edit_typed_number_replaces_the_stored_one(client, consultant, customer):
    client.force_login(consultant)

    response = client.post(f"/customers/{customer.pk}/edit/",
                           _customer_form_data(name="张三丰", phone="139 0000 1111",
                                               id_number="", city="深圳"))

    customer.refresh_from_db()
    assert response.status_code == 302
    assert (customer.phone, customer.id_number) == ("+8613900001111", "11010519491231002X")
    change = AuditEntry.objects.get().changes
    assert change == {"phone": ["138****5678", "139****1111"]}


def test_customer_edit_outsider_is_not_found(client, outsider, customer):
    client.force_login(outsider)

    response = client.post(f"/customers/{customer.pk}/edit/",
                           _customer_form_data(name="改名", phone="+8613812345678"))

    customer.refresh_from_db()
    assert response.status_code == 404
    assert customer.name == "张三丰"
    assert AuditEntry.objects.count() == 0


# --- Stock --------------------------------------------------------------------------------
@pytest.fixture
def vehicles(store, other_store):
    own = StockVehicleFactory(store=store, cost=Decimal("123456.78"),
                              list_price=Decimal("209800.00"))
    foreign = StockVehicleFactory(store=other_store, cost=Decimal("111111.11"))
    return own, foreign


def test_stock_list_manager_sees_cost(client, manager, vehicles):
    own, _foreign = vehicles
    client.force_login(english(manager))

    response = client.get("/stock/")

    html = response.content.decode()
    assert response.context["show_cost"] is True
    assert '<td data-label="List price (CNY)" class="num">¥209,800.00</td>' in html
    assert '<td data-label="Cost (CNY)" class="num">¥123,456.78</td>' in html
    assert own.vin in html


def test_stock_list_consultant_does_not_see_cost(client, consultant, vehicles):
    own, _foreign = vehicles
    client.force_login(consultant)

    response = client.get("/stock/")

    html = response.content.decode()
    assert response.context["show_cost"] is False
    assert own.vin in html
    assert re.search(r"¥209,?800\.00", html)
    assert re.search(r"123\D?456", html) is None


def test_stock_list_never_lists_other_store(client, manager, vehicles):
    own, foreign = vehicles
    client.force_login(manager)

    response = client.get("/stock/")

    assert [v.vin for v in response.context["page"].object_list] == [own.vin]
    assert foreign.vin not in response.content.decode()


def test_stock_list_receptionist_is_forbidden(client, make_user, vehicles):
    own, _foreign = vehicles
    client.force_login(make_user(Role.RECEPTIONIST))

    response = client.get("/stock/")

    assert response.status_code == 403
    assert own.vin not in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_stock_list_query_count_is_constant(client, manager, store, count,
                                            django_assert_num_queries):
    StockVehicleFactory.create_batch(count, store=store)
    client.force_login(manager)

    with django_assert_num_queries(8):
        response = client.get("/stock/")

    assert len(response.context["page"].object_list) == count


# --- Language -----------------------------------------------------------------------------
def test_language_set_switches_user_cookie_and_next_page(client, consultant):
    client.force_login(consultant)

    response = client.post("/account/language/", {"language": "en", "next": "/my-day/"})

    consultant.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/my-day/"
    assert consultant.language == "en"
    assert response.cookies["django_language"].value == "en"
    page = client.get("/my-day/")
    assert '<html lang="en">' in page.content.decode()
    assert page["Content-Language"] == "en"


def test_language_set_invalid_language_changes_nothing(client, consultant):
    client.force_login(consultant)

    response = client.post("/account/language/", {"language": "fr"}, follow=True)

    consultant.refresh_from_db()
    assert response.redirect_chain == [("/account/", 302)]
    assert consultant.language == "zh-hans"
    assert "django_language" not in client.cookies
    messages = list(response.context["messages"])
    assert [m.level for m in messages] == [message_levels.ERROR]
    assert str(messages[0]) in response.content.decode()


def test_language_set_get_is_not_allowed(client, consultant):
    client.force_login(consultant)

    response = client.get("/account/language/", {"language": "en"})

    consultant.refresh_from_db()
    assert response.status_code == 405
    assert consultant.language == "zh-hans"


# --- Errors, health, headers --------------------------------------------------------------
def test_unknown_url_renders_custom_not_found_page(client, consultant):
    client.force_login(consultant)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert _template_names(response)[0] == "404.html"
    assert '<a class="button" href="/">' in response.content.decode()


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"


def test_security_headers_on_normal_page(client, consultant):
    client.force_login(consultant)

    response = client.get("/my-day/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("page", ["login", "my_day", "customers", "customer", "stock", "404"])
def test_pages_have_no_inline_script_or_style(client, consultant, customer, page):
    paths = {"my_day": "/my-day/", "customers": "/customers/",
             "customer": f"/customers/{customer.pk}/", "stock": "/stock/",
             "404": "/no-such-page/"}
    if page == "login":
        path = "/accounts/login/"
    else:
        client.force_login(consultant)
        path = paths[page]

    html = client.get(path).content.decode()

    assert "<html" in html
    assert INLINE_SCRIPT.findall(html) == []
    assert STYLE_ATTRIBUTE.findall(html) == []


@pytest.mark.parametrize("count", [1, 3])
def test_customer_detail_query_count_is_constant(client, consultant, customer, count,
                                                 django_assert_num_queries):
    from dealership.services.audit import audit_log

    for index in range(count):
        audit_log(actor=consultant, instance=customer, action=AuditAction.UPDATE,
                  changes={"city": [f"城{index}", "深圳"]})
    client.force_login(consultant)

    # ... and after-sales' link to the owner's file asks once whether the customer owns a
    # delivered car.
    with django_assert_num_queries(8):
        response = client.get(f"/customers/{customer.pk}/")

    assert response.status_code == 200
    assert len(response.context["history"]) == count
