"""For the public Reviews page (app ``public_site``): the latest published digest issues."""

from django import template

from safeguarding.digests import selectors

register = template.Library()


@register.simple_tag
def latest_digest_issues(partnership, count: int = selectors.LATEST_ON_REVIEWS_PAGE):
    """The partnership's newest published issues (one query)."""
    if count == selectors.LATEST_ON_REVIEWS_PAGE:
        return selectors.issue_list_latest_published(partnership=partnership)
    return list(selectors.issue_list_published(partnership=partnership)[:count])
