from __future__ import annotations

import datetime as dt

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dealership.enums import Language
from dealership.models import User
from dealership.permissions import can_manage_staff
from dealership.roles import user_sync_groups
from dealership.services.audit import audit_changes


def user_set_role(*, actor: User | None, user: User, role: str, seniority: str = "") -> User:
    """Change a user's role (and so their group). Side effects: audit row, group change.

    `actor` None means the system itself (a migration or a command), not a person.
    """
    if actor is not None and not can_manage_staff(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.role = role
        locked.seniority = seniority
        locked.full_clean()
        locked.save(update_fields=["role", "seniority"])
        user_sync_groups(locked)
        audit_changes(actor=actor, instance=locked)
    return locked


def user_set_language(*, user: User, language: str) -> User:
    """Remember the interface language a member of staff chose."""
    if language not in Language.values:
        raise ValueError(language)
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def user_sessions_end(*, user: User) -> int:
    """Delete every live session of `user`; returns how many.

    Django refuses an inactive user's session but keeps it in the store, so reactivating
    the account would make an old cookie valid again. Sessions are keyed by a random key,
    not by user, so the live ones are decoded: their number follows the staff signed in
    now, not the store's history.
    """
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk) and HASH_SESSION_KEY in data:
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)



def user_mark_my_day_seen(*, user: User, at: dt.datetime | None = None) -> User:
    """Remember when `user` last opened "my day" (`at`, by default now): its "since your
    last visit" panel lists what arrived after that. One UPDATE of that column only, so a
    profile saved at the same moment keeps its other fields."""
    user.my_day_seen_at = at or timezone.now()
    user.save(update_fields=["my_day_seen_at"])
    return user
