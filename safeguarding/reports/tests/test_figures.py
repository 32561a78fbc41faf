"""The board's report figures for a period (issue 17): each figure computed from known data,
the records behind it, the period form, the page's charts and tables, the downloads (read back
with openpyxl and python-docx) and the queries each page makes."""

import datetime
import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from docx import Document as WordDocument
from openpyxl import load_workbook

from safeguarding.accounts.models import Partnership
from safeguarding.actions.models import Action, Theme
from safeguarding.actions.tests.tracker_support import (
    action_for,
    at,
    finding_for,
    recommendation_for,
    review_for,
)
from safeguarding.audit.models import AuditEvent
from safeguarding.clock.models import Event, Milestone, MilestoneRule
from safeguarding.core.rule_sources import rule_source
from safeguarding.publication.models import Publication
from safeguarding.referrals.models import Case, Decision, Notification, Track
from safeguarding.referrals.tests.staff_support import make_referral
from safeguarding.reports import figures, trends
from safeguarding.reports.models import TimelinessYear
from safeguarding.reports.period import Period, PeriodForm
from safeguarding.reports.selectors import FinancialYear
from safeguarding.reviews.models import Review

pytestmark = pytest.mark.django_db

d = datetime.date
YEAR = Period.of_year(FinancialYear(2024))  # 1 April 2024 to 31 March 2025
TODAY = d(2026, 11, 26)


def _referral(partnership, received_on, review_type="cspr", organisation="Testshire Police"):
    referral = make_referral(
        partnership, review_type=review_type, referrer_organisation=organisation
    )
    type(referral).objects.filter(pk=referral.pk).update(received_on=received_on)
    return referral


def _track(case, review_type, result, opened_on):
    track = Track.objects.create(case=case, review_type=review_type, screening_result=result)
    Track.objects.filter(pk=track.pk).update(created_at=at(opened_on))
    return track


def _decide(track, outcome, decided_on, state=Decision.State.FINAL):
    return Decision.objects.create(
        track=track,
        outcome=outcome,
        rationale="Fictional rationale.",
        decided_on=decided_on,
        state=state,
    )


def _milestone(partnership, case, code, starts_on, due_on, done_on, *, extended_to=None):
    rule = MilestoneRule.objects.get(code=code)
    return Milestone.objects.create(
        partnership=partnership,
        rule=rule,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        subject_label=case.reference,
        offset_amount=rule.offset_amount,
        offset_unit=rule.offset_unit,
        starts_on=starts_on,
        due_on=extended_to or due_on,
        original_due_on=due_on,
        extension_reason="Fictional: the police asked for more time" if extended_to else "",
        status=Milestone.Status.DONE,
        done_on=done_on,
    )


