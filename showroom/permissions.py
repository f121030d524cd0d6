"""Who may do what on the showroom floor. Checked in the views and again in the services."""

from __future__ import annotations

from dealership.enums import Role
from dealership.permissions import has_role

# Who opens the reception desk and sets today's roster.
DESK_ROLES = (Role.RECEPTIONIST, Role.MANAGER)
# Who opens a visit: its consultant, their supervisor, the manager, the receptionist (today).
VISIT_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)
# Who reads the store's talk tracks.
TALK_TRACK_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.RECEPTIONIST)


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
