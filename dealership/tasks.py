from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from dealership.models import Store
from dealership.services.privacy import customers_anonymise_expired

logger = logging.getLogger(__name__)


@shared_task(name="dealership.ping", time_limit=30, soft_time_limit=20)
def ping_task(*, store_code: str) -> dict:
    """A round trip through broker, worker and database: used by health checks and tests."""
    store = Store.objects.filter(code=store_code).only("name").first()
    return {"store": store.name if store else None, "at": timezone.now().isoformat()}


def task_enqueue(task, **kwargs) -> bool:
    """Queue `task` with `kwargs` from a request; False when the broker is unreachable.

    A request must never wait on the broker: one attempt on a fresh connection with the
    short connect timeout of the settings, no publish retries, and no subscription to the
    result (a Redis result backend that is down would otherwise be retried for ~20 s).
    What was not queued is found again by the caller's sweep job or outbox row.
    """
    try:
        with task.app.connection_for_write() as connection:
            task.apply_async(kwargs=kwargs, connection=connection, retry=False,
                             ignore_result=True)
    except Exception:  # the broker's errors are many (socket, kombu, redis): all mean "not now"
        logger.warning("could not queue %s %s; its sweep will", task.name, kwargs,
                       exc_info=True)
        return False
    return True


@shared_task(name="dealership.anonymise_expired_customers", time_limit=1800,
             soft_time_limit=1700)
def anonymise_expired_customers_task() -> int:
    """PIPL retention: anonymise every store's never-converted customers past the store's
    period, as an erasure does. Set-based and idempotent (a second run finds nothing)."""
    count = customers_anonymise_expired(now=timezone.now())
    if count:
        logger.info("retention: %s customers anonymised", count)
    return count