@pytest.fixture
def world(partnership, agency, business_unit_user):
    """Records on both sides of 1 April 2024 and of 31 March 2025, and one of another
    partnership inside the year (never counted)."""
    partnership.agencies.add(agency)
    made = {}
    # Referrals: three in the year (two CSPR from the police, one SAR from a GP), one before.
    _referral(partnership, d(2024, 4, 1))
    _referral(partnership, d(2025, 3, 31))
    _referral(partnership, d(2024, 9, 9), "sar", "Testshire GP practice")
    _referral(partnership, d(2024, 3, 31))

    # Reviews: an LCSPR decided 1 May 2024 and signed off 1 October 2024 (within 6 months),
    # a SAR decided 1 April 2024 and signed off 2 January 2025 (over), one still running.
    lcspr = review_for(
        partnership, title="Child A", started_on=d(2024, 5, 10), signed_off_at=at(d(2024, 10, 1))
    )
    sar = review_for(
        partnership,
        title="Adult B",
        kind=Review.Kind.SAR,
        started_on=d(2023, 12, 1),
        signed_off_at=at(d(2025, 1, 2)),
    )
    running = review_for(partnership, title="Child C", started_on=d(2024, 6, 3))
    review_for(partnership, title="Child D", started_on=d(2025, 4, 2))  # after the year
    rapid = review_for(
        partnership, title="Child R", kind=Review.Kind.RAPID_REVIEW, started_on=d(2024, 4, 15)
    )
    made.update(lcspr=lcspr, sar=sar, running=running, rapid=rapid)

    lcspr_track = _track(lcspr.case, "cspr", "notify", d(2024, 4, 20))
    lcspr.tracks.add(lcspr_track)
    _decide(lcspr_track, "rapid_review_then_local", d(2024, 5, 1))
    sar_track = _track(sar.case, "sar", "mandatory", d(2024, 3, 20))  # screened before
    sar.tracks.add(sar_track)
    _decide(sar_track, "mandatory", d(2024, 4, 1))
    no_review = _track(running.case, "sar", "not_met", d(2024, 7, 1))
    _decide(no_review, "no_review", d(2024, 7, 8))
    pending = _track(rapid.case, "cspr", "notify", d(2024, 4, 10))
    _decide(pending, "refer_national", d(2024, 4, 30), state=Decision.State.AWAITING_SIGNATURES)

    # Notifications to the Panel: two in the year, one to Ofsted (not counted).
    for sent_on, recipient in [
        (d(2024, 4, 12), Notification.Recipient.PANEL),
        (d(2024, 11, 4), Notification.Recipient.PANEL),
        (d(2024, 11, 4), Notification.Recipient.OFSTED),
    ]:
        Notification.objects.create(
            case=rapid.case,
            recipient=recipient,
            rule_id="R2",
            sent_on=sent_on,
            recorded_by=business_unit_user,
        )
    # Milestones: a notification on time, one late even though extended, a rapid review late.
    _milestone(
        partnership,
        rapid.case,
        "cspr-serious-incident-notification",
        d(2024, 4, 8),
        d(2024, 4, 15),
        d(2024, 4, 12),
    )
    _milestone(
        partnership,
        lcspr.case,
        "cspr-serious-incident-notification",
        d(2024, 10, 1),
        d(2024, 10, 8),
        d(2024, 11, 4),
        extended_to=d(2024, 11, 30),
    )
    _milestone(
        partnership, rapid.case, "cspr-rapid-review", d(2024, 4, 8), d(2024, 4, 29), d(2024, 5, 3)
    )
    _milestone(
        partnership,
        sar.case,
        "cspr-rapid-review",  # done the year before
        d(2023, 4, 3),
        d(2023, 4, 24),
        d(2023, 4, 20),
    )

    # Publication of the LCSPR on 1 December 2024 (7 months after the decision: over 6).
    Publication.objects.create(
        partnership=partnership,
        review=lcspr,
        review_type="cspr",
        title="Child A",
        status=Publication.Status.PUBLISHED,
        published_at=at(d(2024, 12, 1)),
    )

    # Recommendations and actions; themes on findings of both reviews signed off.
    theme = Theme.objects.create(
        partnership=partnership, facet=Theme.Facet.PRACTICE, name="Information sharing"
    )
    lonely = Theme.objects.create(
        partnership=partnership, facet=Theme.Facet.PRACTICE, name="Only once"
    )
    f1 = finding_for(lcspr, 1, themes=[theme, lonely])
    finding_for(sar, 1, themes=[theme])
    finding_for(running, 1, themes=[lonely])  # not signed off: does not make it recur
    rec = recommendation_for(lcspr, 1, [f1], agreed_on=d(2024, 10, 5))
    recommendation_for(lcspr, 2, [f1], agreed_on=d(2025, 4, 5))  # after the year
    made["done"] = action_for(
        rec,
        1,
        agency,
        target_date=d(2025, 1, 1),
        status=Action.Status.COMPLETE,
        completed_on=d(2024, 12, 1),
    )
    made["open"] = action_for(rec, 2, agency, target_date=d(2025, 2, 1))
    made["theme"] = theme

    # Another partnership's referral and review in the year: never counted.
    _referral(
        other := Partnership.objects.create(
            name="Elsewhere",
            slug="elsewhere-x",
            kind="children",
            runs_cspr=True,
            area_name="Elsewhere",
            contact_email="x@elsewhere.example",
        ),
        d(2024, 6, 1),
    )
    review_for(other, title="Elsewhere child", started_on=d(2024, 6, 1))
    return made


def _pack(partnership):
    return figures.board_pack(partnership=partnership, period=YEAR, today=TODAY)


