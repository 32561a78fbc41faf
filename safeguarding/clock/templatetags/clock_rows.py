"""``{% milestone_rows %}``: the rows of ``clock/_milestones.html`` written in Python
(``clock.rows.milestone_rows_html``; issue 16, ADR 0034)."""

from django import template
from django.utils.safestring import SafeString

from safeguarding.clock.rows import milestone_rows_html

register = template.Library()


@register.simple_tag(takes_context=True)
def milestone_rows(context) -> SafeString:
    """The context's ``milestones``, with ``milestone_actions`` and ``partnership`` as the
    include gives them."""
    return milestone_rows_html(
        context.get("milestones") or [],
        partnership=context.get("partnership"),
        actions=bool(context.get("milestone_actions")),
    )
