"""The daily showroom inspection: the checklist, ticking, problem photos, history, access."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from showroom.models import InspectionCheck, InspectionItem
from showroom.services.inspection import (
    inspection_check,
    inspection_item_save,
    inspection_items_create_defaults,
)
from tests.factories import UserFactory
from tests.helpers import HTMX, english
from tests.showroom.factories_invitations import (
    InspectionCheckFactory,
    InspectionItemFactory,
    store_today,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]



def image_bytes(kind: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def png(name: str = "problem.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(), content_type="image/png")


@pytest.fixture
def item(store):
    return InspectionItemFactory(store=store, text="展车清洁")


def audit_rows(check) -> list[tuple[str, dict]]:
    content_type = ContentType.objects.get_for_model(InspectionCheck)
    return list(AuditEntry.objects.filter(content_type=content_type, object_id=str(check.pk))
                .order_by("pk").values_list("action", "changes"))


# --- The checklist -------------------------------------------------------------------------
def test_defaults_created_once(store, manager):
    first = inspection_items_create_defaults(actor=manager, store=store)
    second = inspection_items_create_defaults(actor=manager, store=store)

    assert [item.text for item in first] == [
        "Display cars clean", "Price boards and spec sheets up to date",
        "Lounge drinks restocked", "Restrooms clean and tidy",
        "Promotional materials in place", "Test-drive cars fuelled and charged"]
    assert [item.pk for item in second] == [item.pk for item in first]
    assert InspectionItem.objects.filter(store=store).count() == 6


def test_defaults_by_supervisor_forbidden(store, supervisor):
    with pytest.raises(PermissionDenied):
        inspection_items_create_defaults(actor=supervisor, store=store)


def test_item_save_adds_and_retires(store, manager):
    item = inspection_item_save(actor=manager, store=store, item=None, text=" 门口地毯 ",
                                position=70, is_active=True)
    inspection_item_save(actor=manager, store=store, item=item, text="门口地毯",
                         position=70, is_active=False)

    item.refresh_from_db()
    assert (item.text, item.position, item.is_active) == ("门口地毯", 70, False)
    content_type = ContentType.objects.get_for_model(InspectionItem)
    assert list(AuditEntry.objects.filter(content_type=content_type).order_by("pk")
                .values_list("action", "changes")) == [
        (AuditAction.CREATE, {"text": [None, "门口地毯"], "position": [None, 70],
                              "is_active": [None, True]}),
        (AuditAction.UPDATE, {"is_active": [True, False]}),
    ]


# --- Ticking -------------------------------------------------------------------------------
def test_tick_ok_records_who_and_when(item, manager):
    check = inspection_check(actor=manager, item=item, ok=True)

    check.refresh_from_db()
    assert (check.store, check.date, check.item, check.ok, check.note, check.checked_by) == (
        item.store, store_today(item.store), item, True, "", manager)
    assert timezone.now() - check.checked_at < dt.timedelta(seconds=5)
    assert audit_rows(check) == [(AuditAction.CREATE, {"ok": [None, True]})]


def test_tick_problem_without_note_refused(item, manager):
    with pytest.raises(ValidationError) as refused:
        inspection_check(actor=manager, item=item, ok=False, note=" ")

    assert refused.value.message_dict == {"note": ["Describe the problem."]}
    assert not InspectionCheck.objects.exists()


def test_retick_same_day_updates_the_tick(item, manager, supervisor):
    first = inspection_check(actor=manager, item=item, ok=False, note="展车有灰")

    second = inspection_check(actor=supervisor, item=item, ok=True, note="已擦干净")

    assert second.pk == first.pk
    check = InspectionCheck.objects.get()
    assert (check.ok, check.note, check.checked_by) == (True, "已擦干净", supervisor)
    assert audit_rows(check) == [
        (AuditAction.CREATE, {"ok": [None, False], "note": ["", "展车有灰"]}),
        (AuditAction.UPDATE, {"ok": [False, True], "note": ["展车有灰", "已擦干净"]}),
    ]


def test_tick_retired_item_refused(item, manager):
    item.is_active = False
    item.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as refused:
        inspection_check(actor=manager, item=item, ok=True)

    assert refused.value.messages == ["This item is no longer on the checklist."]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST])
def test_tick_by_other_roles_forbidden(item, make_user, role):
    with pytest.raises(PermissionDenied):
        inspection_check(actor=make_user(role), item=item, ok=True)


def test_tick_by_another_stores_manager_forbidden(item, other_store):
    with pytest.raises(PermissionDenied):
        inspection_check(actor=UserFactory(role=Role.MANAGER, store=other_store), item=item,
                         ok=True)


def test_photo_is_stored_under_media_root(item, manager):
    check = inspection_check(actor=manager, item=item, ok=False, note="价格牌旧了",
                             photo=png("../../etc/passwd.png"))

    path = Path(check.photo.path)
    # upload_to's %Y/%m is the server's local month (TIME_ZONE), not UTC's: they differ
    # for the first hours of each month in Shanghai.
    month = timezone.localtime(timezone.now(), timezone.get_default_timezone())
    assert check.photo.name.startswith(f"inspections/{month:%Y/%m}/")
    assert check.photo.name.endswith(".png")
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes() == image_bytes()


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("x.png", b"not a picture", content_type="image/png"),
     "This file is not a readable photo."),
    (SimpleUploadedFile("x.gif", image_bytes("GIF"), content_type="image/gif"),
     "Upload a JPEG or PNG photo."),
    (SimpleUploadedFile("x.jpg", b"\xff" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"),
     "The photo is larger than 5 MB; take a smaller one."),
])
def test_bad_photo_refused(item, manager, upload, message):
    with pytest.raises(ValidationError) as refused:
        inspection_check(actor=manager, item=item, ok=False, note="有问题", photo=upload)

    assert refused.value.message_dict == {"photo": [message]}
    assert not InspectionCheck.objects.exists()


# --- Screens -------------------------------------------------------------------------------
def test_page_shows_todays_ticks(client, item, manager):
    other = InspectionItemFactory(store=item.store, text="洗手间整洁")
    InspectionCheckFactory(item=item, ok=False, note="展车有灰", checked_by=manager)
    client.force_login(english(manager))

    response = client.get("/showroom/inspection/")

    html = response.content.decode()
    assert response.status_code == 200
    assert [(row.pk, row.day_check.ok if row.day_check else None)
            for row in response.context["items"]] == [(item.pk, False), (other.pk, None)]
    assert "1 of 2 checked, 1 problems" in html
    assert "展车有灰" in html


@pytest.mark.parametrize("count", [1, 3])
def test_page_query_count_is_constant(client, store, manager, count, django_assert_num_queries):
    for number in range(count):
        item = InspectionItemFactory(store=store)
        InspectionCheckFactory(item=item, ok=bool(number % 2), note="问题", checked_by=manager)
        InspectionCheckFactory(item=item, checked_by=manager,
                               date=store_today(store) - dt.timedelta(days=number + 1))
    client.force_login(manager)

    # session, user, store; the day's items with ticks and who ticked; the history
    with django_assert_num_queries(5):
        response = client.get("/showroom/inspection/")

    assert len(response.context["items"]) == count
    assert len(response.context["history"]) == count


def test_page_history_counts_problems_per_day(client, store, item, manager):
    other = InspectionItemFactory(store=store)
    yesterday = store_today(store) - dt.timedelta(days=1)
    InspectionCheckFactory(item=item, date=yesterday, ok=False, note="脏", checked_by=manager)
    InspectionCheckFactory(item=other, date=yesterday, ok=True, checked_by=manager)
    InspectionCheckFactory(item=item, date=yesterday - dt.timedelta(days=1), checked_by=manager)
    client.force_login(manager)

    response = client.get("/showroom/inspection/")

    assert response.context["history"] == [
        {"date": yesterday, "checked": 2, "problems": 1},
        {"date": yesterday - dt.timedelta(days=1), "checked": 1, "problems": 0},
    ]


def test_page_past_day_is_read_only(client, store, item, manager):
    yesterday = store_today(store) - dt.timedelta(days=1)
    InspectionCheckFactory(item=item, date=yesterday, ok=False, note="脏", checked_by=manager)
    client.force_login(manager)

    response = client.get("/showroom/inspection/", {"day": f"{yesterday:%Y-%m-%d}"})

    assert response.context["is_today"] is False
    assert "/check/" not in response.content.decode()


@pytest.mark.parametrize(("day", "message"), [
    ("yesterday", "“yesterday” is not a date (YYYY-MM-DD)."),
    ("2999-01-01", "A future day has no inspection yet."),
])
def test_page_bad_day_is_400(client, manager, day, message):
    client.force_login(english(manager))

    response = client.get("/showroom/inspection/", {"day": day})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_page_empty_offers_defaults_to_the_manager_only(client, store, manager, supervisor):
    client.force_login(english(manager))
    offered = client.get("/showroom/inspection/").content.decode()
    client.force_login(english(supervisor))
    hinted = client.get("/showroom/inspection/").content.decode()

    assert "Create the default checklist" in offered
    assert "Create the default checklist" not in hinted
    assert "Ask the sales manager to set it up." in hinted


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.RECEPTIONIST, Role.FINANCE])
def test_page_other_roles_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/showroom/inspection/").status_code == 403


def test_page_supervisor_allowed(client, supervisor, item):
    client.force_login(supervisor)

    assert [row.pk for row in client.get("/showroom/inspection/").context["items"]] == [item.pk]


def test_check_view_ticks_and_redirects(client, item, supervisor):
    client.force_login(supervisor)

    response = client.post(f"/showroom/inspection/items/{item.pk}/check/", {"ok": "1"})

    assert (response.status_code, response["Location"]) == (302, "/showroom/inspection/")
    assert InspectionCheck.objects.get().checked_by == supervisor


def test_check_view_problem_without_note_is_400(client, item, manager):
    client.force_login(english(manager))

    response = client.post(f"/showroom/inspection/items/{item.pk}/check/", {"ok": "0"},
                           **HTMX)

    html = response.content.decode()
    assert response.status_code == 400
    assert html.lstrip().startswith(f'<li id="inspection-item-{item.pk}"')
    assert "Describe the problem." in html
    assert not InspectionCheck.objects.exists()


def test_check_view_htmx_photo_upload_returns_the_row(client, item, manager):
    client.force_login(manager)

    response = client.post(f"/showroom/inspection/items/{item.pk}/check/",
                           {"ok": "0", "note": "饮品不足", "photo": png()}, **HTMX)

    check = InspectionCheck.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert f'src="/showroom/inspection/photos/{check.pk}/"' in html
    assert check.photo.name.endswith(".png")


def test_check_view_other_stores_item_is_404(client, other_store):
    foreign = InspectionItemFactory(store=other_store)
    manager = UserFactory(role=Role.MANAGER, store=InspectionItemFactory().store)
    client.force_login(manager)

    response = client.post(f"/showroom/inspection/items/{foreign.pk}/check/", {"ok": "1"})

    assert response.status_code == 404
    assert InspectionCheck.objects.exists() is False
    assert AuditEntry.objects.count() == 0


def test_check_view_consultant_forbidden(client, item, consultant):
    client.force_login(consultant)

    response = client.post(f"/showroom/inspection/items/{item.pk}/check/", {"ok": "1"})

    assert response.status_code == 403
    assert not InspectionCheck.objects.exists()


def test_photo_served_to_staff_of_the_store_only(client, item, manager, make_user,
                                                 other_store):
    check = inspection_check(actor=manager, item=item, ok=False, note="价格牌旧了",
                             photo=png())
    url = f"/showroom/inspection/photos/{check.pk}/"

    client.force_login(manager)
    served = client.get(url)
    client.force_login(make_user(Role.RECEPTIONIST))
    receptionist = client.get(url)
    client.force_login(UserFactory(role=Role.MANAGER, store=other_store))
    foreign = client.get(url)
    client.logout()
    anonymous = client.get(url)

    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert b"".join(served.streaming_content) == image_bytes()
    assert served["Cache-Control"] == "private, max-age=3600"
    assert receptionist.status_code == 200
    assert foreign.status_code == 404
    assert (anonymous.status_code, anonymous["Location"]) == (
        302, f"/accounts/login/?next={url}")


def test_photo_of_a_tick_without_photo_is_404(client, item, manager):
    check = InspectionCheckFactory(item=item, checked_by=manager)
    client.force_login(manager)

    assert client.get(f"/showroom/inspection/photos/{check.pk}/").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_items_view_query_count_is_constant(client, store, manager, count,
                                            django_assert_num_queries):
    lines = InspectionItemFactory.create_batch(count, store=store)
    client.force_login(manager)

    # session, user, store; the store's lines
    with django_assert_num_queries(4):
        response = client.get("/showroom/inspection/items/")

    assert [row.pk for row, _form in response.context["rows"]] == [line.pk for line in lines]


def test_items_view_creates_defaults(client, store, manager):
    client.force_login(manager)

    response = client.post("/showroom/inspection/items/", {"action": "defaults"})

    assert (response.status_code, response["Location"]) == (302,
                                                             "/showroom/inspection/items/")
    assert InspectionItem.objects.filter(store=store).count() == 6


def test_items_view_edits_a_line(client, item, manager):
    client.force_login(manager)

    response = client.post("/showroom/inspection/items/",
                           {"item": item.pk, "text": "展车清洁、无指纹", "position": 5,
                            "is_active": "on"})

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.text, item.position, item.is_active) == ("展车清洁、无指纹", 5, True)


def test_items_view_invalid_is_400_with_input_kept(client, item, manager):
    client.force_login(manager)

    response = client.post("/showroom/inspection/items/", {"text": "", "position": "x"})

    assert response.status_code == 400
    assert response.context["new_form"].data["position"] == "x"
    assert InspectionItem.objects.count() == 1


def test_items_view_other_stores_line_is_404(client, manager, other_store):
    foreign = InspectionItemFactory(store=other_store)
    client.force_login(manager)

    for value in (foreign.pk, "abc", "²", "99999999999999999999999"):
        response = client.post("/showroom/inspection/items/",
                               {"item": value, "text": "改掉", "position": 1})
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.text != "改掉"


def test_items_view_supervisor_forbidden(client, supervisor):
    client.force_login(supervisor)

    assert client.get("/showroom/inspection/items/").status_code == 403