def test_each_figure_is_computed_from_the_records_of_the_period(partnership, agency, world):
    pack = _pack(partnership)

    assert pack.value("referrals") == 3
    assert pack.value("referrals_by_type", "cspr") == 2
    assert pack.value("referrals_by_type", "sar") == 1
    # The police's referrals were linked to the agency on submission; the GP is not one of the
    # partnership's agencies, so it is counted under the name typed.
    assert pack.value("referrals_by_agency", f"agency:{agency.pk}") == 2
    assert pack.value("referrals_by_agency", "typed:testshire gp practice") == 1
    assert pack.value("screening", "cspr:notify") == 2
    assert pack.value("screening", "sar:not_met") == 1
    with pytest.raises(KeyError):
        pack.value("screening", "sar:mandatory")  # opened before the year
    assert pack.value("notifications") == 2  # Ofsted's is not a Panel notification
    # Against the first due date (the headline) one is on time; the other is late against it
    # but within its agreed extension, which is counted apart and never as on time.
    assert pack.value("notifications_on_time") == 1
    assert pack.value("notifications_within_extension") == 2
    assert pack.value("notifications_extended") == 1
    assert pack.value("notifications_late") == 0
    assert dict(pack.section("notifications").measures)["Extensions with a reason recorded"] == (
        "1 of the 1 done within an agreed extension"
    )
    assert pack.value("rapid_reviews") == 1
    assert pack.value("rapid_reviews_on_time") == 0
    assert pack.value("rapid_reviews_within_extension") == 0
    assert pack.value("rapid_reviews_extended") == 0
    assert pack.value("rapid_reviews_late") == 1
    assert pack.value("decisions", "cspr:rapid_review_then_local") == 1
    assert pack.value("decisions", "cspr:refer_national") == 0  # not final
    assert pack.value("decisions", "sar:mandatory") == 1
    assert pack.value("decisions", "sar:no_review") == 1
    assert pack.value("reviews_commissioned", "lcspr") == 2  # Child A and Child C
    assert pack.value("reviews_completed", "lcspr") == 1
    assert pack.value("reviews_ongoing", "lcspr") == 1
    assert pack.value("reviews_commissioned", "sar") == 0
    assert pack.value("reviews_completed", "sar") == 1
    assert pack.value("signed_off_within") == 1
    assert pack.value("signed_off_over") == 1
    assert pack.value("published_within") == 0
    assert pack.value("published_over") == 1
    assert pack.value("publications") == 1
    assert pack.value("recommendations") == 1
    assert pack.value("actions_by_status", "complete") == 1
    assert pack.value("actions_by_status", "on_track") == 1
    assert pack.value("actions_completed") == 1
    assert pack.value("actions_outstanding") == 1
    assert pack.value("actions_outstanding_overdue") == 1  # target 1 February 2025
    assert pack.value("themes", str(world["theme"].pk)) == 2
    assert [f.label for f in pack.section("themes").figures] == ["Information sharing"]
    measures = dict(pack.section("timeliness").measures)
    # The LCSPR from its decision (R14): 1 May to 1 October 2024, 153 days; the SAR from the
    # start of the review (R26): 1 December 2023 to 2 January 2025, 398 days.
    assert measures["Median time to sign-off"] == "275.5 days (2 reviews)"
    assert measures["Median time to publication"] == "214 days (1 reviews)"


@pytest.mark.parametrize(
    ("key", "group", "expected"),
    [
        ("referrals_by_type", "sar", 1),
        ("reviews_ongoing", "lcspr", ["Child C"]),
        ("reviews_completed", "", ["Child A", "Adult B"]),
        ("signed_off_over", "", ["Adult B"]),
        ("notifications_on_time", "", 1),
        ("notifications_extended", "", 1),
        ("notifications_within_extension", "", 2),
        ("notifications_late", "", 0),
        ("rapid_reviews_late", "", 1),
        ("decisions", "sar:no_review", 1),
        ("actions_outstanding", "", 1),
    ],
)
def test_the_records_behind_a_figure_are_the_ones_it_counts(
    partnership, world, key, group, expected
):
    found = figures.records(partnership=partnership, period=YEAR, key=key, group=group, today=TODAY)

    if isinstance(expected, int):
        assert len(found.rows) == expected
    else:
        assert [row.text for row in found.rows] == expected


def test_every_figure_of_the_pack_has_records_matching_its_number(partnership, world):
    pack = _pack(partnership)

    for section in pack.sections:
        for figure in section.figures:
            found = figures.records(
                partnership=partnership,
                period=YEAR,
                key=figure.key,
                group=figure.group,
                today=TODAY,
            )
            assert len(found.rows) == figure.value, (figure.key, figure.group)


def test_an_unknown_figure_has_no_records(partnership, world):
    assert (
        figures.records(partnership=partnership, period=YEAR, key="nope", group="", today=TODAY)
        is None
    )
    assert (
        figures.records(partnership=partnership, period=YEAR, key="themes", group="x", today=TODAY)
        is None
    )


def test_the_pack_takes_the_shape_of_the_board(partnership, world):
    partnership.kind = Partnership.Kind.ADULTS
    partnership.runs_cspr = False
    partnership.save()

    pack = _pack(partnership)

    keys = [section.key for section in pack.sections]
    assert pack.title == "Figures for the annual report"
    assert "Care Act 2014" in pack.statute
    assert "notifications" not in keys and "rapid_reviews" not in keys
    assert "decisions_sar" in keys and "decisions_cspr" not in keys
    assert "implementation" in keys


def test_any_dates_can_be_the_period(partnership, world):
    pack = figures.board_pack(
        partnership=partnership, period=Period(d(2024, 4, 1), d(2024, 4, 30)), today=TODAY
    )

    assert pack.value("referrals") == 1
    assert pack.value("reviews_ongoing", "lcspr") == 0  # Child A started 10 May


