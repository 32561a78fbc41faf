"""The figures for the annual report (R24): what counts in a financial year, the page and its
spreadsheet (read back with openpyxl)."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from safeguarding.accounts.models import Role
from safeguarding.actions.models import ActionUpdate
from safeguarding.actions.tests.tracker_support import build_annual_world, member, today
from safeguarding.reports import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(partnership, agency):
    partnership.agencies.add(agency)
    return agency


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.content))


# The annual report figures (R24) ---------------------------------------------------------------

YEAR = selectors.FinancialYear(2024)  # 1 April 2024 to 31 March 2025


@pytest.fixture
def annual_world(partnership, police, business_unit_user):
    return build_annual_world(partnership, police, business_unit_user)


def test_the_annual_figures_count_what_happened_between_1_april_and_31_march(
    partnership, annual_world
):
    made, _reviews = annual_world

    figures = selectors.annual_figures(
        partnership=partnership, year=YEAR, today=datetime.date(2026, 11, 26)
    )

    assert [r.title for r in figures.reviews_signed_off] == ["Child A", "Adult B"]
    assert figures.findings_concluded == 3  # 2 + 1 (learning points apart)
    assert figures.learning_points_concluded == 1
    assert {r.title for r in figures.reviews_ongoing} == {"Child C", "Person E"}
    assert figures.actions_completed == 1
    assert figures.actions_outstanding == 4  # completed 1 April, the two open, decided later
    assert figures.actions_outstanding_overdue == 2  # target 1 February and 31 March
    assert [a.pk for a in figures.not_implemented] == [made["not_implemented_in_year"].pk]
    assert figures.not_implemented[0].decided_on == datetime.date(2025, 3, 15)
    assert [r.number for r in figures.impact_recorded] == [1]
    assert dict(figures.judgements) == {
        "Changed practice": 1,
        "Partly changed practice": 0,
        "No evidence yet": 0,
    }
    assert figures.recommendations_agreed == 6
    assert figures.complete


def test_the_annual_page_shows_the_chosen_year(bu_client, partnership, annual_world):
    url = reverse("reports:annual", args=[partnership.slug])

    response = bu_client.get(url + "?year=2024")
    page = response.content.decode()

    assert response.status_code == 200
    assert "April 2024 to March 2025" in page
    assert "The service was decommissioned" in page
    assert "Funding ended" not in page
    assert "Reviews still ongoing at 31 March 2025" in page
    assert re.search(r"Actions outstanding at 31 March 2025</dt>\s*<dd[^>]*>4<", page)
    assert "Child A" in page and "Adult B" in page
    assert f'href="{url}.xlsx' not in page  # the spreadsheet has its own URL
    assert reverse("reports:annual_xlsx", args=[partnership.slug]) + "?year=2024" in page


def test_the_annual_page_defaults_to_the_last_complete_year(bu_client, partnership, annual_world):
    response = bu_client.get(reverse("reports:annual", args=[partnership.slug]))

    default = selectors.default_annual_year(today())
    assert default.end < today()
    assert f'<option value="{default.start_year}" selected>' in response.content.decode()
    assert default.label in response.content.decode()


def test_the_annual_page_refuses_a_year_without_data(bu_client, partnership, annual_world):
    response = bu_client.get(reverse("reports:annual", args=[partnership.slug]) + "?year=1990")

    assert "Select a financial year from the list" in response.content.decode()


def test_every_year_from_the_first_with_data_is_offered(partnership, annual_world):
    years = selectors.annual_years(partnership=partnership, today=datetime.date(2026, 11, 26))

    assert [y.start_year for y in years] == [2026, 2025, 2024, 2023, 2022]


def test_a_decision_update_dates_the_decision_not_to_implement(partnership, annual_world):
    made, _ = annual_world

    decided = ActionUpdate.objects.get(
        action=made["not_implemented_in_year"], kind=ActionUpdate.Kind.NOT_IMPLEMENTED
    )

    assert decided.created_at.date() == datetime.date(2025, 3, 15)


# The annual figures spreadsheet ------------------------------------------------------------------


def test_the_annual_figures_spreadsheet_has_the_figures_and_the_reasons(
    client, partnership, police, business_unit_user
):
    made, _ = build_annual_world(partnership, police, business_unit_user)
    client.force_login(member(partnership, Role.PARTNER_LEAD))
    url = reverse("reports:annual_xlsx", args=[partnership.slug]) + "?year=2024"

    workbook = _workbook(client.get(url))

    figures = workbook["Figures"]
    assert figures["A1"].value == "Implementation figures, April 2024 to March 2025"
    assert figures["A2"].value == "Testshire Safeguarding Partnership"
    assert figures.freeze_panes == "A5"
    assert [cell.value for cell in figures[4]] == ["Figure", "Number"]
    lines = {row[0].value: row[1].value for row in figures.iter_rows(5)}
    assert lines == {
        "Reviews signed off in the year": 2,
        "Findings concluded (findings of the reviews signed off)": 3,
        "Learning points of the reviews signed off": 1,
        "Reviews still ongoing at 31 March 2025": 2,
        "Recommendations agreed in the year": 6,
        "Actions agreed in the year": 6,
        "Actions completed in the year": 1,
        "Actions outstanding at 31 March 2025": 4,
        "Of those, overdue at 31 March 2025": 2,
        "Decisions in the year not to implement an action": 1,
        "Recommendations with impact recorded in the year": 1,
        "Impact judged: Changed practice": 1,
        "Impact judged: Partly changed practice": 0,
        "Impact judged: No evidence yet": 0,
    }
    reasons = workbook["Not implemented"]
    assert [cell.value for cell in reasons[1]] == [
        "Review",
        "Review title",
        "Action",
        "Action text",
        "Owner agency",
        "Decided on",
        "Reason",
    ]
    rows = [[cell.value for cell in row] for row in reasons.iter_rows(2)]
    assert len(rows) == 1
    action = made["not_implemented_in_year"]
    review = action.recommendation.review
    assert rows[0][:5] == [review.reference, "Child A", "3.1", action.text, "Testshire Police"]
    assert rows[0][5].date() == datetime.date(2025, 3, 15)
    assert rows[0][6] == "The service was decommissioned"
    signed = workbook["Reviews signed off"]
    assert [row[1].value for row in signed.iter_rows(2)] == ["Child A", "Adult B"]


def test_the_cheaper_action_queries_count_as_the_old_ones_did(partnership, annual_world):
    """Issue 16: the board pack reads a period's actions through its recommendations, and the
    decision's date is looked up only for actions decided against. Every year, the same actions
    and the same counts as the old querysets (the action's own partnership; the decision's
    date for every action)."""
    from django.db.models import Count, Q, Subquery
    from django.db.models.functions import Coalesce

    from safeguarding.actions.models import Action
    from safeguarding.reports import figures as pack
    from safeguarding.reports.period import Period

    for start_year in range(2021, 2027):
        year = selectors.FinancialYear(start_year)
        period = Period.of_year(year)
        old_actions = Action.objects.filter(
            partnership=partnership, recommendation__agreed_on__range=(year.start, year.end)
        )
        new_actions = pack._sources(partnership, period)["actions"]
        assert sorted(new_actions.values_list("pk", flat=True)) == sorted(
            old_actions.values_list("pk", flat=True)
        )
        _actions, sets = selectors.annual_action_sets(partnership=partnership, year=year)
        old = Action.objects.filter(partnership=partnership).annotate(
            decided_at=Coalesce(Subquery(selectors._decided_not_to_implement()), "modified_at")
        )
        expected = old.aggregate(**{name: Count("pk", filter=q) for name, q in sets.items()})
        counts = selectors._action_counts(partnership=partnership, year=year)
        decided = counts.pop("not_implemented")
        counts.pop("screening")  # the board pack's, kept with them (test_action_years.py)
        for key in selectors.ANNUAL_KEYS:  # the annual page's counts (reports/0005): the same
            counts.pop(key)
        for key in selectors.PACK_KEYS:  # the board pack's (reports/0006, test_action_years.py)
            counts.pop(key)
        # The board pack's actions by status (kept with them, reports/0004): as the pack's
        # own query over the period's actions counted them.
        by_status = {value: counts.pop(key) for value, key in selectors.BY_STATUS.items()}
        old_by_status = dict(new_actions.order_by().values_list("status").annotate(n=Count("pk")))
        assert by_status == {value: old_by_status.get(value, 0) for value in by_status}
        assert counts == expected, start_year
        assert decided == selectors._decided_not_to_implement_in(_actions, year).count()
        assert list(
            selectors._decided_not_to_implement_in(_actions, year).values_list("pk", "decided_at")
        ) == list(
            old.filter(
                Q(status=Action.Status.NOT_IMPLEMENTED),
                decided_at__gte=year.starts_at,
                decided_at__lt=year.ends_before,
            ).values_list("pk", "decided_at")
        )


#: The annual page's queries once the year's action figures are kept (ADR 0031), with the
#: counts of reviews, recommendations agreed and impact recorded (reports/0005).
KEPT = 12


def test_the_annual_page_makes_the_same_queries_whatever_the_data(
    bu_client, partnership, police, business_unit_user, annual_world
):
    """Issue 16: the page's queries are fixed; more reviews, recommendations, actions and
    decisions not to implement in and around the year add rows to its lists, not queries.
    21 on the first request (the year's figures counted and kept, ADR 0031), 12 after: the
    kept year, the first rows of each list (ADR 0029), the years offered, the session, user and
    partnership."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguarding.actions.models import Action
    from safeguarding.actions.tests.tracker_support import (
        action_for,
        at,
        finding_for,
        not_implemented,
        recommendation_for,
        review_for,
    )

    url = reverse("reports:annual", args=[partnership.slug]) + "?year=2024"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert bu_client.get(url).status_code == 200
        return len(captured)

    before = queries()
    # The year's action figures (and the board pack's screening outcomes, kept with them since
    # reports/0004: one query more; the reviews', recommendations' and impact's counts since
    # reports/0005: two; the board pack's referrals, decisions and themes since reports/0006:
    # three) counted and kept (ActionYear, ADR 0031).
    assert before == 21
    assert queries() == KEPT == 12
    d = datetime.date
    for number in range(3):
        review = review_for(
            partnership,
            title=f"More {number}",
            started_on=d(2023, 6, 1),
            signed_off_at=at(d(2024, 9, 2)),
        )
        finding = finding_for(review, 1)
        for rec_number, agreed in ((1, d(2023, 8, 1)), (2, d(2024, 8, 1))):
            recommendation = recommendation_for(review, rec_number, [finding], agreed_on=agreed)
            action = action_for(
                recommendation, 1, police, target_date=d(2025, 1, 6), status=Action.Status.AT_RISK
            )
        not_implemented(
            action, business_unit_user, "Fictional: no longer needed", at(d(2024, 11, 4))
        )
    assert queries() == before  # the actions added marked the year stale: counted again
    assert queries() == KEPT
    page = bu_client.get(url).content.decode()
    assert "More 2" in page and "Fictional: no longer needed" in page


def _more_in_the_year(partnership, police, business_unit_user, count: int) -> None:
    """``count`` more of each list's rows in the year 2024 to 2025: reviews signed off (each
    with two findings and a learning point), reviews ongoing at 31 March, decisions not to
    implement, and impact recorded."""
    from safeguarding.actions.models import Action
    from safeguarding.actions.tests.tracker_support import (
        action_for,
        at,
        finding_for,
        not_implemented,
        recommendation_for,
        review_for,
    )
    from safeguarding.reviews.models import Finding

    d = datetime.date
    for number in range(count):
        signed = review_for(
            partnership,
            title=f"Signed {number:02d}",
            started_on=d(2023, 6, 1),
            signed_off_at=at(d(2024, 9, 2)),
        )
        finding = finding_for(signed, 1)
        finding_for(signed, 2, "Risk not assessed")
        finding_for(signed, 3, "Quick learning", kind=Finding.Kind.LEARNING_POINT)
        review_for(partnership, title=f"Running {number:02d}", started_on=d(2024, 10, 1))
        recommendation = recommendation_for(
            signed,
            1,
            [finding],
            agreed_on=d(2024, 8, 1),
            impact_method="audit",
            impact_result="Fictional: shared in 9 of 10 cases",
            impact_judgement="partly" if number % 2 else "changed",
            impact_recorded_on=d(2025, 1, 6),
        )
        action = action_for(
            recommendation, 1, police, target_date=d(2025, 1, 6), status=Action.Status.AT_RISK
        )
        not_implemented(
            action, business_unit_user, f"Fictional reason {number:02d}", at(d(2024, 11, 4))
        )


def test_the_page_counts_its_lists_as_the_spreadsheet_does(
    partnership, police, business_unit_user, annual_world
):
    """The page reads the first rows of each list and counts the rest in the database; its
    figures are the ones the full lists give (the spreadsheet's and the records')."""
    from safeguarding.reports.exports import figure_lines

    _more_in_the_year(partnership, police, business_unit_user, 12)
    day = datetime.date(2026, 11, 26)
    full = selectors.annual_figures(partnership=partnership, year=YEAR, today=day)
    first = selectors.annual_figures(partnership=partnership, year=YEAR, today=day, shown=10)

    assert figure_lines(first) == figure_lines(full)
    assert full.reviews_signed_off_count == 14 and full.findings_concluded == 3 + 24
    assert full.not_implemented_count == 13 and full.impact_recorded_count == 13
    for name in ("reviews_signed_off", "reviews_ongoing", "not_implemented", "impact_recorded"):
        rows = [row.pk for row in getattr(first, name)]
        assert rows == [row.pk for row in getattr(full, name)][:10], name


def test_the_page_shows_the_first_rows_of_each_list_and_links_to_all(
    bu_client, partnership, police, business_unit_user, annual_world
):
    """Issue 16, ADR 0029: each list shows its first ten rows and says how many there are, with
    a link to every row (the records behind the figure, for the same year)."""
    _more_in_the_year(partnership, police, business_unit_user, 12)
    url = reverse("reports:annual", args=[partnership.slug]) + "?year=2024"

    page = bu_client.get(url).content.decode()

    # The world's own decision (its review's reference first), then nine of the twelve.
    assert "The service was decommissioned" in page
    assert page.count("Fictional reason") == 9
    assert "Signed 09" not in page  # signed off 2 September, after Child A (10 June)
    records = reverse("reports:figure_records", args=[partnership.slug, "KEY"])
    for key, count, what in (
        ("reviews_completed", 14, "reviews signed off in the year"),
        ("reviews_ongoing", 14, "reviews still ongoing"),
        ("not_implemented", 13, "decisions not to implement, with the reasons"),
        ("impact_recorded", 13, "recommendations with impact recorded"),
    ):
        href = records.replace("KEY", key) + "?year=2024"
        assert f'href="{href}">View all {count} {what}</a>' in page, key
        assert f"The first 10 of {count}." in page
        listed = bu_client.get(href).content.decode()
        assert f"{count} records." in listed, key
    every = bu_client.get(records.replace("KEY", "not_implemented") + "?year=2024")
    assert every.content.decode().count("Fictional reason") == 12


def test_a_short_list_has_no_link_and_an_empty_one_says_so(bu_client, partnership, annual_world):
    url = reverse("reports:annual", args=[partnership.slug])

    page = bu_client.get(url + "?year=2024").content.decode()
    assert "View all" not in page and "The first 10" not in page
    empty = bu_client.get(url + "?year=2022").content.decode()  # before the first sign-off
    assert "No review was signed off in this year." in empty
    assert "No decision not to implement an action was recorded in this year." in empty
    assert "No impact was recorded in this year." in empty


def test_the_records_behind_a_figure_come_25_a_page_with_the_period_kept(
    bu_client, partnership, police, business_unit_user, annual_world
):
    """The page "View all" leads to (ADR 0029): GOV.UK pagination whose links keep the period;
    a page past the last answers the last, one that is not a number the first."""
    _more_in_the_year(partnership, police, business_unit_user, 30)
    url = reverse("reports:figure_records", args=[partnership.slug, "not_implemented"])

    first = bu_client.get(url + "?year=2024").content.decode()
    assert "31 records. Showing 1 to 25." in first
    assert first.count("Fictional reason") == 24  # the world's own decision first
    assert 'href="?year=2024&amp;page=2"' in first and 'rel="next"' in first
    second = bu_client.get(url + "?year=2024&page=2").content.decode()
    assert "Showing 26 to 31." in second and second.count("Fictional reason") == 6
    assert 'href="?year=2024&amp;page=1"' in second
    assert "Showing 26 to 31." in bu_client.get(url + "?year=2024&page=99").content.decode()
    assert "Showing 1 to 25." in bu_client.get(url + "?year=2024&page=x").content.decode()
    short = bu_client.get(url + "?year=2023").content.decode()
    assert "govuk-pagination" not in short and "Showing" not in short
