"""Wall-screen links (issue 13 §5, DESIGN §4 kiosk_link): made by the manager or the
command, revoked by the manager; the manager's page of the store's links."""

from __future__ import annotations

import io

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from reports.models import KioskLink
from reports.selectors.kiosk import kiosk_target_from_signed
from reports.services.kiosk import (
    KIOSK_SALT,
    kiosk_cache_key,
    kiosk_link_create,
    kiosk_link_path,
    kiosk_link_revoke,
)
from tests.helpers import english

pytestmark = pytest.mark.django_db

LINKS = "/reports/wall-links/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _signed(path: str) -> str:
    return path.removeprefix("/wall/").removesuffix("/")


# --- Services -----------------------------------------------------------------------------
def test_create_makes_a_signed_path_of_a_random_key(store, manager):
    link, path = kiosk_link_create(store=store, label=" 展厅大屏 ", actor=manager)

    link.refresh_from_db()
    assert link.store == store
    assert link.label == "展厅大屏"
    assert link.created_by == manager
    assert link.revoked_at is None
    assert len(link.key) >= 24
    assert path == f"/wall/{signing.Signer(salt=KIOSK_SALT).sign(link.key)}/"
    assert kiosk_link_path(link) == path
    entry = AuditEntry.objects.get(object_id=str(link.pk), action=AuditAction.CREATE)
    assert (entry.actor, entry.store_id) == (manager, store.pk)


def test_two_links_have_different_keys(store, manager):
    first, first_path = kiosk_link_create(store=store, label="", actor=manager)
    second, second_path = kiosk_link_create(store=store, label="", actor=manager)

    assert first.key != second.key
    assert first_path != second_path


def test_create_refuses_a_label_too_long_naming_the_field(store, manager):
    with pytest.raises(ValidationError) as caught:
        kiosk_link_create(store=store, label="屏" * 51, actor=manager)

    assert list(caught.value.message_dict) == ["label"]
    assert KioskLink.objects.count() == 0


def test_revoke_ends_the_link_and_forgets_it_in_the_cache(store, manager,
                                                          django_capture_on_commit_callbacks):
    link, path = kiosk_link_create(store=store, label="", actor=manager)
    assert kiosk_target_from_signed(_signed(path)).store_id == store.pk  # now cached
    assert cache.get(kiosk_cache_key(link.key)) is not None

    with django_capture_on_commit_callbacks(execute=True):
        revoked = kiosk_link_revoke(link=link, actor=manager)

    link.refresh_from_db()
    assert link.revoked_by == manager
    assert link.revoked_at == revoked.revoked_at
    assert cache.get(kiosk_cache_key(link.key)) is None
    assert kiosk_target_from_signed(_signed(path)) is None
    assert AuditEntry.objects.filter(object_id=str(link.pk), action=AuditAction.UPDATE,
                                     actor=manager).count() == 1


def test_revoke_twice_is_refused_without_a_field_and_changes_nothing(store, manager):
    link, _path = kiosk_link_create(store=store, label="", actor=manager)
    first = kiosk_link_revoke(link=link, actor=manager)

    with pytest.raises(ValidationError) as caught:
        kiosk_link_revoke(link=link, actor=manager)

    assert not hasattr(caught.value, "error_dict")
    link.refresh_from_db()
    assert link.revoked_at == first.revoked_at
    assert AuditEntry.objects.filter(object_id=str(link.pk),
                                     action=AuditAction.UPDATE).count() == 1


# --- Resolving a link ---------------------------------------------------------------------
def test_a_bad_signature_is_refused_without_a_query(store, manager, django_assert_num_queries):
    link, path = kiosk_link_create(store=store, label="", actor=manager)
    tampered = _signed(path)[:-1] + ("A" if _signed(path)[-1] != "A" else "B")

    with django_assert_num_queries(0):
        assert kiosk_target_from_signed(tampered) is None
        assert kiosk_target_from_signed(f"{link.key}") is None
        assert kiosk_target_from_signed("") is None


def test_a_good_link_costs_one_query_then_none(store, manager, django_assert_num_queries):
    _link, path = kiosk_link_create(store=store, label="", actor=manager)

    with django_assert_num_queries(1):
        first = kiosk_target_from_signed(_signed(path))
    with django_assert_num_queries(0):
        second = kiosk_target_from_signed(_signed(path))

    assert first == second
    assert (first.store_id, first.tzname) == (store.pk, store.timezone)


def test_a_link_signed_with_another_salt_is_refused(store, manager):
    link, _path = kiosk_link_create(store=store, label="", actor=manager)

    assert kiosk_target_from_signed(signing.Signer(salt="other").sign(link.key)) is None


# --- The command --------------------------------------------------------------------------
def test_command_prints_the_path_alone_on_its_last_line(store):
    out = io.StringIO()

    call_command("kiosk_link", "--store", "demo", "--label", "展厅大屏", stdout=out)

    link = KioskLink.objects.get()
    lines = out.getvalue().rstrip("\n").split("\n")
    assert lines[-1] == kiosk_link_path(link)
    assert lines[-1].startswith("/wall/")
    assert (link.store, link.label, link.created_by) == (store, "展厅大屏", None)
    assert kiosk_target_from_signed(_signed(lines[-1])).store_id == store.pk


