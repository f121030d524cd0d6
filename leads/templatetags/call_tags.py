from django import template

from dealership.roles import role_permissions_merged

register = template.Library()


@register.filter
def can_call(user, lead) -> bool:
    """Whether a row or page offers this user the "call" button of the lead: its own
    consultant, the lead open, in a role granted full numbers. Read from the role's
    registered permissions, so a list of rows costs no query; the call view and service
    check `leads.permissions.can_call_lead` (the user's actual permissions) before any
    number is shown."""
    return (lead.owner_id is not None and lead.owner_id == user.pk and lead.is_open
            and "dealership.view_customer_pii" in role_permissions_merged().get(user.role, ()))
