from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from dealership.models import Store


@shared_task(name="dealership.ping", time_limit=30, soft_time_limit=20)
def ping_task(*, store_code: str) -> dict:
    """A round trip through broker, worker and database: used by health checks and tests."""
    store = Store.objects.filter(code=store_code).only("name").first()
    return {"store": store.name if store else None, "at": timezone.now().isoformat()}
