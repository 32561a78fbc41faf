"""The partnership tracker and one agency's actions."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import PartnershipFactory
from safeguarding.actions import tracker_selectors
from safeguarding.actions.models import Action, Theme
from safeguarding.core.calendar import add_working_days
from safeguarding.reviews.models import Finding, Review

from .tracker_support import (
    action_for,
    agency_in,
    build_actions,
    contributor_for,
    days,
    finding_for,
    member,
    recommendation_for,
    review_for,
    theme,
    today,
)

pytestmark = pytest.mark.django_db
Status = Action.Status
# Whatever the number of actions (pinned below with 3 and 60): 4 for the signed-in request
# (the session and the user with the two-factor question in one query, issue 16), 7 for the
# page (contributors: 2 more, for the agency they act for).
# Exact (issue 16): with the unread count and the owner agencies' names (one query after the
# grouped count); was at most 12 and 14 (10 and 12 in fact) before the grouped count by status.
# The owner agencies' names are taken from the filter's agencies when it has every one (issue
# 16: 12 and 14 before).
TRACKER_QUERIES = {"business_unit": 11, "agency_contributor": 13}
# The themes page: the signed-in request, the partnership, the roles, the themes, the counts by
# theme and the unread count.
THEMES_QUERIES = 7


def tracker_url(partnership, **query) -> str:
    url = reverse("actions:tracker", args=[partnership.slug])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def action_links(response, partnership) -> set[int]:
    """The actions listed in the tracker's table (each links to its page)."""
    pattern = rf'href="/manage/{partnership.slug}/actions/(\d+)/"'
    return {int(pk) for pk in re.findall(pattern, response.content.decode())}


@pytest.fixture
def police(partnership, agency):
    partnership.agencies.add(agency)  # "Testshire Police", the contributors' agency
    return agency


@pytest.fixture
def health(partnership):
    return agency_in(partnership, "Testshire Health Trust", "testshire-health")


@pytest.fixture
def views_world(partnership, police, health):
    """One action in each state the views tell apart, each under its own recommendation."""
    review = review_for(partnership, title="Child V")
    finding = finding_for(review, 1)
    made = {}
    plan = [
        ("due_soon", Status.ON_TRACK, add_working_days(today(), 5), {}),
        ("due_soon_edge", Status.NOT_STARTED, add_working_days(today(), 20), {}),
        ("later", Status.NOT_STARTED, add_working_days(today(), 21), {}),
        ("overdue", Status.ON_TRACK, days(-3), {}),
        ("at_risk", Status.AT_RISK, days(60), {}),
        ("awaiting", Status.COMPLETION_REQUESTED, days(100), {}),
        ("complete_no_impact", Status.COMPLETE, days(-40), {}),
        (
            "complete_with_impact",
            Status.COMPLETE,
            days(-50),
            {
                "impact_method": "audit",
                "impact_result": "Audit: 9 in 10 shared",
                "impact_judgement": "changed",
            },
        ),
        ("not_implemented", Status.NOT_IMPLEMENTED, days(30), {}),
    ]
    for number, (name, status, target, impact) in enumerate(plan, start=1):
        recommendation = recommendation_for(review, number, [finding], **impact)
        made[name] = action_for(
            recommendation,
            1,
            police if number % 2 else health,
            status=status,
            target_date=target,
            reason="A national programme replaces it" if name == "not_implemented" else "",
        )
    return made


VIEW_EXPECTED = {
    "open": {"due_soon", "due_soon_edge", "later", "overdue", "at_risk", "awaiting"},
    "due_soon": {"due_soon", "due_soon_edge"},
    "overdue": {"overdue"},
    "at_risk": {"at_risk"},
    "awaiting_acceptance": {"awaiting"},
    "no_impact_evidence": {"complete_no_impact"},
    "not_implemented": {"not_implemented"},
    "complete": {"complete_no_impact", "complete_with_impact"},
}


# Who sees what -----------------------------------------------------------------------------------


@pytest.mark.parametrize("view, expected", VIEW_EXPECTED.items())
def test_each_view_lists_its_actions_and_counts_them(
    bu_client, partnership, views_world, view, expected
):
    response = bu_client.get(tracker_url(partnership, view=view))

    assert response.status_code == 200
    assert action_links(response, partnership) == {views_world[name].pk for name in expected}
    label = tracker_selectors.VIEW_LABELS[view]
    assert f"<strong>{label}: {len(expected)}</strong>" in response.content.decode()


