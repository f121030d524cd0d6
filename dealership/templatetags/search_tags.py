from django import template

from dealership.permissions import has_role
from dealership.search import SEARCH_ROLES

register = template.Library()


@register.filter
def can_search(user) -> bool:
    """Whether the header shows this user the search box."""
    return has_role(user, *SEARCH_ROLES)
