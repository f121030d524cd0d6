"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership.settings")

app = Celery("dealership")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender: Celery, **kwargs) -> None:
    # kombu's filesystem transport needs its folders to exist before the first message.
    from django.conf import settings

    for folder in getattr(settings, "CELERY_FILESYSTEM_FOLDERS", []):
        Path(folder).mkdir(parents=True, exist_ok=True)
