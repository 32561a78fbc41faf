"""The named benchmark scenarios: one page each, requested as one kind of user.

A scenario's path may use ``{slug}``, the target partnership (the one with ten years of data).
``user`` is a key of the data set's bench users (see generate.BENCH_USERS), or None for an
anonymous visitor. ``expect`` is text the page must contain, so that a benchmark never times an
error page or an empty one by mistake.
"""

from dataclasses import dataclass

FLOOR = "floor"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    user: str | None
    expect: str
    measures: str


SCENARIOS = [
    Scenario(
        name=FLOOR,
        path="/healthz",
        user=None,
        expect="ok",
        measures="A trivial view through the full middleware stack: the cost of any request "
        "in this process. Every other scenario is divided by it.",
    ),
    Scenario(
        name="floor_signed_in",
        path="/healthz",
        user="business_unit",
        expect="ok",
        measures="The same trivial view, signed in: what every staff page pays before its own "
        "work (session read and write, user, two-factor device check).",
    ),
    Scenario(
        name="public_reviews_page",
        path="/{slug}/reviews/",
        user=None,
        expect="Documents",
        measures="The partnership's public Reviews page, anonymous: its sections and its live "
        "documents grouped by category (archived documents are left out).",
    ),
    Scenario(
        name="staff_home_business_unit",
        path="/manage/{slug}/",
        user="business_unit",
        expect="Statutory deadlines",
        measures="The partnership home of a business-unit user, the dashboard: overdue, due in "
        "the next 5 working days and paused milestones (25 of each, of 100,000) with their "
        "rules; counts of sections and live documents; the 10 most recent audit events.",
    ),
    Scenario(
        name="audit_trail_first_page",
        path="/manage/{slug}/audit/",
        user="business_unit",
        expect="Events, newest first",
        measures="The first page (50 events) of the audit trail, unfiltered, with the total "
        "count of events for the pagination.",
    ),
    Scenario(
        name="referral_triage",
        path="/manage/{slug}/referrals/",
        user="business_unit",
        expect=">Reference</th>",
        measures="The business unit's triage list: the counts by status and the first page of "
        "10,000 referrals, newest first, each with its case.",
    ),
    Scenario(
        name="referral_triage_filtered",
        path="/manage/{slug}/referrals/?review_type=cspr&status=new",
        user="business_unit",
        expect="match the filters",
        measures="The triage list filtered to new Child Safeguarding Practice Review referrals: "
        "the counts under the filter and the first page of the matching referrals.",
    ),
    Scenario(
        name="public_page_manage",
        path="/manage/{slug}/public-page/",
        user="business_unit",
        expect="Take down",
        measures="The business unit's page for changing the public Reviews page: every section "
        "and every live document, each with its links.",
    ),
]

SCENARIOS += [
    Scenario(
        name="merged_chronology",
        path="/manage/{slug}/reviews/{chronology_review}/chronology/",
        user="business_unit",
        expect='aria-labelledby="timeline-title timeline-desc"',
        measures="The merged chronology of one review: 20,000 entries from 15 agencies, the "
        "first page of 200 with their people, the multi-agency days and gaps, and the SVG "
        "timeline drawn from one grouped (day, agency, count) query.",
    ),
    Scenario(
        name="merged_chronology_export_xlsx",
        path="/manage/{slug}/reviews/{chronology_review}/chronology/export/?format=xlsx",
        user="business_unit",
        expect="PK",
        measures="The whole merged chronology (20,000 entries) exported as an Excel workbook, "
        "with every entry's people: a fixed number of queries.",
    ),
]


SCENARIOS += [
    Scenario(
        name="action_tracker",
        path="/manage/{slug}/actions/",
        user="business_unit",
        expect=">Owner agency</th>",
        measures="The partnership's action tracker (3,000 recommendations, 10,000 actions): "
        "the count of every view for each owner agency in one grouped query, the first page of "
        "50 open actions with their reviews and agencies, and the filter choices.",
    ),
    Scenario(
        name="action_tracker_filtered",
        path="/manage/{slug}/actions/?view=overdue&review_type=sar&theme={tracker_theme}",
        user="business_unit",
        expect="<strong>Overdue: ",
        measures="The tracker filtered to overdue actions of Safeguarding Adults Reviews under "
        "recommendations answering a finding tagged 'Information sharing' (an EXISTS through "
        "the findings' themes): the counts under the filters and the first page.",
    ),
]


def _chronology_review() -> int:
    from bench.chronology_data import review_pk

    return review_pk()


# Values a path may name besides {slug}: looked up in the data set when the run starts.
def _tracker_theme() -> int:
    from bench.action_data import tracker_theme_pk

    return tracker_theme_pk()


PATH_VALUES = {"chronology_review": _chronology_review, "tracker_theme": _tracker_theme}

BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
