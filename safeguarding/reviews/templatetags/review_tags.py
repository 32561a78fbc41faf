"""Template tags for pages of other apps that link into reviews (e.g. the case page)."""

from django import template

register = template.Library()


@register.simple_tag
def commissionable_tracks(case) -> list:
    """The case's tracks whose final decision calls for a review not commissioned yet."""
    from safeguarding.reviews.running.selectors import commissionable_tracks as tracks

    return tracks(case=case)
