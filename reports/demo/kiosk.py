"""Demo: one wall-screen link of the store, for the showroom's screen."""

from __future__ import annotations

from dealership.enums import Role
from dealership.models import User
from reports.models import KioskLink
from reports.services.kiosk import kiosk_link_create

DEMO_LABEL = "展厅大屏"


def seed(rng, *, store, scale: str) -> None:
    """One link labelled 展厅大屏, made by the store's manager (once: a rerun adds none)."""
    if KioskLink.objects.filter(store=store, label=DEMO_LABEL).exists():
        return
    manager = User.objects.filter(store=store, role=Role.MANAGER, is_active=True).first()
    kiosk_link_create(store=store, label=DEMO_LABEL, actor=manager)