def test_the_default_view_is_every_open_action_soonest_target_first(
    bu_client, partnership, views_world
):
    response = bu_client.get(tracker_url(partnership))
    page = response.content.decode()

    shown = [int(pk) for pk in re.findall(rf"/manage/{partnership.slug}/actions/(\d+)/", page)]
    order = ["overdue", "due_soon", "due_soon_edge", "later", "at_risk", "awaiting"]
    assert shown == [views_world[name].pk for name in order]
    assert "All open: 6 actions" in page
    assert "All actions: 9" in page


def test_an_open_action_past_its_target_date_shows_as_overdue(bu_client, partnership, views_world):
    response = bu_client.get(tracker_url(partnership, view="overdue"))
    page = response.content.decode()

    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in page
    assert views_world["overdue"].target_date.strftime("%B %Y") in page


def test_partner_leads_see_every_action_with_links_to_the_figures(client, partnership, views_world):
    client.force_login(member(partnership, Role.PARTNER_LEAD))

    response = client.get(tracker_url(partnership, view="all"))

    assert len(action_links(response, partnership)) == 9
    page = response.content.decode()
    assert reverse("reports:annual", args=[partnership.slug]) in page
    assert reverse("actions:themes", args=[partnership.slug]) in page


def test_an_agency_contributor_sees_only_their_own_agencys_actions(
    client, partnership, police, health, views_world
):
    client.force_login(contributor_for(partnership, police))

    response = client.get(tracker_url(partnership, view="all"))

    police_actions = {a.pk for a in views_world.values() if a.agency_id == police.pk}
    assert action_links(response, partnership) == police_actions
    page = response.content.decode()
    assert "All actions: 5" in page
    assert "Testshire Health Trust" not in page  # not in the table, the filter or the breakdown
    assert reverse("actions:agency", args=[partnership.slug, police.slug]) in page
    assert reverse("reports:annual", args=[partnership.slug]) not in page


def test_a_contributor_cannot_widen_their_view_with_the_agency_filter(
    client, partnership, police, health, views_world
):
    client.force_login(contributor_for(partnership, police))

    response = client.get(tracker_url(partnership, view="all", agency=health.pk))

    assert action_links(response, partnership) == {
        a.pk for a in views_world.values() if a.agency_id == police.pk
    }


def test_the_tracker_offers_the_spreadsheet_with_the_same_filters(
    bu_client, partnership, views_world, police
):
    response = bu_client.get(tracker_url(partnership, view="overdue", agency=police.pk))

    xlsx = reverse("actions:tracker_xlsx", args=[partnership.slug])
    assert f'href="{xlsx}?view=overdue&amp;agency={police.pk}"' in response.content.decode()


# Filters ---------------------------------------------------------------------------------------


@pytest.fixture
def filter_world(partnership, police, health):
    sharing, risk = theme("Information sharing"), theme("Risk assessment")
    lcspr = review_for(partnership, title="Child F", started_on=datetime.date(2023, 5, 1))
    sar = review_for(
        partnership, title="Adult F", kind=Review.Kind.SAR, started_on=datetime.date(2023, 5, 1)
    )
    tagged_sharing = finding_for(lcspr, 1, "Nobody shared", themes=[sharing])
    tagged_risk = finding_for(lcspr, 2, "Risk not assessed", themes=[risk])
    untagged = finding_for(sar, 1, "Carers not heard")
    made = {
        "sharing_2024": action_for(
            recommendation_for(lcspr, 1, [tagged_sharing], agreed_on=datetime.date(2024, 3, 1)),
            1,
            police,
            target_date=days(30),
        ),
        "risk_2025": action_for(
            recommendation_for(lcspr, 2, [tagged_risk], agreed_on=datetime.date(2025, 2, 1)),
            1,
            health,
            target_date=days(31),
        ),
        "both_2025": action_for(
            recommendation_for(
                lcspr, 3, [tagged_sharing, tagged_risk], agreed_on=datetime.date(2025, 6, 1)
            ),
            1,
            health,
            target_date=days(32),
        ),
        "sar_2024": action_for(
            recommendation_for(sar, 1, [untagged], agreed_on=datetime.date(2024, 9, 1)),
            1,
            police,
            target_date=days(33),
        ),
    }
    return made, {"sharing": sharing, "risk": risk}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"theme": "sharing"}, {"sharing_2024", "both_2025"}),
        ({"theme": "risk"}, {"risk_2025", "both_2025"}),
        ({"agency": "police"}, {"sharing_2024", "sar_2024"}),
        ({"agency": "health"}, {"risk_2025", "both_2025"}),
        ({"review_type": "sar"}, {"sar_2024"}),
        ({"review_type": "lcspr"}, {"sharing_2024", "risk_2025", "both_2025"}),
        ({"year": "2024"}, {"sharing_2024", "sar_2024"}),
        ({"year": "2025", "agency": "health", "theme": "sharing"}, {"both_2025"}),
    ],
)
def test_filters_narrow_the_list_and_the_counts(
    bu_client, partnership, police, health, filter_world, query, expected
):
    made, themes = filter_world
    values = {"police": police.pk, "health": health.pk, **{k: t.pk for k, t in themes.items()}}
    query = {key: values.get(value, value) for key, value in query.items()}

    response = bu_client.get(tracker_url(partnership, **query))

    assert action_links(response, partnership) == {made[name].pk for name in expected}
    assert f"<strong>All open: {len(expected)}</strong>" in response.content.decode()


