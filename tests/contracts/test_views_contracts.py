"""Contract screens: the list and its filters, drafting from a quote, the contract page and
its actions (one service per transition), the edit form, the manager's review queue, the
draft preview, the document panel and the stored PDF; who may open and do what."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.enums import (
    ContractEventKind,
    ContractStatus,
    DocumentStatus,
    PaymentChannel,
    PaymentKind,
    QuoteStatus,
    RefundStatus,
)
from contracts.models import Contract, ContractDocument, Payment, RefundObligation
from contracts.selectors.contracts import review_queue_count
from contracts.services import contracts as services
from contracts.services.documents import MAX_ATTEMPTS, contract_document_render
from dealership.enums import Role
from dealership.models import AuditEntry
from tests.contracts.factories import approved_quote, make_contract, make_quote
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.helpers import HTMX, english

pytestmark = pytest.mark.django_db

S = ContractStatus
ID_NUMBER = "11010519491231002X"
MATE_ID_NUMBER = "440301199001011234"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def statuses(page) -> list[str]:
    return [contract.status for contract in page.object_list]


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE)


@pytest.fixture
def mate_customer(store, teammate):
    return CustomerFactory(store=store, owner=teammate, name="李四", phone="+8613912345678",
                           id_number=MATE_ID_NUMBER)


@pytest.fixture
def draft(consultant, customer, manager):
    return make_contract(consultant, customer, manager=manager)


def at(consultant, customer, manager, status, **kwargs) -> Contract:
    return make_contract(consultant, customer, manager=manager, status=status, **kwargs)


def refreshed(contract: Contract) -> Contract:
    return Contract.objects.get(pk=contract.pk)


# --- The list -----------------------------------------------------------------------------
def test_list_consultant_sees_only_own_customers_contracts(client, consultant, customer,
                                                           manager, teammate, mate_customer):
    own = at(consultant, customer, manager, S.DRAFT)
    at(teammate, mate_customer, manager, S.DRAFT)
    client.force_login(consultant)

    response = client.get("/contracts/")

    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [own]
    assert f'href="/contracts/{own.pk}/"' in html
    assert "李四" not in html
    assert 'name="consultant"' not in html  # the consultant filter is not theirs


def test_list_manager_sees_the_store_with_every_column(client, consultant, customer, manager,
                                                       teammate, mate_customer):
    signed = at(consultant, customer, manager, S.SIGNED)
    other = at(teammate, mate_customer, manager, S.DRAFT)
    english(manager)
    client.force_login(manager)

    response = client.get("/contracts/")

    html = response.content.decode()
    assert list(response.context["page"].object_list) == [other, signed]
    assert f'<span class="mono">{signed.number}</span>' in html
    assert f"Draft #{other.pk}</a>" in html
    assert "¥207,800.00" in html  # 209,800 list − 2,000 discount
    assert "王芳" in html and "李强" in html
    assert 'name="consultant"' in html


def test_list_filters_by_state(client, consultant, customer, manager):
    at(consultant, customer, manager, S.DRAFT)
    in_review = at(consultant, customer, manager, S.IN_REVIEW)
    client.force_login(manager)

    response = client.get("/contracts/?status=in_review")

    assert list(response.context["page"].object_list) == [in_review]


def test_list_filters_by_consultant(client, consultant, customer, manager, teammate,
                                    mate_customer):
    at(consultant, customer, manager, S.DRAFT)
    mates = at(teammate, mate_customer, manager, S.DRAFT)
    client.force_login(manager)

    response = client.get(f"/contracts/?consultant={teammate.pk}")

    assert list(response.context["page"].object_list) == [mates]


def test_list_consultant_filter_ignored_for_a_consultant(client, consultant, customer, manager,
                                                         teammate):
    own = at(consultant, customer, manager, S.DRAFT)
    client.force_login(consultant)

    response = client.get(f"/contracts/?consultant={teammate.pk}")

    assert list(response.context["page"].object_list) == [own]


def test_list_consultant_filter_offers_a_supervisor_their_team_only(
        client, store, supervisor, consultant, teammate, outsider):
    other_team = TeamFactory(store=store, name="销售二组",
                             supervisor=UserFactory(role=Role.SUPERVISOR, store=store))
    UserFactory(username="con2", role=Role.CONSULTANT, store=store, team=other_team)
    client.force_login(supervisor)

    response = client.get("/contracts/")

    offered = set(response.context["filter"].filters["consultant"].queryset)
    assert offered == {supervisor, consultant, teammate}


def test_list_filters_by_the_month_signed_in_store_time(client, consultant, customer, manager,
                                                        store):
    this_month = at(consultant, customer, manager, S.SIGNED)
    last_month = at(consultant, customer, manager, S.SIGNED)
    at(consultant, customer, manager, S.DRAFT)
    # 00:30 on the 1st in Shanghai is still the previous month in UTC.
    first = timezone.localdate(timezone.now(), store.tzinfo).replace(day=1)
    first_local = dt.datetime.combine(first, dt.time(0, 30), tzinfo=store.tzinfo)
    Contract.objects.filter(pk=this_month.pk).update(signed_at=first_local)
    Contract.objects.filter(pk=last_month.pk).update(
        signed_at=first_local - dt.timedelta(hours=1))
    client.force_login(manager)

    response = client.get(f"/contracts/?month={first:%Y-%m}")

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [this_month]


def test_list_rejects_a_malformed_month_with_400(client, consultant, customer, manager):
    at(consultant, customer, manager, S.DRAFT)
    english(manager)
    client.force_login(manager)

    response = client.get("/contracts/?month=2026-13")

    assert response.status_code == 400
    assert "Enter a month as YYYY-MM, e.g. 2026-03." in response.content.decode()


def test_list_rejects_the_last_month_of_the_calendar_with_400(client, manager):
    # December of year 9999 has no following month to end the range with.
    english(manager)
    client.force_login(manager)

    response = client.get("/contracts/?month=9999-12")

    assert response.status_code == 400
    assert response.context["filter"].errors["month"] == [
        "Enter a month as YYYY-MM, e.g. 2026-03."]


def test_list_searches_number_and_buyer(client, consultant, customer, manager, teammate,
                                        mate_customer):
    signed = at(consultant, customer, manager, S.SIGNED)
    mates = at(teammate, mate_customer, manager, S.DRAFT)
    client.force_login(manager)

    by_number = client.get(f"/contracts/?q={signed.number[-6:]}")
    by_buyer = client.get("/contracts/?q=李四")

    assert list(by_number.context["page"].object_list) == [signed]
    assert list(by_buyer.context["page"].object_list) == [mates]


def test_list_htmx_renders_the_rows_only(client, consultant, customer, manager):
    at(consultant, customer, manager, S.DRAFT)
    client.force_login(manager)

    response = client.get("/contracts/?status=draft", HTTP_HX_TARGET="contract-rows", **HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="contract-rows">')
    assert "<form" not in html


def test_list_empty_states(client, consultant, manager):
    english(manager)
    client.force_login(manager)

    empty = client.get("/contracts/").content.decode()
    filtered = client.get("/contracts/?status=signed").content.decode()

    assert "No contracts yet." in empty
    assert "No contract matches these filters." in filtered


def test_list_is_not_for_the_receptionist(client, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    assert client.get("/contracts/").status_code == 403


@pytest.mark.parametrize("rows", [1, 3])
def test_list_query_count_is_fixed(client, consultant, customer, manager, rows,
                                   django_assert_num_queries):
    for _n in range(rows):
        at(consultant, customer, manager, S.SIGNED)
    client.force_login(manager)

    with django_assert_num_queries(6):
        response = client.get("/contracts/")

    assert len(response.context["page"].object_list) == rows


# --- Drafting from a quote ----------------------------------------------------------------
def test_create_drafts_the_contract_and_opens_its_edit_form(client, consultant, customer):
    quote = approved_quote(consultant, customer)
    client.force_login(consultant)

    response = client.post(f"/contracts/quotes/{quote.pk}/contract/")

    contract = Contract.objects.get(quote=quote)
    quote.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{contract.pk}/edit/"
    assert contract.status == S.DRAFT
    assert contract.buyer_name == "张三丰"
    assert quote.status == QuoteStatus.CONTRACTED


def test_create_htmx_redirects_the_browser(client, consultant, customer):
    quote = approved_quote(consultant, customer)
    client.force_login(consultant)

    response = client.post(f"/contracts/quotes/{quote.pk}/contract/", **HTMX)

    contract = Contract.objects.get(quote=quote)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/contracts/{contract.pk}/edit/"


def test_create_from_a_pending_quote_goes_back_with_the_message(client, consultant, customer):
    quote = make_quote(consultant, customer, discount=Decimal("5000"))  # over the limit
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/quotes/{quote.pk}/contract/")

    assert response.status_code == 302
    assert response["Location"] == f"/contracts/quotes/{quote.pk}/"
    assert messages_of(response) == [
        "Only an approved quote becomes a contract; this one is Awaiting approval."]
    assert Contract.objects.count() == 0


def test_create_refused_with_htmx_is_400_with_the_message(client, consultant, customer):
    quote = make_quote(consultant, customer, discount=Decimal("5000"))
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/quotes/{quote.pk}/contract/", **HTMX)

    assert response.status_code == 400
    assert response.content.decode().strip() == (
        '<div id="contract-create-error" class="form-errors" role="alert">Only an approved '
        "quote becomes a contract; this one is Awaiting approval.</div>")


def test_create_from_a_teammates_quote_is_404(client, consultant, teammate, mate_customer):
    quote = approved_quote(teammate, mate_customer)
    client.force_login(consultant)

    response = client.post(f"/contracts/quotes/{quote.pk}/contract/")

    assert response.status_code == 404
    assert Contract.objects.count() == 0


def test_create_is_not_for_finance(client, consultant, customer, finance):
    quote = approved_quote(consultant, customer)
    client.force_login(finance)

    assert client.post(f"/contracts/quotes/{quote.pk}/contract/").status_code == 403
    assert Contract.objects.count() == 0


# --- The contract page --------------------------------------------------------------------
def test_detail_shows_the_contract_in_full_to_its_consultant(client, consultant, draft):
    english(consultant)
    client.force_login(consultant)

    response = client.get(f"/contracts/{draft.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "张三丰" in html
    # Phone and ID number masked until an audited reveal, as on the customer page.
    assert ID_NUMBER not in html and "1101**********002X" in html
    assert "138****5678" in html
    assert f'action="/contracts/{draft.pk}/reveal/"' in html
    assert "深圳市南山区科技园1号" in html
    assert "¥209,800.00" in html and "−¥2,000.00" in html and "¥207,800.00" in html
    assert "¥5,000.00" in html  # the deposit
    assert [e.kind for e in response.context["timeline"]] == [ContractEventKind.EDITED,
                                                              ContractEventKind.CREATED]
    actions = response.context["actions"]
    assert [name for name, allowed in actions.items() if allowed] == ["edit", "submit",
                                                                      "cancel"]
    assert f'action="/contracts/{draft.pk}/submit/"' in html
    assert f'href="/contracts/{draft.pk}/preview.pdf"' in html
    assert "No money received on this contract yet." in html


def test_detail_masks_id_and_phone_for_a_viewer_without_full_pii(client, draft, manager):
    # A manager whose group lacks the PII permission (the rule, not a real role setup).
    from django.contrib.auth.models import Permission

    manager.groups.first().permissions.remove(
        Permission.objects.get(codename="view_customer_pii"))
    client.force_login(manager)

    html = client.get(f"/contracts/{draft.pk}/").content.decode()

    assert ID_NUMBER not in html and "1101**********002X" in html
    assert "138 1234 5678" not in html and "138****5678" in html
    assert "/reveal/" not in html

    response = client.post(f"/contracts/{draft.pk}/reveal/")

    assert response.status_code == 403


def test_reveal_shows_the_numbers_in_full_and_audits_it(client, consultant, draft):
    from dealership.enums import AuditAction
    from dealership.models import AuditEntry

    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/reveal/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="buyer-details"')
    assert ID_NUMBER in html and "138 1234 5678" in html
    assert "/reveal/" not in html
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_PII, object_id=str(draft.pk))
    assert entry.actor == consultant
    assert entry.changes == {"fields": ["buyer_phone", "buyer_id_number"]}


def test_reveal_without_htmx_renders_the_page_in_full(client, consultant, draft):
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/reveal/")

    html = response.content.decode()
    assert response.status_code == 200
    assert ID_NUMBER in html and "138 1234 5678" in html
    assert 'data-testid="contract-timeline"' in html


def test_reveal_of_a_teammates_contract_is_404(client, teammate, draft):
    audit_rows = AuditEntry.objects.count()
    client.force_login(teammate)

    response = client.post(f"/contracts/{draft.pk}/reveal/")

    assert response.status_code == 404
    assert ID_NUMBER not in response.content.decode()
    assert AuditEntry.objects.count() == audit_rows  # no "shown in full" row


def test_reveal_is_post_only(client, consultant, draft):
    client.force_login(consultant)

    assert client.get(f"/contracts/{draft.pk}/reveal/").status_code == 405


def test_detail_shows_the_loan_plan_with_monthly_payment(client, consultant, customer,
                                                        manager):
    contract = at(consultant, customer, manager, S.DRAFT, payment_plan="loan",
                  down_payment=Decimal("60000"), loan_term_months=36,
                  loan_annual_rate=Decimal("4.50"))
    client.force_login(consultant)

    html = client.get(f"/contracts/{contract.pk}/").content.decode()

    # Worked apart: 209,800 − 2,000 discount = 207,800; − 60,000 down = 147,800 financed.
    # P·r / (1 − (1 + r)^−n) with r = 4.5 % / 12, n = 36 is 4,396.5954…, 4,396.60 half-up.
    assert (contract.loan_principal, contract.monthly_payment) == (
        Decimal("147800.00"), Decimal("4396.60"))
    assert 'data-testid="monthly-payment">¥4,396.60<' in html


def test_detail_shows_the_rejection_reason_on_a_draft_sent_back(client, consultant, customer,
                                                               manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    services.contract_reject(actor=manager, contract=contract, reason="身份证号码需要复核")
    client.force_login(consultant)

    html = client.get(f"/contracts/{contract.pk}/").content.decode()

    assert 'data-testid="rejection-reason"' in html
    assert "身份证号码需要复核" in html
    assert "周经理" in html


@pytest.mark.parametrize("events", [1, 3])
def test_detail_query_count_is_fixed(client, consultant, customer, manager, events,
                                     django_assert_num_queries):
    contract = make_contract(consultant, customer, manager=manager, complete=False)
    for n in range(events - 1):
        services.contract_update(actor=consultant, contract=contract,
                                 buyer_address=f"深圳市福田区{n}号")
    client.force_login(consultant)

    with django_assert_num_queries(9):
        response = client.get(f"/contracts/{contract.pk}/")

    assert len(response.context["timeline"]) == events


def test_detail_of_a_teammates_contract_is_404(client, consultant, teammate, mate_customer,
                                               manager):
    contract = at(teammate, mate_customer, manager, S.DRAFT)
    client.force_login(consultant)

    assert client.get(f"/contracts/{contract.pk}/").status_code == 404


def test_detail_for_an_outsider_is_404(client, draft, outsider):
    client.force_login(outsider)

    assert client.get(f"/contracts/{draft.pk}/").status_code == 404


def test_detail_opens_for_the_supervisor_of_the_team(client, draft, supervisor):
    client.force_login(supervisor)

    response = client.get(f"/contracts/{draft.pk}/")

    assert response.status_code == 200
    assert response.context["contract"] == draft


def test_finance_views_but_may_not_act(client, consultant, customer, manager, finance):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    client.force_login(finance)

    page = client.get(f"/contracts/{contract.pk}/")
    approve = client.post(f"/contracts/{contract.pk}/approve/")
    cancel = client.post(f"/contracts/{contract.pk}/cancel/", {"reason": "不要了"})
    submit = client.post(f"/contracts/{contract.pk}/submit/")

    assert page.status_code == 200
    assert not any(page.context["actions"].values())
    assert (approve.status_code, cancel.status_code, submit.status_code) == (403, 403, 403)
    assert refreshed(contract).status == S.IN_REVIEW


def test_detail_is_not_for_the_receptionist(client, draft, make_user):
    client.force_login(make_user(Role.RECEPTIONIST))

    assert client.get(f"/contracts/{draft.pk}/").status_code == 403


# --- The edit form ------------------------------------------------------------------------
def edit_data(contract, **overrides) -> dict[str, str]:
    data = {
        "buyer_name": "张三丰", "buyer_id_number": ID_NUMBER, "buyer_phone": "13812345678",
        "buyer_address": "深圳市南山区科技园2号", "configuration": "脚垫 ×1",
        "deposit_amount": "8000.00",
        "promised_delivery_date": (contract.store.today() + dt.timedelta(days=20)).isoformat(),
        "extra_terms": "赠送首保一次",
    }
    data.update(overrides)
    return data


def test_edit_form_shows_the_draft(client, consultant, draft):
    client.force_login(consultant)

    response = client.get(f"/contracts/{draft.pk}/edit/")

    assert response.status_code == 200
    assert response.context["form"]["buyer_address"].value() == "深圳市南山区科技园1号"
    assert response.context["form"]["buyer_phone"].value() == ""


def test_edit_form_shows_the_buyers_numbers_masked_and_audits_nothing(client, consultant,
                                                                      draft):
    """Issue 10 (#5): opening the form is no way around the audited reveal."""
    client.force_login(consultant)
    before = AuditEntry.objects.count()

    response = client.get(f"/contracts/{draft.pk}/edit/")

    page = response.content.decode()
    assert response.status_code == 200
    for full in ("13812345678", "138 1234 5678", ID_NUMBER):
        assert full not in page
    assert 'placeholder="138****5678"' in page
    assert 'placeholder="1101**********002X"' in page
    assert AuditEntry.objects.count() == before


def test_edit_with_the_numbers_left_empty_keeps_them(client, consultant, draft):
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/edit/",
                           edit_data(draft, buyer_phone="", buyer_id_number=""))

    contract = refreshed(draft)
    assert response.status_code == 302
    assert (contract.buyer_phone, contract.buyer_id_number, contract.buyer_address) == (
        "+8613812345678", ID_NUMBER, "深圳市南山区科技园2号")
    change = AuditEntry.objects.filter(content_type__model="contract").latest("pk").changes
    assert "buyer_phone" not in change and "buyer_id_number" not in change


