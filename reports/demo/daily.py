"""Demo daily report: yesterday's PDF, asked for by the manager and rendered at once (as the
worker would), so the list has a version to download. Skipped at scale "large" (the
benchmark measures the render itself)."""

from __future__ import annotations

import datetime as dt
import random

from dealership.enums import Role
from dealership.models import Store, User
from reports.models import DailyReport
from reports.services.daily import daily_report_render, daily_report_request


def seed(rng: random.Random, *, store: Store, scale: str) -> None:
    if scale == "large":
        return
    manager = (User.objects.filter(store=store, role=Role.MANAGER, is_active=True)
               .order_by("pk").first())
    yesterday = store.today() - dt.timedelta(days=1)
    if manager is None or DailyReport.objects.filter(store=store, day=yesterday).exists():
        return
    report = daily_report_request(store=store, day=yesterday, actor=manager)
    daily_report_render(report_id=report.pk)
