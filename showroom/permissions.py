"""Who may do what on the showroom floor. Checked in the views and again in the services."""

from __future__ import annotations

from dealership.enums import Role
from dealership.permissions import has_role
from leads.permissions import can_invite_lead, can_work_lead

# Who opens the reception desk and sets today's roster.
DESK_ROLES = (Role.RECEPTIONIST, Role.MANAGER)
# Who opens a visit: its consultant, their supervisor, the manager, the receptionist (today).
VISIT_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)
# Who reads the store's talk tracks.
TALK_TRACK_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)
# Roles that see the test-drive calendar; the receptionist only reads it, masked.
CALENDAR_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)
# Roles that book and run test drives (each within their own customers).
BOOKING_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
# Who opens the invitation list: consultants their own, the others the store's.
INVITATION_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)
INVITATION_STORE_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)
# Who may mark an arrival besides the invitation's own consultant.
ARRIVAL_ROLES = (Role.RECEPTIONIST, Role.SUPERVISOR, Role.MANAGER)
# Who ticks the daily showroom inspection.
INSPECTION_ROLES = (Role.MANAGER, Role.SUPERVISOR)


def can_run_desk(user, store) -> bool:
    """Set the roster, change duty states, register walk-ins."""
    return (has_role(user, *DESK_ROLES) and store is not None
            and user.store_id == store.pk)


def is_visit_in_scope(user, visit, *, today=None) -> bool:
    """The consultant their own visits, a supervisor their team's, the manager the store's,
    the receptionist the store's visits of today (DESIGN §1)."""
    if user.store_id is None or visit.store_id != user.store_id:
        return False
    if user.role == Role.CONSULTANT:
        return visit.consultant_id == user.pk
    if user.role == Role.SUPERVISOR:
        consultant = visit.consultant
        return visit.consultant_id == user.pk or (
            consultant is not None and consultant.team_id is not None
            and consultant.team.supervisor_id == user.pk)
    if user.role == Role.RECEPTIONIST:
        return today is None or visit.arrived_at.astimezone(visit.store.tzinfo).date() == today
    return user.role == Role.MANAGER


def can_work_visit(user, visit) -> bool:
    """Close it, record objections: its consultant, their supervisor, the manager."""
    return (has_role(user, Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
            and is_visit_in_scope(user, visit))


def can_add_visit_phone(user, visit) -> bool:
    """The phone may come later: from the desk or from whoever serves the customer."""
    if has_role(user, Role.RECEPTIONIST):
        return is_visit_in_scope(user, visit)
    return can_work_visit(user, visit)


def can_edit_talk_tracks(user) -> bool:
    return has_role(user, Role.MANAGER) and user.store_id is not None


def can_see_objection_counts(user) -> bool:
    return has_role(user, Role.MANAGER, Role.SUPERVISOR) and user.store_id is not None


def is_test_drive_in_scope(user, test_drive) -> bool:
    """The same rule as test_drive_scope_for_user, for one loaded booking (with its
    consultant and their team joined in)."""
    if user.store_id is None or test_drive.store_id != user.store_id:
        return False
    if user.role == Role.CONSULTANT:
        return test_drive.consultant_id == user.pk
    if user.role == Role.SUPERVISOR:
        team = test_drive.consultant.team
        return test_drive.consultant_id == user.pk or (
            team is not None and team.supervisor_id == user.pk)
    return user.role in (Role.MANAGER, Role.RECEPTIONIST)


def can_book_test_drive(user) -> bool:
    return user.store_id is not None and has_role(user, *BOOKING_ROLES)


def can_handle_test_drive(user, test_drive) -> bool:
    """Start, finish, feedback, cancel: the booking consultant, their supervisor, the
    store's manager."""
    if user.store_id is None or test_drive.store_id != user.store_id or not user.is_active:
        return False
    if user.role == Role.MANAGER:
        return True
    if test_drive.consultant_id == user.pk:
        return user.role in (Role.CONSULTANT, Role.SUPERVISOR)
    team = test_drive.consultant.team
    return user.role == Role.SUPERVISOR and team is not None and team.supervisor_id == user.pk


def can_invite(user, lead) -> bool:
    """Who may move the lead to "invited": its owner, their supervisor, the manager."""
    return can_invite_lead(user, lead)


def can_mark_arrived(user, invitation) -> bool:
    if not user.is_authenticated or user.store_id != invitation.store_id:
        return False
    if user.role == Role.CONSULTANT:
        return invitation.consultant_id == user.pk
    return user.role in ARRIVAL_ROLES


def can_cancel_invitation(user, invitation) -> bool:
    return user.store_id == invitation.store_id and can_work_lead(user, invitation.lead)


def can_inspect(user, store) -> bool:
    return has_role(user, *INSPECTION_ROLES) and user.store_id == store.pk


def can_edit_inspection_items(user, store) -> bool:
    return has_role(user, Role.MANAGER) and user.store_id == store.pk