# Timeliness trends -----------------------------------------------------------------------------


def test_the_trend_of_a_rule_counts_each_year_on_time_and_the_median_working_days(
    partnership, world
):
    rule_trends = trends.timeliness_trends(partnership=partnership, today=TODAY)

    rapid = next(t for t in rule_trends if t.rule.code == "cspr-rapid-review")
    by_year = {line.year.start_year: line for line in rapid.years}
    assert [line.year.start_year for line in rapid.years] == [2023, 2024, 2025, 2026]
    assert (by_year[2023].done, by_year[2023].on_time, by_year[2023].percent_on_time) == (1, 1, 100)
    # 3 April to 20 April 2023: Good Friday 7 and Easter Monday 10 April are not working days.
    assert by_year[2023].median_working_days == 11
    assert (by_year[2024].done, by_year[2024].percent_on_time) == (1, 0)
    assert by_year[2024].median_working_days == 19  # 8 April to 3 May 2024 (6 May is later)
    assert by_year[2025].percent_on_time is None
    notify = next(t for t in rule_trends if t.rule.code == "cspr-serious-incident-notification")
    assert notify.years[1].done == 2 and notify.years[1].percent_on_time == 50
    assert notify.years[1].within_extension == 2
    assert notify.years[1].percent_within_extension == 100
    assert notify.years[1].median_working_days == (4 + 24) / 2


def _lines(rule_trends):
    return {
        (t.rule.code, line.year.start_year): (
            line.done,
            line.on_time,
            line.within_extension,
            line.median_working_days,
        )
        for t in rule_trends
        for line in t.years
    }


def _kept(partnership):
    """(stored, stale) of each past year (the trigger also marks the current year, never kept)."""
    return {
        row.start_year: (row.stored, row.stale)
        for row in TimelinessYear.objects.filter(partnership=partnership, start_year__lt=2026)
    }


def test_past_years_are_kept_and_a_change_to_a_past_milestone_counts_its_year_again(
    partnership, world
):
    """Issue 16: the trends keep each past financial year's counts; a database trigger marks a
    year stale when a milestone done in it is added, changed or deleted (by any write, here
    the ORM's update and delete, which run no Python signal), and the next call counts it
    again. The figures are the same as counting every year afresh."""
    fresh = _lines(trends.timeliness_trends(partnership=partnership, today=TODAY))
    assert _kept(partnership) == {2023: (True, False), 2024: (True, False), 2025: (True, False)}
    assert _lines(trends.timeliness_trends(partnership=partnership, today=TODAY)) == fresh

    # The rapid review of April 2024 was done late (3 May, due 29 April): record it on time.
    late = Milestone.objects.filter(
        pk=Milestone.objects.get(
            partnership=partnership, rule__code="cspr-rapid-review", done_on=d(2024, 5, 3)
        ).pk
    )
    assert late.update(done_on=d(2024, 4, 26)) == 1
    assert _kept(partnership)[2024] == (True, True)  # stale
    assert _kept(partnership)[2023] == (True, False)  # untouched
    changed = _lines(trends.timeliness_trends(partnership=partnership, today=TODAY))
    assert changed[("cspr-rapid-review", 2024)] == (1, 1, 1, 14)  # 8 to 26 April 2024
    assert _kept(partnership)[2024] == (True, False)
    stored = TimelinessYear.objects.get(partnership=partnership, start_year=2024)
    rapid = MilestoneRule.objects.get(code="cspr-rapid-review")
    # done, on time, within, median, extended with a reason (reports/0004)
    assert [rapid.pk, 1, 1, 1, 14, 0] in stored.counts

    # Moved back a year: both years are counted again; deleted: its year too.
    assert late.update(done_on=d(2024, 3, 28)) == 1
    assert _kept(partnership)[2023] == (True, True) and _kept(partnership)[2024] == (True, True)
    moved = _lines(trends.timeliness_trends(partnership=partnership, today=TODAY))
    assert moved[("cspr-rapid-review", 2023)][0] == 2
    assert moved[("cspr-rapid-review", 2024)][0] == 0
    Milestone.objects.filter(partnership=partnership, done_on=d(2024, 4, 12)).delete()
    assert _kept(partnership)[2024] == (True, True)
    after = _lines(trends.timeliness_trends(partnership=partnership, today=TODAY))
    assert after[("cspr-serious-incident-notification", 2024)][0] == 1

    # Whatever was kept, the figures equal counting every year afresh.
    TimelinessYear.objects.all().delete()
    assert _lines(trends.timeliness_trends(partnership=partnership, today=TODAY)) == after