def test_edit_with_a_typed_number_replaces_it_and_the_record_masks_it(client, consultant,
                                                                     draft):
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/edit/",
                           edit_data(draft, buyer_phone="139 0000 1111", buyer_id_number=""))

    contract = refreshed(draft)
    assert response.status_code == 302
    assert (contract.buyer_phone, contract.buyer_id_number) == ("+8613900001111", ID_NUMBER)
    change = AuditEntry.objects.filter(content_type__model="contract").latest("pk").changes
    assert change["buyer_phone"] == ["138****5678", "139****1111"]
    assert "buyer_id_number" not in change


def test_edit_saves_the_draft(client, consultant, draft):
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/edit/", edit_data(draft))

    contract = refreshed(draft)
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{draft.pk}/"
    assert contract.buyer_address == "深圳市南山区科技园2号"
    assert contract.deposit_amount == Decimal("8000.00")
    assert contract.extra_terms == "赠送首保一次"
    assert contract.buyer_phone == "+8613812345678"


def test_edit_with_a_bad_id_number_is_400_with_the_input_kept(client, consultant, draft):
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/edit/",
                           edit_data(draft, buyer_id_number="110105194912310021",
                                     buyer_address="新地址"))

    form = response.context["form"]
    assert response.status_code == 400
    assert list(form.errors) == ["buyer_id_number"]
    assert form["buyer_id_number"].value() == "110105194912310021"
    assert form["buyer_address"].value() == "新地址"
    assert refreshed(draft).buyer_address == "深圳市南山区科技园1号"


