"""Sign-in throttling (django-axes) and ending a switched-off user's sessions (issue 10)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from dealership.enums import AuditAction, Role
from dealership.models import AuditEntry
from leads.services.board import consultant_hand_over
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def _sign_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _fail(client: Client, username: str, times: int, **extra) -> list[int]:
    return [_sign_in(client, username, "wrong-password", **extra).status_code
            for _ in range(times)]


def _audit(user, action: str):
    return AuditEntry.objects.filter(action=action, object_id=str(user.pk))


@pytest.fixture
def english_client(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_the_account_even_for_the_right_one(english_client,
                                                                      consultant):
    statuses = _fail(english_client, consultant.username, 10)

    response = _sign_in(english_client, consultant.username, PASSWORD)

    assert statuses == [200] * 9 + [429]  # the form with its error, then the lockout
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert SESSION_KEY not in english_client.session
    assert _audit(consultant, AuditAction.LOCKOUT).count() == 1


@pytest.mark.django_db
def test_the_lockout_message_is_in_chinese_by_default(client, consultant):
    _fail(client, consultant.username, 10)

    response = _sign_in(client, consultant.username, PASSWORD)

    assert response.status_code == 429
    assert "密码错误次数过多" in response.content.decode()


@pytest.mark.django_db
def test_nine_wrong_passwords_still_let_the_right_one_in_and_reset_the_count(client,
                                                                             consultant):
    statuses = _fail(client, consultant.username, 9)

    response = _sign_in(client, consultant.username, PASSWORD)

    assert statuses == [200] * 9
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(consultant.pk)
    assert not AccessAttempt.objects.filter(username=consultant.username).exists()
    assert not _audit(consultant, AuditAction.LOCKOUT).exists()


@pytest.mark.django_db
def test_repeated_attempts_while_locked_are_audited_once(client, consultant):
    _fail(client, consultant.username, 10)
    for _ in range(5):
        assert _sign_in(client, consultant.username, "wrong-password").status_code == 429

    assert _audit(consultant, AuditAction.LOCKOUT).count() == 1


@pytest.mark.django_db
def test_one_address_guessing_many_usernames_is_locked_out(client, consultant, teammate):
    for n in range(10):
        _sign_in(client, f"nobody{n}", "wrong-password")

    refused = _sign_in(client, consultant.username, PASSWORD)
    elsewhere = _sign_in(Client(REMOTE_ADDR="203.0.113.9"), teammate.username, PASSWORD)

    assert refused.status_code == 429
    assert SESSION_KEY not in client.session
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, consultant):
    """Reached directly (no trusted proxy), X-Forwarded-For is the client's own words."""
    _fail(client, consultant.username, 10)
    for n in range(10):
        _sign_in(client, f"nobody{n}", "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    response = _sign_in(Client(), "someone-else", PASSWORD,
                        HTTP_X_FORWARDED_FOR="198.51.100.200")

    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(settings, consultant,
                                                                    teammate):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(10):  # the attacker forges a first entry; our proxy appends the real one
        _sign_in(proxy, f"nobody{n}", "wrong-password",
                 HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")

    attacker = _sign_in(proxy, consultant.username, PASSWORD,
                        HTTP_X_FORWARDED_FOR="203.0.113.7")
    colleague = _sign_in(Client(REMOTE_ADDR="10.0.0.2"), teammate.username, PASSWORD,
                         HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert attacker.status_code == 429
    assert colleague.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.django_db
def test_an_administrator_unlocks_in_the_admin_and_it_is_audited(client, consultant,
                                                                 make_user):
    _fail(Client(), consultant.username, 10)
    admin_user = make_user(Role.ADMIN)
    client.force_login(admin_user)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    assert attempts

    response = client.post(reverse("admin:axes_accessattempt_changelist"), {
        "action": "delete_selected", "_selected_action": attempts, "post": "yes",
    })

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    unlock = _audit(consultant, AuditAction.UNLOCK).get()
    assert unlock.actor == admin_user
    assert _sign_in(Client(), consultant.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_user_without_admin_rights_cannot_unlock(client, consultant, manager):
    _fail(Client(), consultant.username, 10)
    client.force_login(manager)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))

    response = client.post(reverse("admin:axes_accessattempt_changelist"), {
        "action": "delete_selected", "_selected_action": attempts, "post": "yes",
    })

    assert response.status_code == 302  # to the admin's login page
    assert AccessAttempt.objects.count() == len(attempts)
    assert not _audit(consultant, AuditAction.UNLOCK).exists()


# --- Sessions of a switched-off login -----------------------------------------------------
def _signed_in_client(user) -> Client:
    other = Client()
    assert _sign_in(other, user.username, PASSWORD).status_code == 302
    return other


@pytest.mark.django_db
def test_switching_a_login_off_in_the_admin_ends_its_sessions(client, consultant, teammate,
                                                               make_user):
    old = _signed_in_client(consultant)
    kept = _signed_in_client(teammate)
    admin_user = make_user(Role.ADMIN)
    client.force_login(admin_user)
    url = reverse("admin:dealership_user_change", args=[consultant.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({
        "is_active": "", "groups": [], "user_permissions": [],
        "date_joined_0": consultant.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": consultant.date_joined.strftime("%H:%M:%S"),
        "store": consultant.store_id, "team": consultant.team_id or "",
        "last_login_0": "", "last_login_1": "", "dealer_group": "",
    })
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    consultant.refresh_from_db()
    assert consultant.is_active is False
    consultant.is_active = True  # switched on again later
    consultant.save(update_fields=["is_active"])
    assert old.get(reverse("account")).status_code == 302  # the old cookie is worthless
    assert kept.get(reverse("account")).status_code == 200
    assert Session.objects.count() == 2  # the teammate's and the administrator's


@pytest.mark.django_db
def test_a_leaver_handed_over_and_switched_off_loses_their_sessions(consultant, teammate,
                                                                    manager):
    old = _signed_in_client(consultant)

    consultant_hand_over(actor=manager, from_user=consultant, to_user=teammate,
                         deactivate=True)

    consultant.refresh_from_db()
    consultant.is_active = True
    consultant.save(update_fields=["is_active"])
    assert old.get(reverse("account")).status_code == 302
    assert Session.objects.count() == 0


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "198.51.100.1", "10.0.0.2"),                 # reached directly: the header is ignored
    (1, "", "10.0.0.2"),                             # no header: the peer
    (1, "203.0.113.7", "203.0.113.7"),               # one proxy appended the client
    (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),    # a forged entry at the left is skipped
    (2, "192.0.2.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies of ours
    (2, "203.0.113.7", "10.0.0.2"),                  # fewer entries than proxies: the peer
])
def test_client_ip_counts_trusted_proxies_from_the_right(rf, settings, proxies, forwarded,
                                                         expected):
    from dealership.middleware import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
