"""The kinds of event on a lead's timeline, each declared by the stage that writes it.

Leads owns the timeline table, but the showroom and contracts write their own events on it
(a visit, a quote). Each app registers its kinds from its `AppConfig.ready()`, so the
table's choices name no later stage and a new stage needs no leads migration: the field's
`choices` is the callable `timeline_kind_choices`, read when the choices are used (the
label shown, a form, the admin), and a code nobody registers shows as itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.db import models
    from django.utils.functional import Promise


@dataclass(frozen=True)
class TimelineKind:
    code: str
    label: str | Promise


_timeline_kinds: list[TimelineKind] = []


def register_timeline_kinds(*, kinds: type[models.TextChoices]) -> None:
    """Add an app's kinds. The same kinds again are a no-op (Django may run `ready()`
    twice); one code claimed with two labels is refused at start-up, as the timeline could
    not tell whose event it shows."""
    for kind in kinds:
        entry = TimelineKind(code=kind.value, label=kind.label)
        known = next((k for k in _timeline_kinds if k.code == entry.code), None)
        if known is None:
            _timeline_kinds.append(entry)
        elif known != entry:
            raise ImproperlyConfigured(
                f"The timeline event kind {entry.code!r} is registered twice, as "
                f"{known.label!r} and as {entry.label!r}.")


def timeline_kind_choices() -> list[tuple[str, str | Promise]]:
    """Every registered kind as field choices, in registration (INSTALLED_APPS) order."""
    return [(kind.code, kind.label) for kind in _timeline_kinds]