def test_the_theme_filter_offers_the_themes_in_use_grouped(bu_client, partnership, filter_world):
    page = bu_client.get(tracker_url(partnership)).content.decode()

    assert '<optgroup label="Practice themes">' in page
    assert ">Information sharing</option>" in page
    assert ">Neglect</option>" not in page  # a theme no finding of ours has
    assert '<option value="2025">2025</option>' in page


def test_a_filter_outside_the_list_is_refused_with_the_error_summary(
    bu_client, partnership, views_world
):
    response = bu_client.get(tracker_url(partnership, agency=999999, review_type="inquest"))
    page = response.content.decode()

    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Select an agency from the list" in page
    assert "Select a review type from the list" in page
    assert len(action_links(response, partnership)) == 6  # every open action, unfiltered


def _counted_one_by_one(actions, today_):
    """The tracker's figures counted the plain way: a COUNT per view and agency."""
    conditions = tracker_selectors.view_conditions(today_)
    agencies = sorted({action.agency for action in actions}, key=lambda a: (a.name, a.pk))
    rows = [
        {
            "agency__slug": agency.slug,
            "agency__name": agency.name,
            **{
                key: actions.filter(condition, agency=agency).count()
                for key, condition in conditions.items()
            },
        }
        for agency in agencies
    ]
    return {key: actions.filter(condition).count() for key, condition in conditions.items()}, rows


@pytest.mark.parametrize(
    "narrow", [{}, {"agency": "police"}, {"review_type": "lcspr"}, {"review_type": "sar"}]
)
def test_the_counts_by_agency_equal_a_count_per_view_and_agency(
    partnership, police, health, views_world, business_unit_user, narrow
):
    """The grouped count (by agency and status, summed into views in Python), and the kept
    counts with the count of actions due from today on (``tracker_counts``), give the figures a
    COUNT of each view's condition gives, for every view and agency (issue 16), for the business
    unit and for a contributor (their own agency's only)."""
    build_actions(partnership, [police, health], 12)
    contributor = contributor_for(partnership, police)
    filters = tracker_selectors.TrackerFilters(
        agency={"police": police}.get(narrow.get("agency", "")),
        review_type=narrow.get("review_type", ""),
    )
    actions = tracker_selectors.filtered_actions(
        Action.objects.filter(partnership=partnership), filters
    )
    mine = actions.filter(agency=police)
    for when in (today(), days(-45), days(90)):
        expected = _counted_one_by_one(actions, when)
        assert tracker_selectors.tracker_counts_by_agency(actions, when) == expected
        assert (
            tracker_selectors.tracker_counts(
                user=business_unit_user, partnership=partnership, filters=filters, today=when
            )
            == expected
        )
        # The agencies the page has read (all of them, or not every one counted): the same.
        for known in ([health, police], [police], []):
            assert (
                tracker_selectors.tracker_counts(
                    user=business_unit_user,
                    partnership=partnership,
                    filters=filters,
                    today=when,
                    known=sorted(known, key=lambda agency: agency.name),
                )
                == expected
            )
        assert tracker_selectors.tracker_counts(
            user=contributor, partnership=partnership, filters=filters, today=when
        ) == _counted_one_by_one(mine, when)


