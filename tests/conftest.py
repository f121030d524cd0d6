"""Persona fixtures and test-only settings.

The personas: a consultant, their supervisor, another consultant of the same store, a
manager of that store, and a consultant of another store (the outsider).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.utils import timezone, translation

from dealership.enums import Role, Seniority
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    StoreFactory,
    TeamFactory,
    UserFactory,
)
from tests.helpers import business_now

CHROMIUM = "/usr/lib/chromium/chromium"


def pytest_configure(config):
    """Test-only settings, applied before the live server builds its middleware."""
    from django.conf import settings

    # Tests speak plain HTTP to the test client and to the live server.
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The SMS webhook answers 503 without a secret; tests sign with this one.
    settings.LEADS_SMS_WEBHOOK_SECRET = "test-sms-webhook-secret"
    _isolate_filesystem_broker(settings)
    _isolate_redis_per_xdist_worker(settings)


def _isolate_redis_per_xdist_worker(settings) -> None:
    """Under pytest-xdist each worker has its own test database, and here its own Redis
    database too (gw0 → /1, gw1 → /2 …): otherwise one worker's real Celery worker would
    take the other's messages, and one's cache (rate limits, cache.clear()) be the other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not settings.REDIS_URL:
        return
    from django.core.cache import caches

    from dealership.celery import app

    index = int(worker.removeprefix("gw")) + 1

    def own(url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path=f"/{index}")) if parts.scheme == "redis" else url

    settings.CACHES = {**settings.CACHES, "default": {
        **settings.CACHES["default"], "LOCATION": own(settings.CACHES["default"]["LOCATION"])}}
    caches.__dict__.pop("settings", None)  # read again, should anything have read it
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):  # subprocesses
        if os.environ.get(name):
            os.environ[name] = own(os.environ[name])
    app.conf.broker_url = own(app.conf.broker_url)
    app.conf.result_backend = own(app.conf.result_backend)


def _isolate_filesystem_broker(settings) -> None:
    """Keep test messages away from a `make run` worker sharing the checkout's var/."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return
    from dealership.celery import app

    root = Path(tempfile.mkdtemp(prefix="dealership-celery-"))
    folders = {name: root / name for name in ("queue", "processed", "control", "results")}
    for folder in folders.values():
        folder.mkdir()
    app.conf.broker_transport_options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
    }
    app.conf.result_backend = f"file://{folders['results']}"


_REAL_CLOCK = timezone.now


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test that leaves the clock mocked (a patch started and not stopped, a mock
    restored out of order by two threads) would move every later test on its worker: once
    all its fixtures are torn down, the test that leaked it fails, by name."""
    result = yield
    if timezone.now is not _REAL_CLOCK:
        leaked, timezone.now = timezone.now, _REAL_CLOCK
        pytest.fail(f"this test left django.utils.timezone.now mocked: {leaked!r}",
                    pytrace=False)
    return result


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _personal_numbers_masked(request, monkeypatch):
    """Issue 10: every test-client response served to a viewer who may never see personal
    numbers in full is scanned for an unmasked mobile or ID number (tests/pii_scan.py).
    A test that must serve one says why: `@pytest.mark.allow_full_pii("…")`."""
    if request.node.get_closest_marker("allow_full_pii"):
        yield
        return
    from django.test import Client

    from tests.pii_scan import scan_response

    caller = threading.get_ident()
    # A leak found in another thread (a race test's client) fails the test at its end.
    elsewhere: list = []

    def report(leak) -> None:
        if threading.get_ident() == caller:
            pytest.fail(str(leak))
        elsewhere.append(leak)

    original = Client.request

    def request_scanned(self, **environ):
        response = original(self, **environ)
        scan_response(response, report)
        return response

    monkeypatch.setattr(Client, "request", request_scanned)
    yield
    if elsewhere:
        pytest.fail("\n".join(str(leak) for leak in elsewhere), pytrace=False)


@pytest.fixture
def business_hours(monkeypatch):
    """The clock at 14:00 store time, ticking (tests.helpers.business_now): for a test whose
    story spans the hour around now, so a run near the store's midnight does not cut it in
    two days. Request it first (`pytest.mark.usefixtures`), before the fixtures that read
    the store's today."""
    monkeypatch.setattr(timezone, "now", business_now)


@pytest.fixture
def store(db):
    return StoreFactory(code="DEMO", name="示范店")


@pytest.fixture
def other_store(db):
    return StoreFactory(code="OTHER", name="别的店")


@pytest.fixture
def supervisor(store):
    return UserFactory(username="sup", name="赵主管", role=Role.SUPERVISOR, store=store)


@pytest.fixture
def team(store, supervisor):
    return TeamFactory(store=store, name="销售一组", supervisor=supervisor)


@pytest.fixture
def consultant(store, team):
    return UserFactory(username="con", name="王芳", role=Role.CONSULTANT, store=store,
                       seniority=Seniority.SENIOR, team=team)


@pytest.fixture
def teammate(store, team):
    return UserFactory(username="mate", name="李强", role=Role.CONSULTANT, store=store,
                       seniority=Seniority.JUNIOR, team=team)


@pytest.fixture
def manager(store):
    return UserFactory(username="mgr", name="周经理", role=Role.MANAGER, store=store)


@pytest.fixture
def outsider(other_store):
    return UserFactory(username="out", name="外店顾问", role=Role.CONSULTANT,
                       store=other_store, seniority=Seniority.JUNIOR)


@pytest.fixture
def make_user(store):
    def make(role: str, **kwargs):
        if role in (Role.GROUP_EXEC, Role.ADMIN):
            kwargs.setdefault("store", None)
        else:
            kwargs.setdefault("store", store)
        if role == Role.ADMIN:
            kwargs.setdefault("is_staff", True)
            kwargs.setdefault("is_superuser", True)
        return UserFactory(role=role, username=kwargs.pop("username", role), **kwargs)

    return make


@pytest.fixture
def customer(store, consultant):
    return CustomerFactory(store=store, owner=consultant, name="张三丰",
                           phone="+8613812345678", id_number="11010519491231002X")


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def in_english():
    """Run the test in English, so exact messages are asserted as their msgids.

    A module asks for it with `pytestmark = pytest.mark.usefixtures("in_english")`.
    """
    with translation.override("en"):
        yield


# --- Browser tests ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have Debian's Chromium at {CHROMIUM}")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"],
    }
