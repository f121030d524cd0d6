"""Who may do what with leads. Checked in the views and again in the services."""

from __future__ import annotations

from dealership.enums import Role
from dealership.permissions import has_role

# Roles that open leads: consultants their own, supervisors their team's, the rest the store's.
LEAD_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER, Role.MARKETING, Role.ADMIN)
LEAD_STORE_ROLES = (Role.MANAGER, Role.MARKETING)
CAPTURE_ROLES = (Role.CONSULTANT, Role.RECEPTIONIST, Role.SUPERVISOR, Role.MANAGER,
                 Role.MARKETING)
IMPORT_ROLES = (Role.MARKETING, Role.MANAGER, Role.ADMIN)
EXPORT_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.MARKETING, Role.ADMIN)
# Who sells on the floor: records test drives, quotes and signatures on a lead.
SELLER_ROLES = (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)
# Who records a customer's visit: the desk registers it, whoever served them closes it.
VISIT_RECORDING_ROLES = (Role.RECEPTIONIST, *SELLER_ROLES)


def is_lead_in_scope(user, lead) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    if user.store_id is None or lead.store_id != user.store_id:
        return False
    if user.role == Role.CONSULTANT:
        return lead.owner_id == user.pk
    if user.role == Role.SUPERVISOR:
        owner = lead.owner
        if owner is None:  # the store's pool: supervisors hand its leads out
            return True
        return lead.owner_id == user.pk or (
            owner is not None and owner.team_id is not None
            and owner.team.supervisor_id == user.pk
        )
    return user.role in LEAD_STORE_ROLES


def can_capture_lead(user) -> bool:
    return user.store_id is not None and has_role(user, *CAPTURE_ROLES)


def can_work_lead(user, lead) -> bool:
    """Log touches, change grade, ask for "lost": the owner, or their supervisor/manager."""
    if not is_lead_in_scope(user, lead):
        return False
    return user.role in (Role.CONSULTANT, Role.SUPERVISOR, Role.MANAGER)


def can_invite_lead(user, lead) -> bool:
    """Booking the customer in is working the lead: its owner, their supervisor, the
    manager."""
    return can_work_lead(user, lead)


def _has_role_in_lead_store(user, lead, roles: tuple[str, ...]) -> bool:
    return has_role(user, *roles) and user.store_id is not None and user.store_id == lead.store_id


def can_mark_visited(user, lead) -> bool:
    """Any floor role of the lead's store: the consultant serving a returning customer need
    not be the lead's owner (the owner may be off), and the desk registers arrivals."""
    return _has_role_in_lead_store(user, lead, VISIT_RECORDING_ROLES)


def can_mark_test_driven(user, lead) -> bool:
    """A seller of the lead's store: the one who ran the drive may not own the lead
    (reassigned since the booking); the showroom checks who may run the drive."""
    return _has_role_in_lead_store(user, lead, SELLER_ROLES)


def can_start_negotiation(user, lead) -> bool:
    """A seller of the lead's store; the contracts stage checks who may quote."""
    return _has_role_in_lead_store(user, lead, SELLER_ROLES)


def can_win_lead(user, lead) -> bool:
    """A seller of the lead's store; the contracts stage checks who may sign."""
    return _has_role_in_lead_store(user, lead, SELLER_ROLES)


def can_reassign_lead(user, lead) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.MANAGER) and is_lead_in_scope(user, lead)


def can_decide_lost(user, lead) -> bool:
    """A supervisor of the owner's team or the manager; never the requester themself."""
    return has_role(user, Role.SUPERVISOR, Role.MANAGER) and is_lead_in_scope(user, lead)


def can_claim_from_pool(user, lead) -> bool:
    return (user.role == Role.CONSULTANT and user.is_active and lead.owner_id is None
            and lead.store_id == user.store_id and lead.is_open)


def can_reassign_book(user) -> bool:
    return has_role(user, Role.MANAGER, Role.ADMIN)


def can_import_leads(user) -> bool:
    return has_role(user, *IMPORT_ROLES) and (user.store_id is not None)


def can_export_leads(user) -> bool:
    return has_role(user, *EXPORT_ROLES)


def can_set_routing_availability(user, store) -> bool:
    """Who keeps the showroom's roster (the desk, the manager) tells routing who is in."""
    return (has_role(user, Role.RECEPTIONIST, Role.MANAGER) and store is not None
            and user.store_id == store.pk)


def can_edit_policy(user) -> bool:
    return has_role(user, Role.MANAGER, Role.ADMIN)


def can_manage_campaigns(user) -> bool:
    """Marketing and the manager plan campaigns; supervisors only read them."""
    return user.store_id is not None and has_role(user, Role.MARKETING, Role.MANAGER)


def can_set_on_duty(user, consultant) -> bool:
    return (has_role(user, Role.MANAGER) and consultant.role == Role.CONSULTANT
            and consultant.store_id == user.store_id)


def can_call_lead(user, lead) -> bool:
    """Call the customer from the lead (the full number, revealed and audited): the lead's
    own consultant, while the lead is open, if their role may see numbers in full."""
    from dealership.permissions import can_view_full_pii

    return (lead.owner_id is not None and lead.owner_id == user.pk and lead.is_open
            and can_view_full_pii(user, lead.customer))
