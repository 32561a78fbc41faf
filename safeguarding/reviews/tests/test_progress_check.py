import datetime

import pytest
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.clock.selectors import milestone_list_for_subject
from safeguarding.core.calendar import add_calendar_months

from .review_support import make_lcspr


def _check(review):
    return next(
        m
        for m in milestone_list_for_subject(subject=review.case)
        if m.rule.code == "lcspr-progress-check"
    )


@pytest.mark.django_db
def test_a_progress_check_moves_the_next_check_on_one_interval(
    bu_client, partnership, business_unit_user
):
    review, _ = make_lcspr(partnership, business_unit_user)
    first = _check(review)
    today = datetime.date.today()
    response = bu_client.post(
        reverse("reviews:progress_check", args=[partnership.slug, review.pk]),
        {
            "checked_on_0": today.day,
            "checked_on_1": today.month,
            "checked_on_2": today.year,
            "notes": "On time; the draft is clear about agencies' roles.",
        },
    )
    assert response.status_code == 302
    moved = _check(review)
    assert moved.pk == first.pk
    assert moved.due_on == add_calendar_months(today, 3)
    assert AuditEvent.objects.filter(action="review.progress_checked").exists()


@pytest.mark.django_db
def test_a_progress_check_without_notes_or_in_the_future_is_refused(
    bu_client, partnership, business_unit_user
):
    review, _ = make_lcspr(partnership, business_unit_user)
    before = _check(review).due_on
    future = datetime.date.today() + datetime.timedelta(days=3)
    html = bu_client.post(
        reverse("reviews:progress_check", args=[partnership.slug, review.pk]),
        {
            "checked_on_0": future.day,
            "checked_on_1": future.month,
            "checked_on_2": future.year,
            "notes": "",
        },
    ).content.decode()
    assert "There is a problem" in html
    assert "Enter what the check found about time and quality" in html
    assert _check(review).due_on == before
