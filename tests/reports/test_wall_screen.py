"""The wall screen (issue 13 §5): reached by a signed kiosk link without login, both
meetings in rotating panels, names masked and no phone number, polled fragments with an
ETag answered 304 without a query while nothing changed."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from dealership.enums import Role
from dealership.masking import mask_phone
from leads.enums import Grade, LeadStatus
from reports.enums import MeetingKind, NoteTopic
from reports.models import KioskLink, MeetingNote
from reports.services.kiosk import kiosk_link_create, kiosk_link_revoke
from tests.factories import CustomerFactory, UserFactory
from tests.leads.factories import LeadFactory
from tests.showroom.factories import VisitFactory
from tests.showroom.factories_invitations import InvitationFactory
from tests.showroom.factories_test_drives import DriveFactory

pytestmark = pytest.mark.django_db

# Tuesday 12 May 2026, 10:00 in Shanghai (the morning meeting); 15:00 is the evening's.
MORNING = dt.datetime(2026, 5, 12, 2, 0, tzinfo=dt.UTC)
AFTERNOON = dt.datetime(2026, 5, 12, 7, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 5, 12)
PHONE = "+8613812345678"
NOTE_PHONE = "13987654321"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with mock.patch.object(timezone, "now", return_value=MORNING) as now:
        yield now


@pytest.fixture
def link(store, manager, clock):
    _link, path = kiosk_link_create(store=store, label="展厅大屏", actor=manager)
    return path


def _at(store, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store.tzinfo)


def _panel(link: str, meeting: str, slot: int) -> str:
    return f"{link}{meeting}/{slot}/"


@pytest.fixture
def busy_day(store, manager, consultant, customer, clock):
    """张三丰 (a customer of 王芳 with a full phone) visited yesterday and is an A-grade lead
    invited for today 15:00 and for tomorrow 11:00; the manager's briefing carries a phone
    number."""
    lead = LeadFactory(store=store, customer=customer, owner=consultant, grade=Grade.A,
                       status=LeadStatus.CONTACTED, model_interest="凯美瑞",
                       created_at=_at(store, TODAY - dt.timedelta(days=3), 9))
    VisitFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                 arrived_at=_at(store, TODAY - dt.timedelta(days=1), 14))
    InvitationFactory(lead=lead, expected_at=_at(store, TODAY, 15))
    DriveFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                 slot_start=_at(store, TODAY + dt.timedelta(days=1), 11))
    for meeting in MeetingKind.values:
        MeetingNote.objects.create(store=store, day=TODAY, meeting=meeting,
                                   topic=NoteTopic.PROBLEM, author=manager,
                                   body=f"回访客户 {NOTE_PHONE}，厂家补贴到月底")
    return lead


def _assert_private(body: str, *names: str) -> None:
    assert PHONE[3:] not in body
    assert mask_phone(PHONE) not in body
    assert PHONE[-4:] not in body
    assert NOTE_PHONE not in body
    for name in names:
        assert name not in body


# --- The page -----------------------------------------------------------------------------
def test_morning_screen_without_login_masks_names_and_shows_no_phone(client, store, link,
                                                                     busy_day):
    response = client.get(link)  # 10:00 store time: the morning meeting

    assert response.status_code == 200
    assert response.templates[0].name == "reports/wall_screen.html"
    assert response.context["meeting"] == MeetingKind.MORNING
    body = response.content.decode()
    assert 'id="morning-figures"' in body and 'id="evening-today"' not in body
    assert "张*丰" in body  # the key customer of the day
    assert "王*" in body  # the consultant, masked too
    assert "回访客户 •••，厂家补贴到月底" in body
    _assert_private(body, "张三丰", "王芳", "周经理")
    assert "<form" not in body and "csrfmiddlewaretoken" not in body
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies
    assert 'class="topbar"' not in body  # no menu


def test_screen_headers_keep_the_key_private(client, link):
    response = client.get(link)

    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_screen_speaks_chinese_by_default_and_english_when_asked(client, link):
    chinese = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    english = client.get(f"{link}?lang=en")

    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Morning meeting" in english.content.decode()
    assert f'hx-get="{link}now/1/?lang=en"' in english.content.decode()


def test_afternoon_screen_is_the_evening_meeting(client, store, link, busy_day, clock):
    clock.return_value = AFTERNOON

    response = client.get(link)

    assert response.context["meeting"] == MeetingKind.EVENING
    body = response.content.decode()
    assert 'id="evening-today"' in body and 'id="morning-figures"' not in body
    assert "张*丰" in body  # tomorrow's invitation and test drive
    assert "回访客户 •••，厂家补贴到月底" in body
    _assert_private(body, "张三丰", "王芳", "周经理")


@pytest.mark.parametrize("meeting", ["morning", "evening"])
def test_a_meeting_can_be_kept_on_screen(client, link, busy_day, meeting):
    response = client.get(f"{link}{meeting}/")

    assert response.status_code == 200
    assert response.context["meeting"] == meeting
    body = response.content.decode()
    assert body.count('hx-trigger="every 30s"') == 5
    for slot in range(5):
        assert f'hx-get="{link}{meeting}/{slot}/"' in body
        assert f'href="{link}{meeting}/{slot}/"' in body
    _assert_private(body, "张三丰", "王芳")


def test_every_panel_polls_and_rotates(client, link):
    body = client.get(f"{link}morning/").content.decode()

    for slot in range(1, 5):
        assert f'class="wall-panel wall-panel-{slot}"' in body
    assert "<style" not in body and "style=" not in body
    assert "<script>" not in body and "<script " in body  # htmx only, from static


# --- Refused links ------------------------------------------------------------------------
def test_tampered_link_is_404_without_a_query_nor_store_data(client, store, link,
                                                             django_assert_num_queries):
    signed = link.removeprefix("/wall/").removesuffix("/")
    tampered = f"/wall/{signed[:-2]}xx/"

    with django_assert_num_queries(0):
        page = client.get(tampered)
        panel = client.get(f"{tampered}morning/1/", HTTP_HX_REQUEST="true")

    for response in (page, panel):
        assert response.status_code == 404
        assert store.name not in response.content.decode()
        assert "ETag" not in response
    assert 'data-testid="wall-gone"' in panel.content.decode()


def test_revoked_link_is_404_and_its_panels_go_blank(client, store, manager, link, busy_day):
    first = client.get(_panel(link, "morning", 1))
    assert first.status_code == 200

    kiosk_link_revoke(link=KioskLink.objects.get(), actor=manager)

    page = client.get(link)
    panel = client.get(_panel(link, "morning", 1), HTTP_HX_REQUEST="true",
                       HTTP_IF_NONE_MATCH=first["ETag"])

    for response in (page, panel):
        assert response.status_code == 404
        body = response.content.decode()
        assert store.name not in body and "张*丰" not in body
    assert 'data-testid="wall-gone"' in panel.content.decode()


@pytest.mark.parametrize("suffix", ["noon/", "morning/5/", "evening/9/"])
def test_unknown_meeting_or_panel_is_404(client, link, suffix):
    response = client.get(f"{link}{suffix}")

    assert response.status_code == 404
    assert "ETag" not in response


def test_screen_refuses_a_post(client, link):
    assert client.post(link).status_code == 405
    assert client.post(_panel(link, "morning", 1)).status_code == 405


# --- Fragments, ETag and 304 --------------------------------------------------------------
@pytest.mark.parametrize("meeting", ["now", "morning", "evening"])
@pytest.mark.parametrize("slot", [0, 1, 2, 3, 4])
def test_each_fragment_has_an_etag_and_no_private_data(client, link, busy_day, meeting, slot):
    response = client.get(_panel(link, meeting, slot), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Cache-Control"] == "private, no-cache"
    body = response.content.decode()
    assert "<html" not in body
    _assert_private(body, "张三丰", "王芳", "周经理")


def test_unchanged_poll_answers_304_without_a_query(client, link, busy_day,
                                                   django_assert_num_queries):
    url = _panel(link, "morning", 3)
    first = client.get(url, HTTP_HX_REQUEST="true")
    etag = first["ETag"]

    with django_assert_num_queries(0):
        again = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""


def test_a_new_visit_changes_the_etag(client, store, consultant, link, busy_day,
                                      django_capture_on_commit_callbacks):
    url = _panel(link, "morning", 1) + "?lang=en"
    first = client.get(url)
    etag = first["ETag"]

    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        VisitFactory(store=store, consultant=consultant, first_visit=False,
                     arrived_at=_at(store, TODAY - dt.timedelta(days=1), 16))
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    # Yesterday's return visits: 0 before, 1 now (the first tile after first visits).
    returns = '<span class="wall-tile-value">{}</span><span class="wall-tile-label">Return'
    assert returns.format(0) in first.content.decode()
    assert returns.format(1) in response.content.decode()


def test_another_stores_change_keeps_the_etag(client, other_store, link, busy_day):
    url = _panel(link, "morning", 1)
    etag = client.get(url)["ETag"]

    VisitFactory(store=other_store, consultant=UserFactory(store=other_store),
                 arrived_at=_at(other_store, TODAY - dt.timedelta(days=1), 16))

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_etag_lives_at_most_five_minutes(client, link, busy_day, clock):
    url = _panel(link, "morning", 1)
    etag = client.get(url)["ETag"]

    clock.return_value = MORNING + dt.timedelta(minutes=5)
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_etag_differs_per_panel_and_language(client, link):
    etags = {client.get(_panel(link, "morning", slot))["ETag"] for slot in range(5)}
    etags.add(client.get(_panel(link, "morning", 1) + "?lang=en")["ETag"])
    etags.add(client.get(_panel(link, "evening", 1))["ETag"])

    assert len(etags) == 7


def test_the_meeting_of_the_moment_changes_the_etag_at_13(client, link, clock):
    clock.return_value = MORNING.replace(hour=4, minute=55)  # 12:55 store time
    etag = client.get(_panel(link, "now", 1))["ETag"]
    clock.return_value = MORNING.replace(hour=5, minute=0)  # 13:00: a new bucket anyway
    response = client.get(_panel(link, "now", 1), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert 'data-testid="wall-day-line"' in response.content.decode()  # the evening's panel


# --- Fixed query counts -------------------------------------------------------------------
def _consultants_with_plans(store, count: int):
    """`count` consultants, each with an A-grade lead due today invited for 15:00, a visit
    yesterday and a test drive booked tomorrow."""
    consultants = [UserFactory(role=Role.CONSULTANT, store=store, name=f"顾问{n}号")
                   for n in range(count)]
    for n, consultant in enumerate(consultants):
        customer = CustomerFactory(store=store, owner=consultant, name=f"客户{n}号")
        lead = LeadFactory(store=store, customer=customer, owner=consultant, grade=Grade.A,
                           status=LeadStatus.CONTACTED,
                           created_at=_at(store, TODAY - dt.timedelta(days=2), 9),
                           follow_up_due_at=_at(store, TODAY, 9))
        VisitFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                     arrived_at=_at(store, TODAY - dt.timedelta(days=1), 10))
        InvitationFactory(lead=lead, expected_at=_at(store, TODAY, 15))
        DriveFactory(store=store, consultant=consultant, customer=customer, lead=lead,
                     slot_start=_at(store, TODAY + dt.timedelta(days=1), 10 + n))
    return consultants


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(("meeting", "slot", "queries"), [
    ("morning", 0, 2),  # the link (cache cold), the store; the header needs no board
    ("morning", 3, 2 + 28),  # + MORNING_BOARD_QUERIES
    ("evening", 3, 2 + 25),  # + EVENING_BOARD_QUERIES
])
def test_a_full_fragment_render_has_a_fixed_query_count(client, store, link, rows, meeting,
                                                        slot, queries,
                                                        django_assert_num_queries):
    _consultants_with_plans(store, rows)
    cache.clear()

    with django_assert_num_queries(queries):
        response = client.get(_panel(link, meeting, slot), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="wall-row"') == (rows if slot else 0)


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(("meeting", "queries"), [("morning", 2 + 28), ("evening", 2 + 25)])
def test_the_whole_screen_has_a_fixed_query_count(client, store, link, rows, meeting, queries,
                                                  django_assert_num_queries):
    _consultants_with_plans(store, rows)
    cache.clear()

    with django_assert_num_queries(queries):  # the link, the store, the board once
        response = client.get(f"{link}{meeting}/")

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="wall-row"') == 2 * rows


def test_board_query_constants_match_the_literals():
    from reports.selectors.meetings import EVENING_BOARD_QUERIES, MORNING_BOARD_QUERIES

    assert (MORNING_BOARD_QUERIES, EVENING_BOARD_QUERIES) == (28, 25)