@pytest.mark.parametrize(
    "narrow",
    [{}, {"agency": "police"}, {"review_type": "lcspr"}, {"review_type": "sar"}],
)
def test_the_counts_under_a_theme_equal_a_count_per_view_and_agency(
    partnership, police, health, views_world, business_unit_user, narrow
):
    """Under a theme the kept counts per theme (``ActionThemeCount``) with the count of the
    actions due from today on give the figures a COUNT of each view's condition gives over the
    actions whose recommendation answers a finding with the theme (found through the links,
    not the kept list), for the business unit and a contributor (issue 16)."""
    build_actions(partnership, [police, health], 12)
    sharing, risk = theme("Information sharing"), theme("Risk assessment")
    findings = list(Finding.objects.filter(review__partnership=partnership).order_by("pk"))
    for n, finding in enumerate(findings):
        finding.themes.add(*([sharing, risk] if n % 3 == 0 else [sharing] if n % 3 == 1 else []))
    contributor = contributor_for(partnership, police)
    filters = tracker_selectors.TrackerFilters(
        theme=sharing,
        agency={"police": police}.get(narrow.get("agency", "")),
        review_type=narrow.get("review_type", ""),
    )
    actions = Action.objects.filter(
        partnership=partnership,
        pk__in=Action.objects.filter(recommendation__findings__themes=sharing).values("pk"),
    )
    if filters.agency:
        actions = actions.filter(agency=filters.agency)
    if filters.review_type:
        actions = actions.filter(recommendation__review__kind=filters.review_type)
    assert actions.exists() or narrow.get("review_type") == "sar"
    mine = actions.filter(agency=police)
    for when in (today(), days(-45), days(90)):
        expected = _counted_one_by_one(actions, when)
        assert (
            tracker_selectors.tracker_counts(
                user=business_unit_user, partnership=partnership, filters=filters, today=when
            )
            == expected
        )
        assert tracker_selectors.tracker_counts(
            user=contributor, partnership=partnership, filters=filters, today=when
        ) == _counted_one_by_one(mine, when)


def test_the_years_run_from_the_first_recommendation_agreed_to_the_last(partnership):
    """From the agreed-date index's first and last of the partnership's (issue 16), not
    another partnership's."""
    assert tracker_selectors.filter_years(partnership=partnership) == []
    review = review_for(partnership)
    finding = finding_for(review, 1)
    for number, year in enumerate((2019, 2023, 2021), start=1):
        recommendation_for(review, number, [finding], agreed_on=datetime.date(year, 5, 1))
    other = PartnershipFactory(name="Elsewhere Safeguarding Partnership", slug="elsewhere")
    elsewhere = review_for(other)
    for number, year in enumerate((2010, 2030), start=1):
        agreed_on = datetime.date(year, 1, 1)
        recommendation_for(elsewhere, number, [finding_for(elsewhere, number)], agreed_on=agreed_on)

    assert tracker_selectors.filter_years(partnership=partnership) == [2023, 2022, 2021, 2020, 2019]


# Size ------------------------------------------------------------------------------------------


def test_the_tracker_is_paged_50_at_a_time(bu_client, partnership, police, health):
    build_actions(partnership, [police, health], 60, per_review=20)

    first = bu_client.get(tracker_url(partnership, view="all"))
    second = bu_client.get(tracker_url(partnership, view="all", page=2))

    assert len(action_links(first, partnership)) == 50
    assert len(action_links(second, partnership)) == 10
    assert "Page 2 of 2" in second.content.decode()
    assert 'href="?view=all&amp;page=1"' in second.content.decode()