def test_the_board_packs_kept_timeliness_equals_counting_the_milestones(partnership, world):
    """Issue 16: for a financial year the board pack reads the notification and rapid-review
    timeliness from the kept timeliness year (``trends.year_by_rule``); after each change, by
    ``update()``, ``save()``, ``create()`` or ``delete()``, the extension's reason included
    (migration ``reports/0004``), it equals counting the year's milestones."""
    period = Period.of_year(FinancialYear(2024))

    def both():
        sources = figures._sources(partnership, period)
        counted = {
            event: figures._timeliness_counts(sources[source])
            for event, source in [
                (Event.PANEL_NOTIFIED, "notification_milestones"),
                (Event.RAPID_REVIEW_COMPLETED, "rapid_review_milestones"),
            ]
        }
        kept = figures._kept_timeliness(partnership, period)
        assert kept == counted
        assert figures._kept_timeliness(partnership, period) == counted  # read kept
        return kept

    assert both()[Event.PANEL_NOTIFIED]["extended_with_reason"] == 1
    extended = Milestone.objects.filter(partnership=partnership, original_due_on=d(2024, 10, 8))
    assert extended.update(done_on=d(2024, 12, 2)) == 1  # now late even so
    assert both()[Event.PANEL_NOTIFIED]["extended_with_reason"] == 0
    assert extended.update(done_on=d(2024, 11, 20)) == 1  # within the extension again
    assert both()[Event.PANEL_NOTIFIED]["extended_with_reason"] == 1
    assert extended.update(extension_reason="") == 1  # only the reason: the year is stale
    assert _kept(partnership)[2024] == (True, True)
    assert both()[Event.PANEL_NOTIFIED]["extended_with_reason"] == 0
    milestone = extended.get()
    milestone.extension_reason = "Fictional: the family asked to be heard first"
    milestone.save()
    assert both()[Event.PANEL_NOTIFIED]["extended_with_reason"] == 1
    added = _milestone(
        partnership,
        world["running"].case,
        "cspr-rapid-review",
        d(2024, 6, 3),
        d(2024, 6, 24),
        d(2024, 6, 27),
        extended_to=d(2024, 7, 1),
    )
    assert both()[Event.RAPID_REVIEW_COMPLETED]["extended_with_reason"] == 1
    added.delete()
    assert both()[Event.RAPID_REVIEW_COMPLETED]["done"] == 1
    # Any other period is counted, not kept.
    assert figures._kept_timeliness(partnership, Period(d(2024, 4, 1), d(2024, 9, 30))) is None


def test_a_milestone_added_to_a_past_year_or_undone_counts_its_year_again(partnership, world):
    trends.timeliness_trends(partnership=partnership, today=TODAY)
    case = review_for(partnership, title="Added", started_on=d(2023, 6, 1)).case
    added = _milestone(
        partnership, case, "cspr-rapid-review", d(2023, 6, 1), d(2023, 6, 22), d(2023, 6, 21)
    )
    assert _kept(partnership)[2023] == (True, True)
    lines = _lines(trends.timeliness_trends(partnership=partnership, today=TODAY))
    assert lines[("cspr-rapid-review", 2023)][:2] == (2, 2)

    # Put back to due (the clock's own service saves the row): no longer counted.
    added.status = Milestone.Status.DUE
    added.save()
    assert _kept(partnership)[2023] == (True, True)
    lines = _lines(trends.timeliness_trends(partnership=partnership, today=TODAY))
    assert lines[("cspr-rapid-review", 2023)][:2] == (1, 1)

    # A change to another partnership's milestone or to a field the trends do not read
    # leaves the year kept.
    Milestone.objects.filter(pk=added.pk).update(owner=None, subject_label="Renamed")
    assert _kept(partnership)[2023] == (True, False)


# The period form -------------------------------------------------------------------------------


YEARS = [FinancialYear(2025), FinancialYear(2024)]


def _form(data):
    return PeriodForm(data, years=YEARS, default=FinancialYear(2024))


