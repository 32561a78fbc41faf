"""Regression from the code review: a digest cannot be published with an item about a review
that stopped being public after it was chosen (withdrawn, say)."""

import datetime

import pytest

from safeguarding.core.errors import ServiceError
from safeguarding.digests import services
from safeguarding.digests.models import DigestIssue

from . import support

pytestmark = pytest.mark.django_db


def test_an_item_about_a_review_no_longer_public_stops_publication(partnership, business_unit_user):
    issue = support.issue(partnership, business_unit_user)
    record = support.record(
        partnership, "Child W", published_on=support.PERIOD_START + datetime.timedelta(days=5)
    )
    proposals, _ = services.issue_proposals(issue=issue)
    services.items_add(
        issue=issue,
        actor=business_unit_user,
        keys=[p.key for p in proposals if p.record_id == record.pk],
    )
    services.issue_update(
        issue=issue,
        actor=business_unit_user,
        title=issue.title,
        period_start=issue.period_start,
        period_end=issue.period_end,
        introduction="Fictional.",
    )
    record.is_public = False
    record.save(update_fields=["is_public"])
    with pytest.raises(ServiceError, match="no longer public"):
        services.issue_publish(issue=issue, actor=business_unit_user)
    issue.refresh_from_db()
    assert issue.status == DigestIssue.Status.DRAFT
    assert not issue.pdf and not issue.docx
