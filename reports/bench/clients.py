"""Two ways to send the benchmark's requests, with one interface:

- `HttpClient`: plain HTTP/1.1 to the gunicorn on loopback, a new connection per request
  (sync workers close them anyway), with the session cookie and the proxy's `https`
  header a production proxy would add;
- `InProcessClient`: Django's test client in this process (the fast test, and the query
  counts, which are taken in-process whatever the mode: CaptureQueriesContext works with
  DEBUG off).

Both sign in with a session written to the database (`force_login`), so a gunicorn worker
with the same SECRET_KEY and database accepts it; `Sessions.close()` deletes them.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.test import Client

from dealership.models import User


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float


def host_header() -> str:
    """The first concrete ALLOWED_HOSTS entry (what a proxy would forward)."""
    return next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", ".")),
                "localhost")


@dataclass
class Sessions:
    """One database session per user name, made on first use; deleted by close()."""

    keys: dict[str, str] = field(default_factory=dict)

    def cookie(self, user: User) -> str:
        if user.username not in self.keys:
            client = Client()
            client.force_login(user)
            self.keys[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return self.keys[user.username]

    def close(self) -> None:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for key in self.keys.values():
            store(session_key=key).delete()
        self.keys.clear()


class HttpClient:
    def __init__(self, *, port: int, cookie: str | None = None):
        self.port = port
        self.cookie = cookie
        self.host = host_header()

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> Answer:
        sent = {"Host": self.host, "X-Forwarded-Proto": "https", "Connection": "close",
                **(headers or {})}
        if self.cookie:
            sent["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={self.cookie}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            ms = (time.perf_counter() - started) * 1000
        finally:
            connection.close()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      data, ms)


class InProcessClient:
    def __init__(self, *, cookie: str | None = None):
        self.client = Client(HTTP_HOST=host_header(), raise_request_exception=False)
        if cookie:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = cookie

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> Answer:
        started = time.perf_counter()
        if method == "GET":
            response = self.client.get(path, secure=True, headers=headers or {})
        else:
            response = self.client.generic(method, path, data=body or b"", secure=True,
                                           content_type="application/json",
                                           headers=headers or {})
        data = (b"".join(response.streaming_content) if response.streaming
                else response.content)
        ms = (time.perf_counter() - started) * 1000
        return Answer(response.status_code, {k.lower(): v for k, v in response.items()},
                      data, ms)