def test_the_form_chooses_a_financial_year_or_other_dates():
    assert _form({"year": "2025"}).period() == Period(d(2025, 4, 1), d(2026, 3, 31), 2025)
    form = _form(
        {
            "year": "custom",
            "date_from_0": "1",
            "date_from_1": "4",
            "date_from_2": "2024",
            "date_to_0": "30",
            "date_to_1": "9",
            "date_to_2": "2024",
        }
    )
    assert form.is_valid()
    assert form.period() == Period(d(2024, 4, 1), d(2024, 9, 30))
    assert (
        PeriodForm(None, years=YEARS, default=FinancialYear(2024)).period().financial_year == 2024
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "1990"}, "Select a financial year from the list, or other dates"),
        ({"year": "custom"}, "Enter the first day of the period"),
        (
            {"year": "custom", "date_from_0": "31", "date_from_1": "2", "date_from_2": "2024"},
            "From must be a real date",
        ),
        (
            {
                "year": "custom",
                "date_from_0": "2",
                "date_from_1": "4",
                "date_from_2": "2024",
                "date_to_0": "1",
                "date_to_1": "4",
                "date_to_2": "2024",
            },
            "The last day must be the same as or after the first",
        ),
        (
            {
                "year": "custom",
                "date_from_0": "1",
                "date_from_1": "4",
                "date_from_2": "2000",
                "date_to_0": "1",
                "date_to_1": "4",
                "date_to_2": "2024",
            },
            "The period must be 10 years or shorter",
        ),
    ],
)
def test_the_form_refuses_a_bad_period_and_shows_the_default(data, message):
    form = _form(data)

    assert not form.is_valid()
    assert message in str(form.errors)
    assert form.period().financial_year == 2024


# The pages -------------------------------------------------------------------------------------


def test_the_figures_page_draws_each_chart_followed_by_its_table(bu_client, partnership, world):
    url = reverse("reports:figures", args=[partnership.slug])

    page = bu_client.get(url + "?year=2024").content.decode()

    assert "April 2024 to March 2025" in page
    charts = re.findall(r'<svg class="app-chart"[^>]*role="img"[^>]*>', page)
    assert len(charts) >= 5
    assert page.count('<title id="chart-') == len(charts)
    for match in re.finditer(r"</svg></figure>\s*(<\S+)", page):
        assert match.group(1) == "<table"
    records = reverse("reports:figure_records", args=[partnership.slug, "referrals"])
    assert f'href="{records}?year=2024">3<' in page


def test_the_figures_page_shows_other_dates_and_errors(bu_client, partnership, world):
    url = reverse("reports:figures", args=[partnership.slug])

    page = bu_client.get(
        url + "?year=custom&date_from_0=1&date_from_1=4&date_from_2=2024"
        "&date_to_0=30&date_to_1=4&date_to_2=2024"
    ).content.decode()
    assert "1 April 2024 to 30 April 2024" in page
    bad = bu_client.get(url + "?year=custom&date_from_0=40").content.decode()
    assert "govuk-error-summary" in bad and "From must include a day, month and year" in bad


def test_the_records_page_lists_the_records_and_refuses_unknown_figures(
    bu_client, partnership, world
):
    url = reverse("reports:figure_records", args=[partnership.slug, "reviews_ongoing"])

    page = bu_client.get(url + "?year=2024&group=lcspr").content.decode()

    assert "Child C" in page and "Child A" not in page and "Elsewhere child" not in page
    assert reverse("reviews:detail", args=[partnership.slug, world["running"].pk]) in page
    bad = reverse("reports:figure_records", args=[partnership.slug, "unknown"])
    assert bu_client.get(bad + "?year=2024").status_code == 404
    assert bu_client.get(url + "?year=custom").status_code == 404  # a bad period


def test_the_timeliness_page_shows_each_rule_with_its_guidance_version(
    bu_client, partnership, world
):
    page = bu_client.get(reverse("reports:timeliness", args=[partnership.slug])).content.decode()

    assert "Complete the rapid review" in page
    assert "(WT2023)" in page and escape(rule_source("R9")) in page  # never a bare "R9"
    assert "April 2024 to March 2025" in page
    assert 'role="img"' in page


def test_the_workbook_holds_every_figure_with_the_link_to_its_records(
    bu_client, partnership, world
):
    response = bu_client.get(
        reverse("reports:figures_xlsx", args=[partnership.slug]) + "?year=2024"
    )

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Figures"].iter_rows(min_row=5, values_only=True))
    referrals = next(r for r in rows if r[1] == "Referrals received")
    assert referrals[2] == 3
    assert referrals[3].startswith("http://testserver/manage/")
    assert "figures/records/referrals/?year=2024" in referrals[3]
    trend_rows = list(book["Timeliness"].iter_rows(min_row=4, values_only=True))
    assert any(r[:3] == ("Complete the rapid review", "R9", "WT2023") for r in trend_rows)
    event = AuditEvent.objects.filter(action="report_figures.exported").get()
    assert event.payload["format"] == "xlsx"


def test_the_word_document_has_a_heading_and_table_per_section(bu_client, partnership, world):
    response = bu_client.get(
        reverse("reports:figures_docx", args=[partnership.slug]) + "?year=2024"
    )

    assert response.status_code == 200
    word = WordDocument(io.BytesIO(response.content))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Referrals received" in headings
    assert "Timeliness across the years" in headings
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "Referrals received" in cells and "3" in cells