def test_command_refuses_an_unknown_store(store):
    with pytest.raises(CommandError, match="Unknown store: NOPE"):
        call_command("kiosk_link", "--store", "NOPE", stdout=io.StringIO())

    assert KioskLink.objects.count() == 0


# --- The manager's page -------------------------------------------------------------------
def test_links_page_lists_the_store_links_only(client, store, other_store, manager,
                                               make_user):
    kiosk_link_create(store=store, label="展厅大屏", actor=manager)
    revoked, _ = kiosk_link_create(store=store, label="会议室", actor=manager)
    kiosk_link_revoke(link=revoked, actor=manager)
    kiosk_link_create(store=other_store, label="别店的屏", actor=None)
    client.force_login(english(manager))

    response = client.get(LINKS)

    assert response.status_code == 200
    assert [link.label for link in response.context["links"]] == ["会议室", "展厅大屏"]
    body = response.content.decode()
    assert "别店的屏" not in body
    assert body.count('data-testid="kiosk-revoke"') == 1
    assert "/wall/" not in body  # a link's URL is shown once, when made
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", [r for r in Role if r != Role.MANAGER])
def test_links_page_other_roles_are_forbidden(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get(LINKS).status_code == 403
    assert client.post(LINKS, {"label": "x"}).status_code == 403
    assert KioskLink.objects.count() == 0


def test_links_page_anonymous_goes_to_login(client):
    response = client.get(LINKS)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={LINKS}"


def test_making_a_link_shows_its_full_url_once(client, store, manager):
    client.force_login(english(manager))

    response = client.post(LINKS, {"label": "展厅大屏"})

    assert response.status_code == 302
    assert response["Location"] == LINKS
    link = KioskLink.objects.get()
    assert (link.store, link.label, link.created_by) == (store, "展厅大屏", manager)
    shown = client.get(LINKS)
    assert shown.context["shown"]["url"] == f"http://testserver{kiosk_link_path(link)}"
    assert shown.content.decode().count(kiosk_link_path(link)) == 1
    again = client.get(LINKS)
    assert again.context["shown"] is None
    assert kiosk_link_path(link) not in again.content.decode()


@override_settings(PUBLIC_BASE_URL="https://crm.example.cn")
def test_the_full_url_uses_the_public_base_url(client, manager):
    client.force_login(manager)
    client.post(LINKS, {"label": ""})

    shown = client.get(LINKS)

    link = KioskLink.objects.get()
    assert shown.context["shown"]["url"] == f"https://crm.example.cn{kiosk_link_path(link)}"


def test_making_a_link_with_a_label_too_long_is_refused_and_kept(client, manager):
    client.force_login(english(manager))

    response = client.post(LINKS, {"label": "屏" * 51})

    assert response.status_code == 400
    assert response.context["form"]["label"].value() == "屏" * 51
    assert list(response.context["form"].errors) == ["label"]
    assert KioskLink.objects.count() == 0


def test_revoking_from_the_page(client, store, manager):
    link, path = kiosk_link_create(store=store, label="", actor=manager)
    client.force_login(english(manager))

    response = client.post(f"{LINKS}{link.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == LINKS
    link.refresh_from_db()
    assert (link.revoked_by, link.revoked_at is not None) == (manager, True)
    assert client.get(path).status_code == 404


def test_revoking_a_revoked_link_answers_409(client, store, manager):
    link, _path = kiosk_link_create(store=store, label="", actor=manager)
    first = kiosk_link_revoke(link=link, actor=manager)
    client.force_login(english(manager))

    response = client.post(f"{LINKS}{link.pk}/revoke/")

    assert response.status_code == 409
    assert response.context["refusal"] == "This link was already revoked."
    link.refresh_from_db()
    assert link.revoked_at == first.revoked_at


def test_revoking_another_stores_link_is_404(client, other_store, manager):
    link, _path = kiosk_link_create(store=other_store, label="", actor=None)
    client.force_login(manager)

    response = client.post(f"{LINKS}{link.pk}/revoke/")

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_revoke_is_post_only(client, store, manager):
    link, _path = kiosk_link_create(store=store, label="", actor=manager)
    client.force_login(manager)

    assert client.get(f"{LINKS}{link.pk}/revoke/").status_code == 405
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize("rows", [1, 3])
def test_links_page_query_count_is_fixed(client, store, manager, rows,
                                         django_assert_num_queries):
    for n in range(rows):
        link, _ = kiosk_link_create(store=store, label=f"屏{n}", actor=manager)
        if n:
            kiosk_link_revoke(link=link, actor=manager)
    client.force_login(manager)

    # session, user, the user's store (its time zone), count, page (with who made and who
    # revoked each)
    with django_assert_num_queries(5):
        response = client.get(LINKS)

    assert len(response.context["links"]) == rows


def test_demo_seed_makes_one_showroom_link_once(store, manager):
    import random

    from reports.demo.kiosk import seed

    seed(random.Random(1), store=store, scale="small")
    seed(random.Random(1), store=store, scale="small")

    link = KioskLink.objects.get()
    assert (link.store, link.label, link.created_by, link.is_active) == (
        store, "展厅大屏", manager, True)
