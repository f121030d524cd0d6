"""A real round trip: broker → worker → database → result backend."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from dealership.celery import app
from dealership.tasks import ping_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_broker_is_redis_in_ci():
    if not os.environ.get("CI"):
        pytest.skip("CI runs against Redis; locally the filesystem broker is used")
    assert app.conf.broker_url.startswith("redis://")


def test_ping_task_round_trip_through_the_configured_broker(store):
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10):
        result = ping_task.delay(store_code=store.code)
        payload = result.get(timeout=30)

    assert payload["store"] == store.name
    assert result.status == "SUCCESS"


def test_ping_task_for_a_missing_store_returns_quietly(store):
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10):
        payload = ping_task.delay(store_code="NOPE").get(timeout=30)

    assert payload["store"] is None
