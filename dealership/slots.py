"""Places on pages that later stages fill in: the panels of "my day", and the action
buttons of the customer page and the lead page.

The core's pages (and a lower stage's) may not name a higher stage's views or tag
libraries, yet "my day" shows the showroom's visits and the customer page offers a new
quote. So the stage that owns the content registers it from its `AppConfig.ready()`: a
panel is a selector with the partial that shows its result; an action is an include that
decides itself whether to show. `check_slots` refuses, at start-up, a template that does
not exist or an action for a place no page offers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from dealership.permissions import has_role

if TYPE_CHECKING:
    from dealership.models import User


class PanelSelector(Protocol):
    def __call__(self, *, user: User, day: dt.date) -> dict: ...


@dataclass(frozen=True)
class MyDayPanel:
    """A card of "my day" (or, with `summary`, a row of figures above the cards).

    `selector` reads what the partial `template` shows, in a fixed number of queries;
    panels of one app may share a selector, which the page then calls once. `order` places
    the panel among every app's (lower first); `roles` are those it is for."""

    name: str
    template: str
    selector: PanelSelector
    order: int
    roles: tuple[str, ...]
    summary: bool = False


@dataclass(frozen=True)
class SlotAction:
    """A button (or form) an app adds to a page's `slot`, rendered in `order` with the
    page's context; the include itself decides whether the user may see it."""

    slot: str
    template: str
    order: int


# The places the core's pages offer; a page of a stage declares its own (declare_slot).
_slots: set[str] = {"my_day_actions", "customer_actions", "customer_consent_actions"}
_my_day_panels: list[MyDayPanel] = []
_slot_actions: list[SlotAction] = []


def declare_slot(*, name: str) -> None:
    _slots.add(name)


def register_my_day_panel(*, name: str, template: str, selector: PanelSelector, order: int,
                          roles: Iterable[str], summary: bool = False) -> None:
    panel = MyDayPanel(name=name, template=template, selector=selector, order=order,
                       roles=tuple(roles), summary=summary)
    # Django may run ready() twice: the same panel again is a no-op.
    if panel not in _my_day_panels:
        _my_day_panels.append(panel)


def register_slot_action(*, slot: str, template: str, order: int) -> None:
    action = SlotAction(slot=slot, template=template, order=order)
    if action not in _slot_actions:
        _slot_actions.append(action)


def my_day_panels_for(user: User) -> list[MyDayPanel]:
    """The panels for the user's role, in page order."""
    return sorted((panel for panel in _my_day_panels if has_role(user, *panel.roles)),
                  key=lambda panel: panel.order)


def my_day_context(*, user: User, day: dt.date, panels: Iterable[MyDayPanel]) -> dict:
    """What the panels' partials show, merged into one context: each distinct selector is
    called once, so the page's queries are the sum of its selectors' fixed counts. Two
    selectors offering the same name would silently hide one another: that is an error."""
    context: dict = {}
    seen: list[PanelSelector] = []
    for panel in panels:
        if panel.selector in seen:
            continue
        seen.append(panel.selector)
        part = panel.selector(user=user, day=day)
        if clash := context.keys() & part.keys():
            raise ImproperlyConfigured(
                f"My-day panel {panel.name!r} offers {sorted(clash)}, which another "
                "panel's selector offers too.")
        context |= part
    return context


def slot_templates(slot: str) -> list[str]:
    """The includes registered for a place on a page, in order."""
    if slot not in _slots:
        raise ImproperlyConfigured(f"No page declares the slot {slot!r}.")
    return [action.template for action in sorted(
        (action for action in _slot_actions if action.slot == slot),
        key=lambda action: action.order)]


def check_slots(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Start-up check: every registered template exists and every action's slot is
    declared by a page, so a typo fails `manage.py check` rather than a page."""
    errors = []
    templates = [(f"my-day panel {panel.name!r}", panel.template) for panel in _my_day_panels]
    templates += [(f"action of slot {action.slot!r}", action.template)
                  for action in _slot_actions]
    for what, name in templates:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            errors.append(checks.Error(f"The template {name!r} of the {what} does not exist.",
                                       hint="Register an existing template or partial.",
                                       id="dealership.E101"))
    for action in _slot_actions:
        if action.slot not in _slots:
            errors.append(checks.Error(
                f"The action {action.template!r} is registered for the slot {action.slot!r}, "
                "which no page declares.",
                hint=f"Declared slots: {', '.join(sorted(_slots))}.", id="dealership.E102"))
    names = [panel.name for panel in _my_day_panels]
    for name in sorted({name for name in names if names.count(name) > 1}):
        errors.append(checks.Error(f"Two my-day panels are named {name!r}.",
                                   id="dealership.E103"))
    return errors