@pytest.mark.parametrize("view", ["open", "due_soon", "overdue", "complete", "all"])
def test_a_page_read_status_by_status_is_the_same_rows_in_the_same_order(
    partnership, police, health, view
):
    """``TrackerPageRows`` reads a view of several statuses from each status's first rows
    (issue 16): page by page, the same rows as one sorted query, with ties on the target date
    (the SPREAD repeats its dates) broken by the primary key as before."""
    build_actions(partnership, [police, health], 130)
    actions = Action.objects.filter(partnership=partnership)
    when = today()
    whole = list(
        tracker_selectors.tracker_rows(actions, view=view, today=when).values_list("pk", flat=True)
    )
    assert len(whole) > 10
    for narrowed in (False, True):
        rows = tracker_selectors.TrackerPageRows(actions, view=view, today=when, narrowed=narrowed)
        for start in range(0, len(whole) + 10, 10):
            page = [action.pk for action in rows[start : start + 10]]
            assert page == whole[start : start + 10]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["business_unit", "agency_contributor"])
def test_the_tracker_costs_the_same_queries_for_3_or_60_actions(
    client, partnership, police, health, business_unit_user, who, django_assert_num_queries
):
    user = business_unit_user if who == "business_unit" else contributor_for(partnership, police)
    client.force_login(user)
    sharing = theme("Information sharing")
    agreed = (today() - datetime.timedelta(days=400)).year  # build_actions' reviews started then
    urls = [
        tracker_url(partnership),
        tracker_url(partnership, view="all", theme=sharing.pk, year=agreed, review_type="lcspr"),
        reverse("actions:agency", args=[partnership.slug, police.slug]) + "?status=not_started",
        # Under a theme without a year: the counts kept per theme (issue 16).
        tracker_url(partnership, view="all", theme=sharing.pk, review_type="lcspr"),
    ]
    build_actions(partnership, [police, health], 3)
    for finding in Finding.objects.all():
        finding.themes.add(sharing)
    small = [_queries(client, url) for url in urls]

    build_actions(partnership, [police, health], 57)
    for finding in Finding.objects.all():
        finding.themes.add(sharing)
    with django_assert_num_queries(TRACKER_QUERIES[who]):
        client.get(urls[3])
    with django_assert_num_queries(TRACKER_QUERIES[who]):
        response = client.get(urls[1])
    mine = Action.objects.filter(agency=police) if who != "business_unit" else Action.objects
    assert len(action_links(response, partnership)) == min(50, mine.count())
    assert [_queries(client, url) for url in urls] == small


# One agency ------------------------------------------------------------------------------------


def test_the_agency_page_counts_its_actions_by_status(bu_client, partnership, police, views_world):
    response = bu_client.get(reverse("actions:agency", args=[partnership.slug, police.slug]))
    page = response.content.decode()

    police_actions = {a.pk for a in views_world.values() if a.agency_id == police.pk}
    assert response.status_code == 200
    assert action_links(response, partnership) == police_actions
    assert '<h1 class="govuk-heading-l">Actions of Testshire Police</h1>' in page
    assert "All actions: 5 actions" in page
    assert re.search(r"Not being implemented</dt>\s*<dd[^>]*>1<", page)


def test_the_agency_page_filters_by_status(bu_client, partnership, health, views_world):
    url = reverse("actions:agency", args=[partnership.slug, health.slug])

    response = bu_client.get(url + "?status=overdue")

    assert action_links(response, partnership) == {views_world["overdue"].pk}


def test_contributors_see_their_own_agency_page_only(
    client, partnership, police, health, views_world
):
    client.force_login(contributor_for(partnership, police))

    own = client.get(reverse("actions:agency", args=[partnership.slug, police.slug]))
    other = client.get(reverse("actions:agency", args=[partnership.slug, health.slug]))

    assert own.status_code == 200
    assert other.status_code == 404  # as for an agency that does not exist (ADR 0010)


def test_an_agency_outside_the_partnership_is_not_found(bu_client, partnership):
    response = bu_client.get(reverse("actions:agency", args=[partnership.slug, "no-such-agency"]))

    assert response.status_code == 404


# The themes page ---------------------------------------------------------------------------------


