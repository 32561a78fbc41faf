"""The demo in real Chromium, as a business unit manager on a phone and on paper.

- At 390 px wide (a phone), the main staff list pages do not scroll sideways: their tables stack
  each row as a card with the column headings (app-table--stack in css/app.css).
- Printed (print media), case, review, chronology and action pages leave out the navigation,
  breadcrumbs and buttons.
- axe finds nothing on the new pages: the list of cases and reviews (with a search and with an
  error) and marking several findings as false matches.
"""

import pytest
from django.urls import reverse

from safeguarding.workspace.demo_content import DEMO_PASSWORD

# The browser fixtures and helpers are shared with the other browser tests.
from .test_browser import (  # noqa: F401
    axe_source,
    axe_violations,
    browser,
    describe,
    sign_in,
)

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "riverton-safeguarding"
BUSINESS_UNIT = "business.unit@riverton.example"


@pytest.fixture
def demo(transactional_db):
    from safeguarding.workspace.management.commands.load_demo import load_demo

    load_demo()


def _tab(browser, live_server, **options):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _records():
    from safeguarding.actions.models import Action
    from safeguarding.referrals.models import Case
    from safeguarding.reviews.models import Review

    review = Review.objects.filter(partnership__slug=SLUG, chronology__isnull=False).first()
    review = review or Review.objects.filter(partnership__slug=SLUG).first()
    return {
        "case": reverse(
            "referrals:case", args=[SLUG, Case.objects.filter(partnership__slug=SLUG).first().pk]
        ),
        "review": reverse("reviews:detail", args=[SLUG, review.pk]),
        "chronology": reverse("reviews:chronology", args=[SLUG, review.pk]),
        "action": reverse(
            "actions:action",
            args=[
                SLUG,
                Action.objects.filter(recommendation__review__partnership__slug=SLUG).first().pk,
            ],
        ),
    }


LIST_PAGES = [
    ("staff home", "workspace:partnership_home"),
    ("cases and reviews", "workspace:case_list"),
    ("referrals", "referrals:triage"),
    ("reviews", "reviews:list"),
    ("action tracker", "actions:tracker"),
    ("publications", "publication:list"),
    ("people", "people:list"),
    ("audit trail", "audit:trail"),
]


def test_staff_list_pages_do_not_scroll_sideways_at_390_px(browser, live_server, demo):  # noqa: F811
    context, tab = _tab(browser, live_server, viewport={"width": 390, "height": 844})
    try:
        sign_in(tab, BUSINESS_UNIT, DEMO_PASSWORD)
        wide = []
        for name, url_name in LIST_PAGES:
            tab.goto(reverse(url_name, args=[SLUG]))
            tab.wait_for_load_state("load")
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide.append(f"{name}: {width} px")
        assert not wide, "pages wider than 390 px:\n" + "\n".join(wide)
        # The stacked rows still say which column each value is.
        tab.goto(reverse("referrals:triage", args=[SLUG]))
        label = tab.evaluate(
            "getComputedStyle(document.querySelector('td[data-label]'), '::before').content"
        )
        assert label.strip('"') == "Reference"
    finally:
        context.close()


def test_printed_record_pages_leave_out_navigation_and_buttons(browser, live_server, demo):  # noqa: F811
    context, tab = _tab(browser, live_server)
    try:
        sign_in(tab, BUSINESS_UNIT, DEMO_PASSWORD)
        tab.emulate_media(media="print")
        for name, url in _records().items():
            tab.goto(url)
            tab.wait_for_load_state("load")
            for selector in (".govuk-service-navigation", ".govuk-breadcrumbs", ".govuk-footer"):
                if tab.locator(selector).count():
                    assert not tab.locator(selector).first.is_visible(), f"{selector} on {name}"
            buttons = tab.locator("main .govuk-button")
            assert all(not buttons.nth(i).is_visible() for i in range(buttons.count())), name
            assert tab.locator("main h1").first.is_visible(), name
        tab.emulate_media(media="screen")
        assert tab.locator(".govuk-service-navigation").first.is_visible()
    finally:
        context.close()


def test_new_pages_have_no_axe_violations(browser, live_server, demo, axe_source):  # noqa: F811
    from safeguarding.publication.models import Publication

    context, tab = _tab(browser, live_server)
    try:
        sign_in(tab, BUSINESS_UNIT, DEMO_PASSWORD)
        cases = reverse("workspace:case_list", args=[SLUG])
        publication = Publication.objects.filter(partnership__slug=SLUG).first()
        pages = {
            "cases and reviews": cases,
            "a search": cases + "?text=Child&review_type=cspr",
            "a search with an error": cases + "?aware_from_0=31&aware_from_1=2&aware_from_2=2026",
            "false matches": reverse(
                "publication:findings_false_match", args=[SLUG, publication.pk]
            ),
        }
        failures = []
        for name, url in pages.items():
            tab.goto(url)
            tab.wait_for_load_state("load")
            violations = axe_violations(tab, axe_source)
            if violations:
                failures.append(f"{name} ({tab.url}):\n{describe(violations)}")
        assert not failures, "axe found problems:\n" + "\n".join(failures)
    finally:
        context.close()


def test_the_case_search_works_without_javascript(browser, live_server, demo):  # noqa: F811
    context, tab = _tab(browser, live_server, java_script_enabled=False)
    try:
        sign_in(tab, BUSINESS_UNIT, DEMO_PASSWORD)
        tab.goto(reverse("workspace:partnership_home", args=[SLUG]))
        tab.get_by_role("link", name="Search all cases and reviews").click()
        tab.get_by_label("Review type").select_option("sar")
        tab.get_by_role("button", name="Search").click()
        tab.wait_for_load_state("load")
        body = tab.locator("main").inner_text()
        assert "match" in body and "Adult" in body
        assert "Child" not in tab.locator("main table").inner_text()
    finally:
        context.close()
