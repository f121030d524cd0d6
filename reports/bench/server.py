"""gunicorn as production runs it, on a free loopback port, for the length of a `with`.

Two sync workers, `DEBUG` off, the same settings module, database and SECRET_KEY as this
process (so the sessions written here are valid there). Static files are collected first,
as a deploy does: with `DEBUG` off every `{% static %}` needs the manifest.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from reports.bench.clients import host_header

WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "dealership.settings"),
        ALLOWED_HOSTS=env.get("ALLOWED_HOSTS") or host_header(),
        WEB_CONCURRENCY=str(WORKERS),
    )
    env.pop("SECRET_KEY_FILE", None)
    return env


def collect_static(env: dict[str, str]) -> None:
    """As a deploy does: copies only what changed, and rewrites the manifest."""
    subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"),  # noqa: S603
                    "collectstatic",
                    "--noinput", "-v0"], env=env, cwd=settings.BASE_DIR, check=True,
                   timeout=600)


@contextlib.contextmanager
def gunicorn(*, log: Path) -> Iterator[int]:
    """Yields the port; the server is stopped on leaving, on errors and on Ctrl-C too."""
    env = server_env()
    collect_static(env)
    port = free_port()
    binary = Path(sys.executable).with_name("gunicorn")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as output:
        server = subprocess.Popen(  # noqa: S603 - our gunicorn, our arguments
            [str(binary), "dealership.wsgi:application", "--workers", str(WORKERS),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
             "--log-level", "warning"],
            env=env, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT,
            # Its own process group: a Ctrl-C in the terminal reaches us, and we stop it.
            start_new_session=True)
        try:
            _wait_until_up(server, port, log)
            yield port
        finally:
            _stop(server)


def _wait_until_up(server: subprocess.Popen, port: int, log: Path) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz",
                                     headers={"Host": host_header(),
                                              "X-Forwarded-Proto": "https"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {log}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):  # stuck, or a second Ctrl-C
        server.kill()
        server.wait(timeout=10)
