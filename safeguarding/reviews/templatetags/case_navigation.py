"""The "Cases and reviews" link of the service navigation (a builtin, see TEMPLATES in settings):
shown to the people the list is for (``permissions.can_list_cases``)."""

from django import template

from ..permissions import can_list_cases

register = template.Library()


@register.filter
def may_list_cases(user, partnership) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not partnership:
        return False
    return can_list_cases(user, partnership)


@register.filter
def lists_cases_for(partnership, user) -> bool:
    """``may_list_cases`` the other way round: a page without a partnership in its context gives
    ``""`` here, where a missing filter argument would fail (the layout's ``{% once %}`` key)."""
    return may_list_cases(user, partnership)