def test_partner_leads_read_the_figures_and_contributors_do_not(
    client, user_for_role, partnership, world
):
    from safeguarding.accounts.models import Role

    url = reverse("reports:figures", args=[partnership.slug])
    client.force_login(user_for_role(Role.PARTNER_LEAD))
    assert client.get(url).status_code == 200
    client.force_login(user_for_role(Role.AGENCY_CONTRIBUTOR))
    assert client.get(url).status_code == 403


# Queries stay flat with the data ---------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The session and user (with the two-factor question, issue 16), the partnership and membership
# (about 5), then the figures' own. The pages with the timeliness trends count the years not
# kept yet and keep them (4 queries more: claim the years, count them, read the milestones done
# without working days kept, keep the years); the next request reads every year kept (KEPT),
# the current one included, until a milestone done in one of them changes. The board pack's
# action figures are kept per financial year too (ADR 0031): the first request reads, claims,
# counts and keeps the year (3 queries more than reading it kept); any other period counts
# them in one query, as many as reading them kept. The actions by status are kept with them
# (reports/0004: one query fewer), and a financial year's notification and rapid-review
# timeliness is read from the kept timeliness year (as many queries as counting them: the
# year and the rules; 4 more on the first request, as the trends page; the downloads read the
# trends first, which keep that year, so the pack reads it kept).
# The screening outcomes are kept with them too (one query fewer when kept, one more when
# counted). Any other period counts the action figures and the screening outcomes: CUSTOM.
# The referrals by type and by source agency are counted in one grouped query (ADR 0044).
# The annual figures' counts of reviews, recommendations agreed and impact are kept with the
# action figures (reports/0005): two queries more on the first request, and the pack's count of
# impact recorded read from them (one fewer, on every request of a financial year).
# The pack's referrals by type and source, decisions by outcome, reviews by kind, recurring
# themes and recommendations agreed are kept with them too (reports/0006, ADR 0059): five
# queries fewer when kept; on the first request three counts more and those five fewer.
PINNED = {"figures": 30, "timeliness": 12, "figures_xlsx": 35, "figures_docx": 35}
KEPT = {"figures": 17, "timeliness": 8, "figures_xlsx": 22, "figures_docx": 22}
CUSTOM = {"figures": 24, "figures_xlsx": 29, "figures_docx": 29}


@pytest.mark.parametrize("name", list(PINNED))
def test_pages_make_the_same_queries_whatever_the_data(
    bu_client, partnership, agency, business_unit_user, world, name
):
    url = reverse(f"reports:{name}", args=[partnership.slug]) + "?year=2024"
    before = _queries(bu_client, url)
    assert before == PINNED[name]
    assert _queries(bu_client, url) == KEPT[name]

    for number in range(3):  # more of everything
        review = review_for(
            partnership,
            title=f"More {number}",
            started_on=d(2024, 6, 3),
            signed_off_at=at(d(2024, 12, 2)),
        )
        _referral(partnership, d(2024, 8, 1), organisation=f"Org {number}")
        track = _track(review.case, "cspr", "notify", d(2024, 6, 1))
        review.tracks.add(track)
        _decide(track, "rapid_review_then_local", d(2024, 6, 1))
        _milestone(
            partnership,
            review.case,
            "cspr-rapid-review",
            d(2024, 6, 3),
            d(2024, 6, 24),
            d(2024, 6, 20),
        )
        finding = finding_for(review, 1, themes=[world["theme"]])
        recommendation = recommendation_for(review, 1, [finding], agreed_on=d(2024, 7, 1))
        action_for(recommendation, 1, agency, target_date=d(2025, 1, 6))  # the year counted again
        Publication.objects.create(
            partnership=partnership,
            review=review,
            review_type="cspr",
            title=review.title,
            status=Publication.Status.PUBLISHED,
            published_at=at(d(2025, 1, 6)),
        )

    assert _queries(bu_client, url) == before
    assert _queries(bu_client, url) == KEPT[name]


@pytest.mark.parametrize("name", ["figures", "figures_xlsx", "figures_docx"])
def test_a_period_with_no_review_signed_off_or_published_makes_the_same_queries(
    bu_client, partnership, world, name
):
    """Issue 16: the report clocks of the reviews signed off and published are read in three
    queries that run even when there are none (the board pack made 24 queries for a first year
    and 27 for a tenth)."""
    url = reverse(f"reports:{name}", args=[partnership.slug])
    quiet = (
        "?year=custom&date_from_0=1&date_from_1=1&date_from_2=2020"
        "&date_to_0=31&date_to_1=1&date_to_2=2020"
    )
    busy = (
        "?year=custom&date_from_0=1&date_from_1=4&date_from_2=2024"
        "&date_to_0=31&date_to_1=3&date_to_2=2025"
    )
    _queries(bu_client, url + busy)  # the timeliness years kept
    assert _queries(bu_client, url + quiet) == _queries(bu_client, url + busy) == CUSTOM[name]
    # A financial year reads its figures kept: seven queries fewer, whatever the data.
    _queries(bu_client, url + "?year=2024")
    assert _queries(bu_client, url + "?year=2024") == KEPT[name]
    if name == "figures":
        page = bu_client.get(url + quiet).content.decode()
        assert "1 January 2020 to 31 January 2020" in page


