"""Learning digests in a real browser: axe checks every staff and public digest page (with and
without errors), and an issue goes from proposal to the public page without JavaScript."""

from datetime import date

import pytest
from django.urls import reverse

from safeguarding.digests import services
from safeguarding.digests.models import DigestIssue

from .support import issue, record, subscriber

pytest.importorskip("playwright.sync_api")

from tests.test_browser import (  # noqa: F401
    axe_source,
    axe_violations,
    browser,
    describe,
    page,
    page_without_js,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft(partnership, business_unit_user):
    record(
        partnership,
        "Child Aster",
        published_on=date(2026, 1, 10),
        learning="- See the baby\n- Ask who lives there",
    )
    record(partnership, "Child Birch", published_on=date(2026, 2, 10))
    made = issue(partnership, business_unit_user)
    available, _ = services.issue_proposals(issue=made)
    services.items_add(issue=made, actor=business_unit_user, keys=[available[0].key])
    services.item_add(issue=made, actor=business_unit_user, heading="Event", text="- One\n- Two")
    return made


def _check(page, axe_source, pages: dict) -> list[str]:  # noqa: F811
    failures = []
    for name, (url, action) in pages.items():
        page.goto(url)
        page.wait_for_load_state("load")
        if action:
            action(page)
            page.wait_for_load_state("load")
        violations = axe_violations(page, axe_source)
        if violations:
            failures.append(f"{name} ({page.url}):\n{describe(violations)}")
    return failures


def _press(name):
    return lambda tab: tab.get_by_role("button", name=name).first.click()


def test_digest_pages_have_no_axe_violations(
    page,  # noqa: F811
    axe_source,  # noqa: F811
    partnership,
    business_unit_user,
    draft,
):
    slug = partnership.slug
    published = issue(partnership, business_unit_user, number=2, title="Published")
    services.item_add(issue=published, actor=business_unit_user, heading="H", text="Text")
    DigestIssue.objects.filter(pk=published.pk).update(introduction="Hello.")
    published.refresh_from_db()
    services.issue_publish(issue=published, actor=business_unit_user)
    reader = subscriber(partnership, "reader@example.org", confirmed=False)
    item = draft.items.first()

    def staff(name, *args):
        return reverse(f"digests:{name}", args=[slug, *args])

    def public(name, *args):
        return reverse(f"digests_public:{name}", args=[slug, *args])

    failures = _check(
        page,
        axe_source,
        {
            "public list": (public("list"), None),
            "public issue": (public("issue", 2), None),
            "subscribe": (public("subscribe"), None),
            "subscribe with an error": (public("subscribe"), _press("Subscribe")),
            "check your email": (public("subscribe_sent"), None),
            "confirm": (public("confirm", reader.token), None),
            "confirmed": (public("confirm", reader.token), _press("Confirm my subscription")),
            "unsubscribe": (public("unsubscribe", reader.token), None),
            "unsubscribed": (public("unsubscribe", reader.token), _press("Unsubscribe")),
            "reviews page": (reverse("public_site:reviews", args=[slug]), None),
        },
    )
    sign_in(page, business_unit_user.email)
    failures += _check(
        page,
        axe_source,
        {
            "staff list": (staff("list"), None),
            "start": (staff("issue_start"), None),
            "start with errors": (staff("issue_start"), _press("Start the issue")),
            "editor": (staff("issue", draft.pk), None),
            "published issue": (staff("issue", published.pk), None),
            "details": (staff("issue_edit", draft.pk), None),
            "choose": (staff("issue_choose", draft.pk), None),
            "choose with an error": (staff("issue_choose", draft.pk), _press("Add the ticked")),
            "free item": (staff("item_add", draft.pk), None),
            "change item": (staff("item_edit", draft.pk, item.pk), None),
            "preview": (staff("issue_preview", draft.pk), None),
            "publish with an error": (staff("issue_publish", draft.pk), _press("Publish issue")),
        },
    )
    assert not failures, "axe found problems:\n" + "\n".join(failures)


def test_an_issue_goes_from_proposals_to_the_public_page_without_javascript(
    page_without_js,  # noqa: F811
    partnership,
    business_unit_user,
    draft,
):
    tab = page_without_js
    sign_in(tab, business_unit_user.email)
    tab.goto(reverse("digests:issue", args=[partnership.slug, draft.pk]))
    tab.get_by_role("link", name="Choose proposed items").click()
    tab.get_by_label("Review published: Child Birch", exact=False).check()
    tab.get_by_role("button", name="Add the ticked items").click()
    tab.get_by_role("button", name="Move up item 3").click()
    tab.get_by_role("link", name="Change the introduction").click()
    tab.get_by_label("Introduction").fill("Welcome to issue 1.")
    tab.get_by_role("button", name="Save").click()
    tab.get_by_role("link", name="Publish the issue").click()
    tab.get_by_role("button", name="Publish issue 1").click()
    assert "has been published" in tab.locator("main").inner_text()

    tab.goto(reverse("digests_public:issue", args=[partnership.slug, 1]))
    headings = tab.locator("main h2.govuk-heading-m").all_inner_texts()
    assert [h.split("\n")[-1] for h in headings] == ["Child Aster", "Child Birch", "Event"]
