"""The load run of `manage.py benchmark` (run by reports.bench.load, headless, on loopback):
staff browsing their main pages and wall screens polling their panels.

It imports no Django: locust patches the process with gevent. Everything it needs comes
in the JSON file named by BENCH_LOAD_CONFIG; every response time is written, by group
("pages", "polls", "first_polls"), to the JSON file named by BENCH_LOAD_OUT at the end.
"""

from __future__ import annotations

import itertools
import json
import os
import random

import gevent
from locust import HttpUser, between, constant, events, task

CONFIG = json.loads(open(os.environ["BENCH_LOAD_CONFIG"], encoding="utf-8").read())  # noqa: SIM115
TIMES: dict[str, list[float]] = {"pages": [], "polls": [], "first_polls": []}
ERRORS: dict[str, int] = {"pages": 0, "polls": 0, "first_polls": 0}
ERROR_SAMPLES: list[str] = []
_staff = itertools.cycle(CONFIG["staff"])


def _headers(cookie: str | None = None) -> dict[str, str]:
    headers = {"Host": CONFIG["host_header"], "X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = f"{CONFIG['cookie_name']}={cookie}"
    return headers


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None, **_kw):
    group = name.split(":", 1)[0]
    if group not in TIMES:
        return
    TIMES[group].append(response_time)
    if exception is not None:
        ERRORS[group] += 1
        if len(ERROR_SAMPLES) < 20:
            ERROR_SAMPLES.append(f"{name}: {exception}")


@events.quitting.add_listener
def _write(**_kw):
    with open(os.environ["BENCH_LOAD_OUT"], "w", encoding="utf-8") as out:
        json.dump({"times": TIMES, "errors": ERRORS, "samples": ERROR_SAMPLES}, out)


def _get(user: HttpUser, path: str, name: str, expect: tuple[int, ...],
         headers: dict[str, str]):
    with user.client.get(path, name=name, headers=headers, allow_redirects=False,
                         catch_response=True) as response:
        if response.status_code in expect:
            response.success()
        else:
            response.failure(f"HTTP {response.status_code}")
        return response


class Staff(HttpUser):
    """One signed-in person (a role of the store) opening their pages with a pause."""

    fixed_count = CONFIG["staff_users"]
    wait_time = between(*CONFIG["think_seconds"])

    def on_start(self):
        person = next(_staff)
        self.cookie = person["cookie"]
        self.pages = person["pages"]

    @task
    def browse(self):
        key, path = random.choice(self.pages)  # noqa: S311 - load mix, no secret
        _get(self, path, f"pages:{key}", (200,), _headers(self.cookie))


class WallScreen(HttpUser):
    """A screen on the showroom wall: each panel polled every POLL seconds with its ETag."""

    fixed_count = CONFIG["screens"]
    wait_time = constant(CONFIG["poll_seconds"])

    def on_start(self):
        # Screens switched on at different moments, as in a showroom.
        gevent.sleep(random.uniform(0, CONFIG["poll_seconds"]))  # noqa: S311
        self.etags: dict[str, str] = {}
        for path in CONFIG["panels"]:
            response = _get(self, path, "first_polls:panel", (200,), _headers())
            self.etags[path] = response.headers.get("ETag", "")

    @task
    def poll(self):
        for path in CONFIG["panels"]:
            headers = {**_headers(), "If-None-Match": self.etags.get(path, "")}
            response = _get(self, path, "polls:panel", (200, 304), headers)
            if response.status_code == 200:
                self.etags[path] = response.headers.get("ETag", "")
