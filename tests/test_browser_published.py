"""The public side of publication in a real browser: axe checks the Reviews page with published
items, the archive (with and without an error) and a review's page; the pages work without
JavaScript."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safeguarding.publication.tests.test_public_pages import publish  # noqa: F401

# The browser fixtures and helpers are shared with the other browser tests.
from .test_browser import (  # noqa: F401
    axe_source,
    axe_violations,
    browser,
    describe,
    page,
    page_without_js,
)

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_published_review_pages_have_no_axe_violations(page, axe_source, partnership, publish):  # noqa: F811
    today = timezone.localdate()
    recent = publish(title="Child A", publish_on=today - timedelta(days=90))
    publish(title="Child B", publish_on=today - timedelta(days=800))
    publish(title="Child C", publish_on=today - timedelta(days=1200), status="withdrawn")
    slug = partnership.slug
    pages = {
        "reviews page": reverse("public_site:reviews", args=[slug]),
        "archive": reverse("published:archive", args=[slug]),
        "archive with an error": reverse("published:archive", args=[slug]) + "?year=abc",
        "review page": reverse("published:detail", args=[slug, recent.pk]),
        "documents": reverse("public_site:documents", args=[slug]),
        "documents with an error": reverse("public_site:documents", args=[slug]) + "?category=x",
    }
    failures = []
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("load")
        violations = axe_violations(page, axe_source)
        if violations:
            failures.append(f"{name} ({page.url}):\n{describe(violations)}")
    assert not failures, "axe found problems:\n" + "\n".join(failures)


def test_the_archive_filters_without_javascript(page_without_js, partnership, publish):  # noqa: F811
    today = timezone.localdate()
    publish(title="Child D", review_type="cspr", publish_on=today - timedelta(days=800))
    publish(title="Adult E", review_type="sar", publish_on=today - timedelta(days=800))
    page = page_without_js  # noqa: F811
    page.goto(reverse("public_site:reviews", args=[partnership.slug]))
    page.get_by_role("link", name="archive of published reviews").click()
    page.get_by_label("Review type").select_option("sar")
    page.get_by_role("button", name="Filter the archive").click()
    body = page.locator("main").inner_text()
    assert "Review of Adult E" in body
    assert "Review of Child D" not in body
    page.get_by_role("link", name="Review of Adult E").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Review of Adult E"