def test_the_records_page_makes_the_same_queries_whatever_the_data(bu_client, partnership, world):
    url = reverse("reports:figure_records", args=[partnership.slug, "reviews_commissioned"])
    url += "?year=2024"
    before = _queries(bu_client, url)
    assert before == 8
    for number in range(3):
        review_for(partnership, title=f"More {number}", started_on=d(2024, 6, 3))

    assert _queries(bu_client, url) == before


# The timeliness page's sections, drawn once per content (issue 16) ------------------------------


def _main(response) -> str:
    """The page's main content, without what differs per response (chart ids are fixed)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_timeliness_page_reuses_its_drawn_sections_and_never_shows_stale_figures(
    bu_client, partnership, world
):
    """The page draws each rule's chart and table once and keeps them under a digest of what
    they show: a change to the data, in a past year (kept by TimelinessYear) or in the current
    one, or to a rule, shows on the very next request, and the page is always the one drawn
    afresh."""
    from django.core.cache import caches

    from safeguarding.reports.views import FRAGMENT_CACHE, _timeliness_key

    cache = caches[FRAGMENT_CACHE]
    cache.clear()
    url = reverse("reports:timeliness", args=[partnership.slug])
    first = _main(bu_client.get(url))
    today = datetime.date.today()
    shown = [t for t in trends.timeliness_trends(partnership=partnership, today=today) if t.done]
    assert shown and all(cache.get(_timeliness_key(partnership, t)) for t in shown)
    assert _main(bu_client.get(url)) == first  # from the cache

    def fresh() -> str:
        kept = _main(bu_client.get(url))
        cache.clear()
        assert _main(bu_client.get(url)) == kept  # the same as drawn afresh
        return kept

    rapid = MilestoneRule.objects.get(code="cspr-rapid-review")
    row_2024 = re.compile(
        r"April 2024 to March 2025</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>\s*"
        r"<td[^>]*>(.*?)</td>",
        re.S,
    )

    def rapid_2024(page: str) -> str:
        section = page[page.index(f'id="rule-{rapid.pk}"') :]
        section = section[: section.index("</section>")]
        return row_2024.search(section).group(3).strip()

    assert rapid_2024(first) == "0%"  # the rapid review of April 2024 was done late
    # Recorded on time, straight in the table (no signal): the next request shows it.
    late = Milestone.objects.filter(partnership=partnership, rule=rapid, done_on=d(2024, 5, 3))
    assert late.update(done_on=d(2024, 4, 26)) == 1
    page = fresh()
    assert rapid_2024(page) == "100%" and page != first

    # A milestone done this financial year: counted on the next request.
    case = review_for(partnership, title="This year", started_on=today).case
    _milestone(partnership, case, "cspr-rapid-review", today, today, today)
    year = FinancialYear.containing(today)
    page = fresh()
    section = page[page.index(f'id="rule-{rapid.pk}"') :]
    section = section[: section.index("</section>")]
    assert re.search(rf"{year.label}</th>\s*<td[^>]*><a [^>]*>1<span", section), (
        "the current year's milestone is shown"
    )

    # The rule renamed: the section shows the new name.
    MilestoneRule.objects.filter(pk=rapid.pk).update(name="Rapid review renamed")
    assert "Rapid review renamed" in fresh()


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_a_period_bound_the_sql_holds_in_another_form_is_refused():
    """A report read comparing a moment's column with a day would keep its placeholder day in
    the SQL as a constant (every figure counted from 1901): ``PeriodQuery`` refuses it."""
    from safeguarding.reports.selectors import PeriodQuery

    fine = PeriodQuery(
        lambda partnership, bounds: Review.objects.filter(
            partnership=partnership, signed_off_at__gte=bounds.starts_at
        )
    )
    assert set(fine._query().placeholders) == {"partnership_id", "starts_at"}
    wrong = PeriodQuery(
        lambda partnership, bounds: Review.objects.filter(
            partnership=partnership, signed_off_at__gte=bounds.start
        )
    )
    with pytest.raises(ValueError, match="A period bound in the SQL"):
        wrong._query()
