"""What a developer sees running the app: the demo logins on the login page, and a refused
request logged as one line."""

from __future__ import annotations

import io
import logging

import pytest

from dealership.enums import Role
from dealership.log_filters import OneLineClientErrors
from tests.factories import StoreFactory
from tests.helpers import english

pytestmark = pytest.mark.django_db


def test_login_page_lists_demo_logins_with_debug_on_and_the_demo_store(client, settings):
    settings.DEBUG = True
    StoreFactory(code="DEMO")

    html = client.get("/accounts/login/").content.decode()

    assert 'data-testid="demo-logins"' in html
    assert "<code>demo-pass-2026</code>" in html
    for username in ("receptionist", "manager", "finance", "admin",
                     "consultant1 … consultant8"):
        assert f"<code>{username}</code>" in html


def test_login_page_hides_demo_logins_with_debug_off(client, settings):
    settings.DEBUG = False
    StoreFactory(code="DEMO")

    html = client.get("/accounts/login/").content.decode()

    assert "demo-pass-2026" not in html
    assert 'data-testid="demo-logins"' not in html


def test_login_page_hides_demo_logins_without_the_demo_store(client, settings):
    settings.DEBUG = True
    StoreFactory(code="S900")

    html = client.get("/accounts/login/").content.decode()

    assert "demo-pass-2026" not in html


def _console_handler() -> logging.Handler:
    handlers = [handler for handler in logging.getLogger().handlers
                if any(isinstance(f, OneLineClientErrors) for f in handler.filters)]
    assert len(handlers) == 1, "settings.LOGGING's console handler carries the filter"
    return handlers[0]


def test_forbidden_request_is_logged_as_one_line_without_traceback(client, make_user):
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    client.force_login(english(make_user(Role.RECEPTIONIST)))
    try:
        response = client.get("/console/")  # the administrator's page
    finally:
        handler.setStream(previous)

    assert response.status_code == 403
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert "WARNING django.request Forbidden" in lines[0]
    assert lines[0].endswith("/console/")


def test_server_error_keeps_its_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1,
                               "Internal Server Error: %s", ("/x/",), exc_info=None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys
        record.exc_info = sys.exc_info()
    record.status_code = 500

    assert OneLineClientErrors().filter(record) is True
    assert record.exc_info is not None