def test_the_themes_page_counts_this_partnerships_findings_per_theme(
    bu_client, partnership, other_partnership, django_assert_num_queries
):
    """Each theme shows how many of this partnership's findings carry it (read in one grouped
    query from the partnership's findings, issue 16), not another partnership's."""
    sharing, neglect = theme("Information sharing"), theme("Neglect", Theme.Facet.HARM)
    here = review_for(partnership, title="Child H")
    finding_for(here, 1, themes=[sharing, neglect])
    finding_for(here, 2, themes=[sharing])
    finding_for(review_for(other_partnership, title="Child O"), 1, themes=[sharing, neglect])
    url = reverse("actions:themes", args=[partnership.slug])

    with django_assert_num_queries(THEMES_QUERIES):
        page = bu_client.get(url).content.decode()

    def count(name: str) -> str:
        match = re.search(
            rf'<td class="govuk-table__cell">{name}</td>\s*'
            rf'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)<',
            page,
        )
        assert match, name
        return match.group(1)

    assert count("Information sharing") == "2"
    assert count("Neglect") == "1"
    assert count("Domestic abuse") == "0"


@pytest.mark.parametrize(
    "narrow",
    [{}, {"agency": True}, {"theme": True}, {"review_type": "sar"}, {"theme": True, "kind": 1}],
)
def test_the_reads_built_once_give_the_orms_pages_and_counts(
    partnership, police, health, business_unit_user, narrow
):
    """Issue 16: the tracker's counts and pages read with the SQL built once (the business
    unit, every view, with and without each filter but the year) are the ORM's, page by page,
    on three days."""
    build_actions(partnership, [police, health], 130)
    reviews = list(Review.objects.filter(partnership=partnership).order_by("pk"))
    Review.objects.filter(pk__in=[r.pk for r in reviews[::2]]).update(kind=Review.Kind.SAR)
    sharing = theme("Information sharing")
    for n, finding in enumerate(Finding.objects.filter(review__partnership=partnership)):
        if n % 3:
            finding.themes.add(sharing)
    filters = tracker_selectors.TrackerFilters(
        theme=sharing if narrow.get("theme") else None,
        agency=police if narrow.get("agency") else None,
        review_type="sar" if narrow.get("kind") else narrow.get("review_type", ""),
    )
    values = tracker_selectors.compiled_values(
        user=business_unit_user, partnership=partnership, filters=filters
    )
    assert values is not None
    actions = tracker_selectors.filtered_actions(
        Action.objects.filter(partnership=partnership), filters
    )
    for when in (today(), days(-45), days(90)):
        for view, _label in tracker_selectors.VIEWS:
            whole = [
                action.pk
                for action in tracker_selectors.tracker_rows(actions, view=view, today=when)
            ]
            compiled = tracker_selectors.TrackerPageRows(
                actions, view=view, today=when, narrowed=filters.narrowed, compiled=values
            )
            for start in range(0, len(whole) + 1, 50):
                stop = min(start + 50, len(whole)) or 50
                rows = compiled[start:stop]
                assert [action.pk for action in rows] == whole[start:stop], (view, start)
                for action in rows:
                    assert action.review_reference and action.agency_name
        wanted = tracker_selectors.tracker_counts_by_agency(actions, when)
        assert (
            tracker_selectors.tracker_counts(
                user=business_unit_user, partnership=partnership, filters=filters, today=when
            )
            == wanted
        )


def test_the_agency_pages_reads_built_once_give_the_orms(partnership, police, health):
    """Issue 16: an agency's page read with the SQL built once (its agency, its counts by
    status, a page of its rows for each status) gives what the ORM gives, on three days."""
    from safeguarding.actions import agency_selectors

    build_actions(partnership, [police, health], 130)
    compiled = {"partnership_id": partnership.pk, "agency_id": police.pk}
    actions = Action.objects.filter(partnership=partnership, agency=police)
    assert agency_selectors._AGENCY.read(partnership_id=partnership.pk, slug=police.slug) == [
        police
    ]
    assert agency_selectors._AGENCY.read(partnership_id=partnership.pk, slug="no-such") == []
    for when in (today(), days(-45), days(90)):
        counts = agency_selectors.agency_status_counts(actions, when)
        assert agency_selectors.agency_status_counts(actions, when, compiled=compiled) == counts
        for status in ("", "overdue", *Action.Status.values):
            whole = [a.pk for a in agency_selectors.agency_rows(actions, status=status, today=when)]
            rows = agency_selectors.AgencyPageRows(
                actions, status=status, today=when, compiled=compiled
            )
            for start in range(0, len(whole) + 1, 50):
                stop = min(start + 50, len(whole)) or 50
                page = rows[start:stop]
                assert [a.pk for a in page] == whole[start:stop], (status, start)
                assert all(a.recommendation.review.reference for a in page)
