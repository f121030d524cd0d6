"""Who may use the reports screens (issue 13). Reports only read, except what the manager
sets (targets, the working calendar, the commission scheme, meeting notes, wall-screen
links) and the daily report versions the job or a manager makes.

Scope: every figure is the user's store's; a consultant sees only their own commission and
their own line of the targets; the group executive sees aggregates of the group's stores,
never a customer row; the wall screen is reached without login by a signed, revocable
kiosk link and shows names masked (张*伟) and no phone number.
"""

from __future__ import annotations

from dealership.enums import Role

HOME_ROLES = (Role.MANAGER,)
TARGET_VIEW_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.CONSULTANT)
TARGET_SET_ROLES = (Role.MANAGER,)
MEETING_ROLES = (Role.MANAGER, Role.SUPERVISOR)
MEETING_NOTE_ROLES = (Role.MANAGER,)
KIOSK_ADMIN_ROLES = (Role.MANAGER,)
CHART_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.MARKETING)
DAILY_REPORT_ROLES = (Role.MANAGER, Role.SUPERVISOR)
DAILY_REPORT_MAKE_ROLES = (Role.MANAGER,)
COMMISSION_VIEW_ROLES = (Role.MANAGER, Role.CONSULTANT)
COMMISSION_SCHEME_ROLES = (Role.MANAGER,)
COMMISSION_EXPORT_ROLES = (Role.MANAGER, Role.FINANCE)
GROUP_ROLES = (Role.GROUP_EXEC, Role.ADMIN)


def can_make_daily_report(user, store) -> bool:
    """A manager makes a day's report again (a new version), in their own store."""
    from dealership.permissions import has_role

    return has_role(user, *DAILY_REPORT_MAKE_ROLES) and user.store_id == store.pk


def can_write_meeting_notes(user, store) -> bool:
    """Add or remove the meeting notes of `store`: its managers."""
    return (user.is_authenticated and user.is_active and user.role in MEETING_NOTE_ROLES
            and user.store_id is not None and user.store_id == store.pk)


def can_view_commission(user, consultant) -> bool:
    """See `consultant`'s commission statement: themselves, or a manager of their store."""
    if not (user.is_authenticated and user.is_active and user.role in COMMISSION_VIEW_ROLES
            and user.store_id is not None and consultant.store_id == user.store_id):
        return False
    return user.role != Role.CONSULTANT or consultant.pk == user.pk


def can_export_commission(user) -> bool:
    """Download the store's commission for payroll: its managers and finance."""
    return (user.is_authenticated and user.is_active and user.role in COMMISSION_EXPORT_ROLES
            and user.store_id is not None)


def can_set_commission_scheme(user, store) -> bool:
    """Add a version of `store`'s commission scheme: its managers."""
    return (user.is_authenticated and user.is_active and user.role in COMMISSION_SCHEME_ROLES
            and user.store_id is not None and user.store_id == store.pk)


# Charts: marketing reads the channel and campaign reports (aggregates of leads, no customer
# row, no staff line); the staff reports are the sales managers'.
CHART_CHANNEL_ROLES = CHART_ROLES
CHART_STAFF_ROLES = (Role.MANAGER, Role.SUPERVISOR)


def can_view_chart(user, roles: tuple[str, ...]) -> bool:
    """May this user open a chart report open to `roles` (of their own store)?"""
    return bool(user.store_id) and user.role in roles