def test_edit_with_a_deposit_over_the_cap_is_400(client, consultant, draft):
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/edit/", **HTMX,
                           data=edit_data(draft, deposit_amount="50000"))

    assert response.status_code == 400
    assert response.context["form"].errors == {"deposit_amount": [
        "A deposit may be at most 20 % of the contract amount (¥41,560.00)."]}
    assert response.content.decode().lstrip().startswith("<form")


def test_edit_of_a_contract_in_review_redirects_and_refuses_posts(client, consultant, customer,
                                                                  manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    english(consultant)
    client.force_login(consultant)

    page = client.get(f"/contracts/{contract.pk}/edit/")
    post = client.post(f"/contracts/{contract.pk}/edit/", edit_data(contract))

    assert page.status_code == 302 and page["Location"] == f"/contracts/{contract.pk}/"
    assert messages_of(page) == ["Only a draft can be changed; this contract is In review."]
    assert post.status_code == 409
    assert post.context["form"].non_field_errors() == [
        "This contract is In review; that step is not possible now."]
    kept = refreshed(contract)
    assert (kept.status, kept.buyer_address, kept.deposit_amount, kept.extra_terms) == (
        S.IN_REVIEW, "深圳市南山区科技园1号", Decimal("5000.00"), "")


def test_edit_of_a_teammates_contract_is_404(client, consultant, teammate, mate_customer,
                                             manager):
    contract = at(teammate, mate_customer, manager, S.DRAFT)
    client.force_login(consultant)

    assert client.get(f"/contracts/{contract.pk}/edit/").status_code == 404


def test_edit_is_not_for_finance(client, draft, finance):
    client.force_login(finance)

    assert client.get(f"/contracts/{draft.pk}/edit/").status_code == 403


# --- Transitions --------------------------------------------------------------------------
def test_submit_sends_the_draft_for_review(client, consultant, draft):
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/submit/")

    contract = refreshed(draft)
    assert response.status_code == 302 and response["Location"] == f"/contracts/{draft.pk}/"
    assert messages_of(response) == ["Sent to the manager for review."]
    assert contract.status == S.IN_REVIEW
    assert contract.submitted_at is not None


def test_submit_of_an_incomplete_draft_is_400_with_what_is_missing(client, consultant,
                                                                    customer, manager):
    contract = make_contract(consultant, customer, manager=manager, complete=False)
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{contract.pk}/submit/")

    assert response.status_code == 400
    assert response.context["action_errors"] == ["A contract needs the buyer's address.",
                                                 "Promise a delivery date."]
    assert refreshed(contract).status == S.DRAFT


def test_submit_with_htmx_returns_the_page_retargeted(client, consultant, draft):
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/submit/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#contract-page"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<div id="contract-page">')
    assert "Sent to the manager for review." in html
    assert refreshed(draft).status == S.IN_REVIEW


def test_approve_by_the_manager(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/approve/", {"comment": "可以"})

    contract = refreshed(contract)
    assert response.status_code == 302
    assert contract.status == S.APPROVED
    assert contract.reviewed_by == manager
    assert contract.events.first().note == "可以"


def test_approve_of_a_draft_is_409_with_the_message(client, draft, manager):
    english(manager)
    client.force_login(manager)

    response = client.post(f"/contracts/{draft.pk}/approve/")

    assert response.status_code == 409
    assert response.context["action_errors"] == [
        "This contract is Draft; that step is not possible now."]
    assert refreshed(draft).status == S.DRAFT


def test_approve_conflict_with_htmx_returns_the_actions_panel(client, consultant, customer,
                                                              manager):
    contract = at(consultant, customer, manager, S.APPROVED)
    events = contract.events.count()
    english(manager)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/approve/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 409
    assert html.lstrip().startswith('<section class="card contract-actions" id="contract-actions"')
    assert "This contract is Approved; that step is not possible now." in html
    kept = refreshed(contract)
    assert (kept.status, kept.reviewed_by, kept.reviewed_at) == (
        S.APPROVED, manager, contract.reviewed_at)
    assert contract.events.count() == events


def test_approve_by_the_consultant_is_403(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    client.force_login(consultant)

    assert client.post(f"/contracts/{contract.pk}/approve/").status_code == 403
    assert refreshed(contract).status == S.IN_REVIEW


def test_reject_sends_back_to_draft_with_the_reason(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/reject/", {"reason": "交车日期太早"})

    contract = refreshed(contract)
    assert response.status_code == 302
    assert contract.status == S.DRAFT
    assert contract.rejection_reason == "交车日期太早"


def test_reject_without_a_reason_is_400(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    english(manager)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/reject/", {"reason": " "})

    assert response.status_code == 400
    assert response.context["reject_form"].errors == {
        "reason": ["Say what must change before it can be approved."]}
    assert refreshed(contract).status == S.IN_REVIEW


def test_sign_records_the_number_and_the_deposit(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.APPROVED)
    client.force_login(consultant)

    response = client.post(f"/contracts/{contract.pk}/sign/", {
        "customer_signed": "on", "deposit_channel": PaymentChannel.ALIPAY,
        "receipt_number": "SK-0001"})

    contract = refreshed(contract)
    payment = Payment.objects.get(contract=contract)
    assert response.status_code == 302
    assert contract.status == S.SIGNED
    assert contract.number == f"DEMO-{contract.year}-000001"
    assert contract.signed_by == consultant
    assert (payment.kind, payment.channel, payment.amount, payment.receipt_number) == (
        PaymentKind.DEPOSIT, PaymentChannel.ALIPAY, Decimal("5000.00"), "SK-0001")
    assert ContractDocument.objects.get(contract=contract).status == DocumentStatus.PENDING


def test_sign_with_a_deposit_but_no_receipt_is_400(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.APPROVED)
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{contract.pk}/sign/", {
        "customer_signed": "on", "deposit_channel": PaymentChannel.CASH,
        "receipt_number": ""})

    form = response.context["sign_form"]
    assert response.status_code == 400
    assert form.errors == {"receipt_number": ["Enter the deposit's receipt number."]}
    assert form["deposit_channel"].value() == PaymentChannel.CASH
    assert refreshed(contract).status == S.APPROVED
    assert Payment.objects.count() == 0


def test_sign_refused_with_htmx_returns_the_actions_panel_with_the_input(client, consultant,
                                                                         customer, manager):
    contract = at(consultant, customer, manager, S.APPROVED)
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{contract.pk}/sign/", {
        "deposit_channel": PaymentChannel.WECHAT, "receipt_number": "SK-0009"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 400
    assert html.lstrip().startswith('<section class="card contract-actions" id="contract-actions"')
    assert "Confirm that the customer has signed." in html
    assert 'value="SK-0009"' in html
    assert refreshed(contract).status == S.APPROVED


def test_sign_without_the_customers_signature_is_400(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.APPROVED, deposit=Decimal("0"))
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{contract.pk}/sign/", {})

    assert response.status_code == 400
    assert response.context["sign_form"].errors == {
        "customer_signed": ["Confirm that the customer has signed."]}
    assert list(response.context["sign_form"].fields) == ["customer_signed"]


def test_a_signed_contract_cannot_be_marked_delivered_from_the_contract_page(
        client, consultant, customer, manager):
    # Delivery is the handover's (delivery stage), behind its gate: no one-click button.
    contract = at(consultant, customer, manager, S.SIGNED)
    client.force_login(consultant)

    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    response = client.post(f"/contracts/{contract.pk}/deliver/")

    assert "Mark delivered" not in page and "/deliver/" not in page
    assert response.status_code == 404
    assert refreshed(contract).status == S.SIGNED


def test_close_by_the_manager(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.DELIVERED)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/close/")

    assert response.status_code == 302
    assert refreshed(contract).status == S.CLOSED


def test_close_by_the_consultant_is_403(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.DELIVERED)
    client.force_login(consultant)

    assert client.post(f"/contracts/{contract.pk}/close/").status_code == 403
    assert refreshed(contract).status == S.DELIVERED


def test_cancel_of_a_draft_by_its_consultant_gives_the_quote_back(client, consultant, draft):
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/cancel/", {"reason": "客户改期"})

    contract = refreshed(draft)
    assert response.status_code == 302
    assert contract.status == S.CANCELLED
    assert contract.cancel_reason == "客户改期"
    assert contract.quote.status == QuoteStatus.APPROVED
    assert not RefundObligation.objects.exists()


def test_cancel_without_a_reason_is_400(client, consultant, draft):
    english(consultant)
    client.force_login(consultant)

    response = client.post(f"/contracts/{draft.pk}/cancel/", {"reason": ""})

    assert response.status_code == 400
    assert response.context["cancel_form"].errors == {
        "reason": ["Say why the contract is cancelled."]}


def test_cancel_of_a_signed_contract_by_the_consultant_is_403(client, consultant, customer,
                                                              manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    client.force_login(consultant)

    page = client.get(f"/contracts/{contract.pk}/")
    response = client.post(f"/contracts/{contract.pk}/cancel/", {"reason": "不要了"})

    assert 'data-testid="cancel-managers"' in page.content.decode()
    assert response.status_code == 403
    assert refreshed(contract).status == S.SIGNED


def test_cancel_of_a_signed_contract_by_the_manager_leaves_a_refund_owed(client, consultant,
                                                                        customer, manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    english(manager)
    client.force_login(manager)

    before = client.get(f"/contracts/{contract.pk}/").content.decode()
    response = client.post(f"/contracts/{contract.pk}/cancel/", {"reason": "客户退订"})
    after = client.get(f"/contracts/{contract.pk}/").content.decode()

    refund = RefundObligation.objects.get(contract=contract)
    assert ("The customer has paid ¥5,000.00: cancelling creates a refund of ¥5,000.00 owed "
            "to them.") in before
    assert response.status_code == 302
    assert refreshed(contract).status == S.CANCELLED
    assert (refund.amount, refund.status) == (Decimal("5000.00"), RefundStatus.DUE)
    assert "Refund owed to the customer: ¥5,000.00" in after
    assert "客户退订" in after


def test_actions_on_a_teammates_contract_are_404(client, consultant, teammate, mate_customer,
                                                 manager):
    contract = at(teammate, mate_customer, manager, S.DRAFT)
    client.force_login(consultant)

    assert client.post(f"/contracts/{contract.pk}/submit/").status_code == 404
    assert client.post(f"/contracts/{contract.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert refreshed(contract).status == S.DRAFT


def test_actions_for_an_outsider_are_404(client, draft, outsider):
    events = draft.events.count()
    audit_rows = AuditEntry.objects.count()
    client.force_login(outsider)

    response = client.post(f"/contracts/{draft.pk}/submit/")

    assert response.status_code == 404
    assert (refreshed(draft).status, refreshed(draft).submitted_at) == (S.DRAFT, None)
    assert draft.events.count() == events
    assert AuditEntry.objects.count() == audit_rows


def test_actions_refuse_get(client, consultant, draft):
    client.force_login(consultant)

    assert client.get(f"/contracts/{draft.pk}/submit/").status_code == 405


# --- The review queue ---------------------------------------------------------------------
def test_queue_lists_the_stores_contracts_in_review_oldest_first(client, consultant, customer,
                                                                  manager, teammate,
                                                                  mate_customer):
    newer = at(consultant, customer, manager, S.IN_REVIEW)
    older = at(teammate, mate_customer, manager, S.IN_REVIEW)
    Contract.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - dt.timedelta(hours=5))
    at(consultant, customer, manager, S.DRAFT)
    at(consultant, customer, manager, S.APPROVED)
    client.force_login(manager)

    response = client.get("/contracts/review/")

    html = response.content.decode()
    assert list(response.context["contracts"]) == [older, newer]
    assert f'hx-post="/contracts/{older.pk}/approve/"' in html
    assert "¥207,800.00" in html and "¥2,000.00" in html and "¥5,000.00" in html


@pytest.mark.parametrize("rows", [1, 3])
def test_queue_query_count_is_fixed(client, consultant, customer, manager, rows,
                                    django_assert_num_queries):
    for _n in range(rows):
        at(consultant, customer, manager, S.IN_REVIEW)
    client.force_login(manager)

    with django_assert_num_queries(4):
        response = client.get("/contracts/review/")

    assert len(response.context["contracts"]) == rows


def test_queue_is_the_managers_only(client, consultant, supervisor):
    client.force_login(consultant)
    as_consultant = client.get("/contracts/review/")
    client.force_login(supervisor)
    as_supervisor = client.get("/contracts/review/")

    assert (as_consultant.status_code, as_supervisor.status_code) == (403, 403)


def test_queue_empty_state(client, manager):
    english(manager)
    client.force_login(manager)

    assert "Nothing to review." in client.get("/contracts/review/").content.decode()


def test_queue_approve_with_htmx_swaps_the_row(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    english(manager)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/approve/", {"from": "queue"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tbody id="review-row-{contract.pk}"')
    assert "Contract approved." in html
    assert refreshed(contract).status == S.APPROVED


def test_queue_approve_without_htmx_returns_to_the_queue(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/approve/", {"from": "queue"})

    assert response.status_code == 302 and response["Location"] == "/contracts/review/"
    assert refreshed(contract).status == S.APPROVED


def test_queue_reject_without_reason_keeps_the_row_with_the_error(client, consultant, customer,
                                                                  manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    english(manager)
    client.force_login(manager)

    response = client.post(f"/contracts/{contract.pk}/reject/", {"from": "queue", "reason": ""},
                           **HTMX)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Say what must change before it can be approved." in html
    assert html.lstrip().startswith(f'<tbody id="review-row-{contract.pk}"')


def test_queue_approve_of_a_contract_someone_else_decided_is_409(client, consultant, customer,
                                                                 manager):
    contract = at(consultant, customer, manager, S.IN_REVIEW)
    services.contract_reject(actor=manager, contract=contract, reason="再看看")
    english(manager)
    client.force_login(manager)

    rejected = refreshed(contract)
    events = contract.events.count()

    response = client.post(f"/contracts/{contract.pk}/approve/", {"from": "queue"}, **HTMX)

    assert response.status_code == 409
    assert "This contract is Draft; that step is not possible now." in (
        response.content.decode())
    kept = refreshed(contract)
    assert (kept.status, kept.reviewed_at, kept.rejection_reason) == (
        S.DRAFT, rejected.reviewed_at, "再看看")
    assert contract.events.count() == events


def test_review_queue_count_is_one_query_for_a_manager(consultant, customer, manager,
                                                       django_assert_num_queries):
    at(consultant, customer, manager, S.IN_REVIEW)
    at(consultant, customer, manager, S.IN_REVIEW)
    at(consultant, customer, manager, S.DRAFT)

    with django_assert_num_queries(1):
        count = review_queue_count(manager)

    assert count == 2


def test_review_queue_count_is_zero_without_a_query_for_others(consultant, customer, manager,
                                                               django_assert_num_queries):
    at(consultant, customer, manager, S.IN_REVIEW)

    with django_assert_num_queries(0):
        count = review_queue_count(consultant)

    assert count == 0


# --- Documents ----------------------------------------------------------------------------
def test_document_panel_polls_while_the_pdf_is_pending(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    english(consultant)
    client.force_login(consultant)

    response = client.get(f"/contracts/{contract.pk}/document/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'hx-get="/contracts/{contract.pk}/document/"' in html
    assert 'hx-trigger="load delay:2s"' in html
    assert "Generating the contract PDF…" in html


def test_document_panel_stops_polling_when_the_worker_gave_up(client, consultant, customer,
                                                              manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    ContractDocument.objects.filter(contract=contract).update(status=DocumentStatus.FAILED,
                                                              attempts=MAX_ATTEMPTS)
    english(consultant)
    client.force_login(consultant)

    html = client.get(f"/contracts/{contract.pk}/document/").content.decode()

    assert "hx-trigger" not in html
    assert ("The contract PDF could not be generated. The system keeps trying; tell the "
            "administrator if this stays.") in html


def test_document_panel_ready_shows_the_link_and_stops_polling(client, consultant, customer,
                                                               manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    document = contract_document_render(contract.document.pk)
    client.force_login(consultant)

    response = client.get(f"/contracts/{contract.pk}/document/", **HTMX)

    html = response.content.decode()
    assert "hx-trigger" not in html
    assert f'href="/contracts/{contract.pk}/contract.pdf"' in html
    assert f"{document.sha256[:16]}…" in html


def test_detail_page_includes_the_document_panel(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    client.force_login(consultant)

    html = client.get(f"/contracts/{contract.pk}/").content.decode()

    assert 'id="contract-document"' in html
    assert f'hx-get="/contracts/{contract.pk}/document/"' in html


def test_document_panel_of_an_unsigned_contract_offers_the_preview(client, consultant, draft):
    english(consultant)
    client.force_login(consultant)

    html = client.get(f"/contracts/{draft.pk}/document/").content.decode()

    assert "hx-trigger" not in html
    assert f'href="/contracts/{draft.pk}/preview.pdf"' in html
    assert ("The signed contract's PDF is generated and stored once, when the contract is "
            "signed.") in html


def test_download_serves_the_stored_bytes_with_their_etag(client, consultant, customer,
                                                          manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    document = contract_document_render(contract.document.pk)
    stored = document.file.open("rb").read()
    client.force_login(consultant)

    response = client.get(f"/contracts/{contract.pk}/contract.pdf")
    body = b"".join(response.streaming_content)
    again = client.get(f"/contracts/{contract.pk}/contract.pdf",
                       HTTP_IF_NONE_MATCH=f'"{document.sha256}"')

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{contract.number}.pdf"'
    assert response["ETag"] == f'"{document.sha256}"'
    assert body == stored
    assert hashlib.sha256(body).hexdigest() == document.sha256
    assert again.status_code == 304


def test_download_before_the_pdf_is_ready_is_404(client, consultant, customer, manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    client.force_login(consultant)

    assert client.get(f"/contracts/{contract.pk}/contract.pdf").status_code == 404


def test_download_of_a_teammates_contract_is_404(client, consultant, teammate, mate_customer,
                                                 manager):
    contract = at(teammate, mate_customer, manager, S.SIGNED)
    contract_document_render(contract.document.pk)
    client.force_login(consultant)

    assert client.get(f"/contracts/{contract.pk}/contract.pdf").status_code == 404


def test_preview_renders_a_draft_on_the_fly(client, consultant, draft):
    client.force_login(consultant)

    response = client.get(f"/contracts/{draft.pk}/preview.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert not ContractDocument.objects.exists()


def test_preview_of_a_signed_contract_redirects_to_the_stored_pdf(client, consultant, customer,
                                                                  manager):
    contract = at(consultant, customer, manager, S.SIGNED)
    client.force_login(consultant)

    response = client.get(f"/contracts/{contract.pk}/preview.pdf")

    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{contract.pk}/contract.pdf"


def test_the_second_manager_cannot_review_their_own_contract(client, store, customer,
                                                             consultant):
    # A manager who sells: their own contract waits for another manager.
    seller = UserFactory(username="mgr2", role=Role.MANAGER, store=store)
    reviewer = UserFactory(username="mgr3", role=Role.MANAGER, store=store)
    own_customer = CustomerFactory(store=store, owner=seller, id_number="440301198505123454")
    contract = make_contract(seller, own_customer, manager=reviewer, status=S.IN_REVIEW)
    client.force_login(seller)

    response = client.post(f"/contracts/{contract.pk}/approve/")

    assert response.status_code == 403
    assert refreshed(contract).status == S.IN_REVIEW
