"""The benchmark scenarios: one per URL pattern of the service, or a reasoned exclusion.

bench/run.py walks every URL pattern (as tests/test_access_matrix.py does) and fails loudly when
a pattern has neither a scenario here nor an entry in EXCLUDED: a new page cannot be left out.

A scenario names its page by URL name (``url_name``) and says who asks for it:

    page("reports:yearly_list")                                  # business unit, no arguments
    page("reviews:detail", pk="review")                          # a record looked up per data set
    page("actions:tracker", name="tracker_overdue", query="view=overdue&theme={tracker_theme}")
    page("published:archive", user=None)                          # anonymous

``slug`` is always the target partnership's. Any other URL argument is either a literal or the
name of a lookup in LOOKUPS (a function of the target partnership that returns the value from
the data set being timed: each data set has its own rows). ``query`` may name lookups too, in
braces. ``user`` is a key of USERS (None: anonymous). ``expect`` is text the page must contain
(by default only a 200 answer is required), so a benchmark never times an error page by mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

FLOOR = "floor"


@dataclass(frozen=True)
class Scenario:
    name: str
    url_name: str
    user: str | None = "business_unit"
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    expect: str = ""
    measures: str = ""

    @property
    def public(self) -> bool:
        return self.user is None


def page(
    url_name: str,
    *,
    name: str = "",
    user: str | None = "business_unit",
    query: str = "",
    expect: str = "",
    measures: str = "",
    **kwargs: Any,
) -> Scenario:
    return Scenario(
        name=name or url_name.replace(":", "."),
        url_name=url_name,
        user=user,
        kwargs=kwargs,
        query=query,
        expect=expect,
        measures=measures,
    )


_CURRENT_YEAR = (
    "The report page for April 2026 to March 2027, the year holding the data sets' today: the "
    "same months of rows in both sets (a first year against a tenth)."
)

# Who asks. The two named ones are made by bench/generate.py; the others are the target
# partnership's first member (by id) in that role.
USERS: dict[str, str] = {
    "business_unit": "bench.business.unit@northmoor.example",
    "panel_member": "bench.panel.member@northmoor.example",
    "partner_lead": "role:partner_lead",
    "administrator": "role:administrator",
    "agency_contributor": "role:agency_contributor",
    # A named decision maker who has still to sign the decision awaiting signatures
    "signatory": "lookup:awaiting_signer",
    # A decision maker of the review in sign-off who has not disagreed with it
    "review_signer": "lookup:review_signer",
}


SCENARIOS: list[Scenario] = [
    page(
        "healthz",
        name=FLOOR,
        user=None,
        expect="ok",
        measures="A trivial view through the full middleware stack: the cost of any request in "
        "this process. Every floor ratio is against its median.",
    ),
    page(
        "healthz",
        name="floor_signed_in",
        expect="ok",
        measures="The same trivial view, signed in: what every staff page pays before its own "
        "work (session read and write, user, two-factor device check).",
    ),
    # Public pages --------------------------------------------------------------------------
    page("public_site:home", user=None),
    page("public_site:accessibility", user=None),
    page("public_site:privacy", user=None),
    page("public_site:reviews", name="public_reviews_page", user=None, expect="Documents"),
    page("public_site:documents", user=None, expect="Show documents"),
    page(
        "public_site:documents",
        name="public_site.documents_filtered",
        user=None,
        query="category=procedure",
        expect="in procedures and guidance",
    ),
    page("published:archive", user=None),
    page("published:archive", name="published.archive_filtered", user=None, query="type=cspr"),
    page("published:feed", user=None),
    page("digests_public:list", user=None),
    page("digests_public:subscribe", user=None),
    page("digests_public:subscribe_sent", user=None),
    page("library_public:search", user=None),
    page("library_public:json", user=None),
    page("refer:start", user=None),
    page("refer:type_start", user=None, review_type="cspr"),
    page("accounts:sign_in", user=None),
    page("accounts:password_reset", user=None),
    page("accounts:password_reset_sent", user=None),
    page("accounts:password_reset_complete", user=None),
    page("accounts:signed_out", user=None),
    # Staff: home, lists and dashboards -------------------------------------------------------
    page("workspace:staff_home"),
    page(
        "workspace:partnership_home",
        name="staff_home_business_unit",
        expect="Statutory deadlines",
        measures="The dashboard: overdue, due soon and paused milestones (25 of each), "
        "decisions awaiting a signature, counts and the 10 most recent audit events.",
    ),
    page("workspace:partnership_home", name="staff_home_partner_lead", user="partner_lead"),
    page("workspace:case_list"),
    page("audit:trail", name="audit_trail_first_page", expect="Events, newest first"),
    page("referrals:triage", name="referral_triage", expect=">Reference</th>"),
    page(
        "referrals:triage",
        name="referral_triage_filtered",
        query="review_type=cspr&status=new",
        expect="match the filters",
    ),
    page("referrals:shares"),
    page("referrals:upload"),
    page("public_page:manage", name="public_page_manage", expect="Take down"),
    page("public_page:block_add"),
    page("public_page:block_edit", pk="content_block"),
    page("public_page:document_upload"),
    page("reviews:list"),
    page("reviews:my_requests", user="agency_contributor"),
    page("publication:list"),
    page("digests:list"),
    page("digests:issue_start"),
    page("library:search"),
    page("library:record_add"),
    page("library:import"),
    page("library:national_reviews"),
    page("library:national_review_add"),
    page("library:search_terms"),
    page("library:themes"),
    page("actions:tracker", name="action_tracker", expect=">Owner agency</th>"),
    page(
        "actions:tracker",
        name="action_tracker_filtered",
        query="view=overdue&review_type=sar&theme={tracker_theme}",
        expect="<strong>Overdue: ",
    ),
    page("actions:themes"),
    page("actions:agency", agency_slug="action_agency"),
    page("reports:annual", name="annual_figures"),
    page("reports:yearly_list"),
    page("reports:figures"),
    page("reports:figure_records", key="reviews_ongoing"),
    page("reports:timeliness"),
    page("reports:yearly_add"),
    # The same three report pages for the financial year holding the data sets' "today" (20
    # November 2026): April to November 2026 in both sets, a first year's rows against a tenth
    # year's. The default period (the last complete year, April 2025 to March 2026) began before
    # the one-year set's first day (20 November 2025), so on it the one-year pages show a few
    # months, and none of its reviews signed off yet (bench/README.md, issue 16's third round).
    page(
        "reports:annual",
        name="annual_figures_2026",
        query="year=2026",
        expect="April 2026 to March 2027",
        measures=_CURRENT_YEAR,
    ),
    page(
        "reports:figures",
        name="reports.figures_2026",
        query="year=2026",
        expect="April 2026 to March 2027",
        measures=_CURRENT_YEAR,
    ),
    page(
        "reports:figure_records",
        name="reports.figure_records_2026",
        key="reviews_ongoing",
        query="year=2026",
        expect="April 2026 to March 2027",
        measures=_CURRENT_YEAR,
    ),
    page("information_requests:list"),
    page("notifications:list"),
    page("records:retention"),
    page("records:hold_add"),
    page("records:person_search"),
    page("clock:settings"),
    page("clock:setting_edit", pk="milestone_rule"),
    page("people:list", user="administrator"),
    page("people:invite", user="administrator"),
    page("people:person", user="administrator", pk="member"),
    page("people:person_roles", user="administrator", pk="member"),
    page("partnership_roles:list"),
    page("partnership_roles:add"),
    page("setup:agency_list"),
    page("setup:agency_add"),
    page("setup:agency_contacts", pk="agency"),
    page("setup:agency_rename", pk="agency"),
    page("setup:decision_maker_list"),
    page("setup:decision_maker_add", review_type="cspr"),
    page("setup:guidance_list"),
    page("accounts:account"),
    page("accounts:password_change"),
    page("accounts:two_factor_setup"),
    # Staff: one record ------------------------------------------------------------------------
    page("referrals:detail", pk="referral"),
    page("referrals:case", pk="case"),
    # Records part-way (bench/state_data.py)
    page("referrals:decision", pk="undecided_track_case", track_pk="undecided_track"),
    page("referrals:sign", pk="awaiting_decision", user="signatory"),
    page("referrals:decline", pk="awaiting_decision", user="signatory"),
    page(
        "referrals:signatory_replace",
        pk="awaiting_decision",
        decision_maker_pk="awaiting_decision_maker",
    ),
    page(
        "referrals:disagreement_resolve",
        pk="disputed_decision",
        disagreement_pk="disagreement",
    ),
    page("reviews:panel", pk="rapid_review"),
    page("reviews:immediate_actions", pk="rapid_review"),
    page("reviews:rapid_review_outcome", pk="rapid_review"),
    page("actions:completion_decide", pk="completion_action"),
    page("library:submission", pk="submitted_record"),
    page("reviews:sign_off_decline", pk="sign_off_review", user="review_signer"),
    page(
        "reviews:sign_off_disagreement_resolve",
        pk="sign_off_review",
        disagreement_pk="review_disagreement",
    ),
    page("reviews:person_proposal", pk="proposal_review", proposal_pk="proposal"),
    page("publication:finding_resolve", pk="dhr_publication", finding_pk="check_finding"),
    page("publication:findings_false_match", pk="dhr_publication"),
    page("publication:home_office", pk="dhr_publication"),
    page(
        "publication:home_office_letter",
        pk="dhr_publication",
        submission_pk="home_office_submission",
    ),
    # Cases shared with a neighbour (ADR 0022; bench/state_data.py: build_shares)
    page("referrals:share_answer", pk="offered_share"),
    page("reviews:request_partner", pk="partner_review", partner_pk="review_partner"),
    page("publication:partner_sign_off", pk="shared_publication"),
    page("library:submission_sent", pk="submitted_record"),
    page("referrals:screening", pk="case"),
    page("referrals:case_shares", pk="case"),
    page("referrals:became_aware", pk="case"),
    page("referrals:notification_add", pk="case"),
    page("information_requests:case", case_pk="case"),
    page("information_requests:make", case_pk="case"),
    page("reviews:detail", pk="review"),
    page("reviews:terms", pk="review"),
    page("reviews:appointments", pk="review"),
    page("reviews:people", pk="review"),
    page("reviews:findings", pk="review"),
    page("reviews:meetings", pk="review"),
    page("reviews:documents", pk="review"),
    page("reviews:document_upload", pk="open_review"),
    page("reviews:family", pk="review"),
    page("reviews:requests", pk="review"),
    page("reviews:quality", pk="review"),
    page("reviews:progress_check", pk="open_review"),
    page("reviews:chronology_add", pk="chronology_review"),
    page("reviews:chronology_upload", pk="chronology_review"),
    page(
        "reviews:chronology",
        name="merged_chronology",
        pk="chronology_review",
        expect='aria-labelledby="timeline-title timeline-desc"',
    ),
    page("actions:plan", review_pk="review"),
    page("actions:learning_add", review_pk="review"),
    page("actions:recommendation_add", review_pk="review"),
    page("actions:recommendation_edit", pk="recommendation"),
    page("actions:impact", pk="recommendation"),
    page("actions:action_add", pk="recommendation"),
    page("actions:action", pk="action"),
    page("actions:action_edit", pk="action"),
    page("actions:progress", pk="action"),
    page("actions:finding_themes", review_pk="review", finding_pk="finding"),
    page("reviews:finding_edit", pk="open_review", finding_pk="open_finding"),
    page("reviews:sign_off", pk="review"),
    page("reviews:national_return", pk="review"),
    page("reviews:national_returns"),
    page("reviews:marker_sets"),
    page("reviews:marker_set_add"),
    page("reviews:reopen", pk="review"),
    page("referrals:identity", pk="referral"),
    page("referrals:link_case", pk="new_referral"),
    page("referrals:source_agency", pk="new_referral"),
    page("referrals:send_for_decision", pk="case"),
    page("people:person_deactivate", user="administrator", pk="member"),
    page("setup:agency_remove", pk="agency"),
    page("actions:completion_request", pk="action"),
    page("actions:not_implemented", pk="action"),
    # Records of bench/record_data.py ---------------------------------------------------------
    page("library:record", pk="library_record", expect="learning from a review in"),
    page("library:record_edit", pk="library_record", expect="learning from a review in"),
    page("library:record_archive", pk="library_record", expect="out of the library?"),
    page(
        "library_public:record",
        user=None,
        pk="public_library_record",
        expect="learning from a review in",
    ),
    page("digests:issue", pk="draft_issue", expect="Learning digest"),
    page("digests:issue_edit", pk="draft_issue", expect="Title, period and introduction"),
    page("digests:issue_choose", pk="draft_issue", expect="Choose proposed items"),
    page("digests:issue_preview", pk="draft_issue", expect="Learning digest"),
    page("digests:issue_publish", pk="draft_issue", expect="Publish the issue"),
    page("digests:item_add", pk="draft_issue", expect="Add your own item"),
    page(
        "digests:item_edit", pk="draft_issue", item_pk="draft_issue_item", expect="Change an item"
    ),
    page("digests_public:issue", user=None, number="published_issue", expect="Learning digest"),
    page(
        "information_requests:detail",
        pk="information_request",
        expect="Request for information to",
    ),
    page("information_requests:answer", pk="open_information_request", expect="Record the answer"),
    page("information_requests:refuse", pk="open_information_request", expect="Record a refusal"),
    page(
        "information_requests:escalate",
        pk="open_information_request",
        expect="Record an escalation",
    ),
    page("notifications:detail", pk="notification", expect="Overdue: request for information"),
    # Publications (bench/record_data.py: build_publications)
    page("published:detail", user=None, pk="publication", expect="The review report"),
    page("publication:detail", pk="publication", expect="The review report"),
    page("publication:decision", pk="publication"),
    page("publication:file_upload", pk="publication"),
    page("publication:file_replace", pk="publication", file_pk="publication_file"),
    page("publication:step_add", pk="publication"),
    page("publication:publish", pk="publication"),
    page("publication:correct", pk="publication"),
    page("publication:withdraw", pk="publication"),
    # The partnership's settings and yearly reports (bench/record_data.py: build_settings)
    page("reports:yearly_detail", pk="yearly_report"),
    page("reports:yearly_published", pk="yearly_report"),
    page("setup:agency_contact_change", pk="contact_agency", contact_pk="agency_contact"),
    page("setup:agency_contact_remove", pk="contact_agency", contact_pk="agency_contact"),
    page("setup:decision_maker_change", pk="decision_maker"),
    page("setup:decision_maker_remove", pk="decision_maker"),
    page("setup:guidance_adopt", code="guidance_code"),
    page("setup:guidance_remove", code="guidance_code"),
    page("reviews:marker_set", pk="marker_set", expect="Local quality markers"),
    page("reviews:marker_set_edit", pk="marker_set"),
    page("reviews:marker_add", pk="marker_set"),
    page("reviews:marker_edit", pk="marker_set", marker_pk="marker"),
    page("records:retention_edit", key="retention_key"),
    page("records:hold_lift", pk="retention_hold"),
    page("partnership_roles:change", pk="partnership_role"),
    page("partnership_roles:end", pk="partnership_role"),
    page("people:person_reactivate", user="administrator", pk="deactivated_member"),
    page("reviews:commission", case_pk="commission_case"),
    # A review's own records (bench/record_data.py: build_review_records)
    page("reviews:meeting", pk="records_review", meeting_pk="meeting", expect="Review panel"),
    page("reviews:meeting_remove", pk="records_review", meeting_pk="meeting"),
    page("reviews:appointment", pk="records_review", appointment_pk="appointment"),
    page("reviews:appointment_end", pk="records_review", appointment_pk="appointment"),
    page("reviews:person", pk="records_review", person_pk="person"),
    page("reviews:person_identity", pk="records_review", person_pk="person"),
    page("reviews:person_remove", pk="records_review", person_pk="person"),
    page("reviews:family_contact", pk="records_review", contact_pk="family_contact"),
    page("reviews:family_contact_remove", pk="records_review", contact_pk="family_contact"),
    page("reviews:request_detail", request_pk="agency_request"),
    page("reviews:request_close", request_pk="agency_request"),
    page("reviews:request_readdress", request_pk="agency_request"),
    page("reviews:request_record_return", request_pk="agency_request"),
]


# Patterns with no scenario, each with its reason. Downloads (files and exports) are timed by
# their own scripts or not at all: they are not pages, and exports stream (issue 16, another
# piece). POST-only URLs answer 405 to a GET. Pages that need a record the generated data sets
# do not hold yet are listed under "no record in the data set" so that the gap stays visible.
_DOWNLOAD = "a download (a file or an export), not a page"
_POST = "POST only: answers 405 to a GET"
_FLOW = "a step of a sign-in, invitation, reset or referral flow that needs a token or session"
# A page of a record the generators do not make yet: none left since issue 16's last pages
# (bench/state_data.py makes their records); kept for the next such page (bench/README.md).
_NO_RECORD = "no record of this kind in the generated data sets yet (generate.py)"

EXCLUDED: dict[str, str] = {
    "admin_sign_in": "the Django admin's sign-in, not a page of the service",
    "accounts:sign_out": _POST,
    "reviews:move": _POST,
    "accounts:invitation_accept": _FLOW,
    "accounts:password_reset_confirm": _FLOW,
    "accounts:two_factor_verify": _FLOW,
    "refer:page": _FLOW,
    "refer:check": _FLOW,
    "refer:sent": _FLOW,
    "refer:status": _FLOW,
    "digests_public:confirm": _FLOW,
    "digests_public:unsubscribe": _FLOW,
    # Downloads and exports
    "public_site:document_download": _DOWNLOAD,
    "published:file": _DOWNLOAD,
    "digests_public:pdf": _DOWNLOAD,
    "digests_public:docx": _DOWNLOAD,
    "refer:word_form": _DOWNLOAD,
    "actions:tracker_xlsx": _DOWNLOAD,
    "actions:plan_docx": _DOWNLOAD,
    "actions:plan_xlsx": _DOWNLOAD,
    "actions:evidence": _DOWNLOAD,
    "reports:annual_xlsx": _DOWNLOAD,
    "reports:figures_xlsx": _DOWNLOAD,
    "reports:figures_docx": _DOWNLOAD,
    "reviews:national_returns_xlsx": _DOWNLOAD,
    "reviews:chronology_export": _DOWNLOAD,
    "reviews:chronology_template": _DOWNLOAD,
    "reviews:chronology_upload_file": _DOWNLOAD,
    "reviews:document_download": _DOWNLOAD,
    "reviews:return_attachment": _DOWNLOAD,
    "reviews:terms_document": _DOWNLOAD,
    "reviews:rapid_review_report": _DOWNLOAD,
    "records:person_download": _DOWNLOAD,
    "library:submission_download": _DOWNLOAD,
    "notifications:attachment": _DOWNLOAD,
    "publication:home_office_letter_download": _DOWNLOAD,
    "referrals:notification_summary": _DOWNLOAD,
    # POST only
    "notifications:mark_all_read": _POST,
    "public_page:document_archive": _POST,
    "publication:start": _POST,
    "reviews:start_rapid_review": _POST,
    "clock:pause": _POST,
    "clock:resume": _POST,
    "clock:extend": _POST,
    "library:search_term_remove": _POST,
    "library:national_review_remove": _POST,
    "people:invitation_cancel": _POST,
    "people:invitation_resend": _POST,
    "referrals:case_share_end": _POST,
    "referrals:open_case": _POST,
    "digests:item_move": _POST,
    "digests:item_remove": _POST,
    "reports:yearly_sent": _POST,
    "reviews:marker_restore": _POST,
    "reviews:marker_archive": _POST,
    "reviews:marker_set_archive": _POST,
    "reviews:requests_chase": _POST,
    "reviews:request_chase": _POST,
    "reviews:person_restore": _POST,
    "reviews:meeting_restore": _POST,
    "reviews:appointment_restore": _POST,
    "reviews:family_contact_restore": _POST,
    # Its form is kept in the session between the invitation page and this check: a step of the
    # invitation flow, not a record's page
    "people:invite_check": _FLOW,
}


# Lookups: values a scenario's URL or query may name, read from the data set being timed ----


def _first(model, **filters) -> Any:
    row = model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    if row is None:
        raise LookupError(f"no {model.__name__} with {filters} in the data set")
    return row


def _review(p) -> int:
    from safeguarding.reviews.models import Review

    return _first(Review, partnership=p, archived_at__isnull=True, findings__isnull=False)


def _open_review(p) -> int:
    from safeguarding.reviews.models import Review

    return _first(
        Review,
        partnership=p,
        archived_at__isnull=True,
        signed_off_at__isnull=True,
        findings__isnull=False,
    )


def _open_finding(p) -> int:
    from safeguarding.reviews.models import Finding

    return _first(Finding, review_id=_open_review(p))


def _chronology_review(p) -> int:
    from bench.chronology_data import review_pk

    return review_pk()


def _tracker_theme(p) -> int:
    from bench.action_data import tracker_theme_pk

    return tracker_theme_pk()


def _action_agency(p) -> str:
    from safeguarding.actions.models import Action

    return (
        Action.objects.filter(partnership=p)
        .order_by("pk")
        .values_list("agency__slug", flat=True)[0]
    )


def _finding(p) -> int:
    from safeguarding.reviews.models import Finding

    return _first(Finding, review_id=_review(p))


def _simple(module: str, model: str, **filters) -> Callable[[Any], Any]:
    def lookup(p) -> Any:
        import importlib

        cls = getattr(importlib.import_module(module), model)
        return _first(
            cls, **{key: (p if value == "p" else value) for key, value in filters.items()}
        )

    return lookup


def _milestone_rule(p) -> int:
    from safeguarding.clock.selectors import rule_settings_for_partnership

    rows = rule_settings_for_partnership(partnership=p)
    return next(row.rule.pk for row in rows if row.rule.configurable)


def _draft_issue_item(p) -> int:
    from safeguarding.digests.models import DigestItem

    return _first(DigestItem, issue_id=LOOKUPS["draft_issue"](p))


def _published_issue(p) -> int:
    from safeguarding.digests.models import DigestIssue

    return DigestIssue.objects.get(pk=_first(DigestIssue, partnership=p, status="published")).number


def _notification(p) -> int:
    from safeguarding.notifications.models import Notification

    return _first(Notification, partnership=p, recipient__email=USERS["business_unit"])


def _records_review(p) -> int:
    """The target's first review: every review has meetings, appointments, people and family
    contacts (bench/record_data.py), the first has some of each removed too."""
    from safeguarding.reviews.models import Review

    return _first(Review, partnership=p)


def _review_record(model: str) -> Callable[[Any], int]:
    def lookup(p) -> int:
        from safeguarding.reviews import models

        review = _records_review(p)
        cls = getattr(models, model)
        where = {"case__reviews": review} if model == "Person" else {"review_id": review}
        return _first(cls, archived_at__isnull=True, **where)

    return lookup


def _agency_request_review(p) -> int:
    from safeguarding.reviews.models import AgencyRequest

    return AgencyRequest.objects.get(pk=LOOKUPS["agency_request"](p)).review_id


def _publication_file(p) -> int:
    from safeguarding.publication.models import PublicationFile

    return _first(PublicationFile, publication_id=LOOKUPS["publication"](p))


def _contact_agency(p) -> int:
    from safeguarding.accounts.models import AgencyContact

    return AgencyContact.objects.get(pk=LOOKUPS["agency_contact"](p)).agency_id


def _guidance_code(p) -> str:
    from safeguarding.guidance.models import GuidanceAdoption

    return (
        GuidanceAdoption.objects.filter(partnership=p)
        .order_by("pk")
        .values_list("version__code", flat=True)[0]
    )


def _marker(p) -> int:
    from safeguarding.reviews.models import LocalMarker

    return _first(LocalMarker, marker_set_id=LOOKUPS["marker_set"](p), archived_at__isnull=True)


def _retention_key(p) -> str:
    from safeguarding.records.selectors import BY_KEY

    return next(key for key, record_type in BY_KEY.items() if record_type.configurable)


def _commission_case(p) -> int:
    """A case with a final decision that calls for a review not commissioned yet (the generated
    reviews are linked to no track, so every such decision qualifies)."""
    from safeguarding.referrals.models import Track
    from safeguarding.reviews import workflow

    track = _first(
        Track,
        case__partnership=p,
        decision__state="final",
        decision__outcome__in=list(workflow.REVIEW_KIND_FOR_OUTCOME),
    )
    return Track.objects.get(pk=track).case_id


def _deactivated_member(p) -> int:
    from safeguarding.accounts.models import Deactivation

    deactivation = _first(Deactivation, partnership=p)
    return Deactivation.objects.get(pk=deactivation).user_id


def _undecided_track(p) -> int:
    from safeguarding.referrals import permissions
    from safeguarding.referrals.models import Track

    tracks = Track.objects.filter(case__partnership=p, decision__isnull=True).select_related("case")
    for track in tracks.order_by("pk"):
        if permissions.decides_track(p, track):
            return track.pk
    raise LookupError("no undecided track in the data set")


def _undecided_track_case(p) -> int:
    from safeguarding.referrals.models import Track

    return Track.objects.get(pk=_undecided_track(p)).case_id


def _awaiting_decision(p) -> int:
    from safeguarding.referrals.models import Decision

    return _first(Decision, track__case__partnership=p, state=Decision.State.AWAITING_SIGNATURES)


def _awaiting_signatory(p) -> Any:
    from safeguarding.referrals import selectors
    from safeguarding.referrals.models import Decision

    decision = Decision.objects.get(pk=_awaiting_decision(p))
    for row in selectors.decision_signatories(decision=decision):
        if row.signature is None:
            return row
    raise LookupError("no signatory left to sign in the data set")


def _sign_off_review(p) -> int:
    from safeguarding.reviews.models import Review

    return _first(Review, partnership=p, stage=Review.Stage.SIGN_OFF)


def _review_signer(p) -> int:
    from safeguarding.reviews.models import Review, ReviewDisagreement
    from safeguarding.reviews.running.services import decision_makers_for

    review = Review.objects.get(pk=_sign_off_review(p))
    objecting = set(
        ReviewDisagreement.objects.filter(review=review, resolution="").values_list(
            "user_id", flat=True
        )
    )
    for maker in decision_makers_for(review):
        if maker.user_id not in objecting:
            return maker.user_id
    raise LookupError("no decision maker left to sign the review in sign-off")


def _review_disagreement(p) -> int:
    from safeguarding.reviews.models import ReviewDisagreement

    return _first(ReviewDisagreement, review_id=_sign_off_review(p), resolution="")


def _proposal(p) -> int:
    from safeguarding.reviews.models import ProposedPerson

    return _first(ProposedPerson, review__partnership=p, state="proposed")


def _proposal_review(p) -> int:
    from safeguarding.reviews.models import ProposedPerson

    return ProposedPerson.objects.get(pk=_proposal(p)).review_id


def _dhr_publication(p) -> int:
    from safeguarding.publication.models import Publication

    return _first(
        Publication,
        partnership=p,
        home_office_submissions__outcome="",
        files__findings__resolution="",
    )


def _check_finding(p) -> int:
    from safeguarding.publication.models import CheckFinding

    return _first(CheckFinding, file__publication_id=_dhr_publication(p), resolution="")


def _home_office_submission(p) -> int:
    from safeguarding.publication.models import HomeOfficeSubmission

    return _first(HomeOfficeSubmission, publication_id=_dhr_publication(p), outcome="")


def _shared_publication(p) -> int:
    from safeguarding.publication.models import Publication
    from safeguarding.referrals.share_selectors import signs_off_publication_q

    row = Publication.objects.filter(signs_off_publication_q(p)).order_by("pk").first()
    if row is None:
        raise LookupError("no publication of a case shared with the target in the data set")
    return row.pk


def _partner_share(p) -> Any:
    from safeguarding.referrals.models import CaseShare

    return CaseShare.objects.get(
        pk=_first(CaseShare, case__partnership=p, state="accepted", grants_review=True)
    )


def _partner_review(p) -> int:
    from safeguarding.reviews.models import Review

    return _first(Review, partnership=p, case_id=_partner_share(p).case_id)


LOOKUPS: dict[str, Callable[[Any], Any]] = {
    "sign_off_review": _sign_off_review,
    "review_signer": _review_signer,
    "review_disagreement": _review_disagreement,
    "proposal": _proposal,
    "proposal_review": _proposal_review,
    "dhr_publication": _dhr_publication,
    "check_finding": _check_finding,
    "home_office_submission": _home_office_submission,
    "offered_share": _simple(
        "safeguarding.referrals.models", "CaseShare", partner="p", state="invited"
    ),
    "partner_review": _partner_review,
    "review_partner": lambda p: _partner_share(p).partner_id,
    "shared_publication": _shared_publication,
    "undecided_track": _undecided_track,
    "undecided_track_case": _undecided_track_case,
    "awaiting_decision": _awaiting_decision,
    "awaiting_decision_maker": lambda p: _awaiting_signatory(p).decision_maker.pk,
    "awaiting_signer": lambda p: _awaiting_signatory(p).decision_maker.user_id,
    "disputed_decision": _simple(
        "safeguarding.referrals.models",
        "Decision",
        track__case__partnership="p",
        state="disputed",
    ),
    "disagreement": lambda p: _first(
        __import__("safeguarding.referrals.models", fromlist=["Disagreement"]).Disagreement,
        decision_id=LOOKUPS["disputed_decision"](p),
    ),
    "rapid_review": _simple(
        "safeguarding.reviews.models", "Review", partnership="p", kind="rapid_review"
    ),
    "completion_action": _simple(
        "safeguarding.actions.models", "Action", partnership="p", status="completion_requested"
    ),
    "submitted_record": _simple(
        "safeguarding.library.models",
        "LibraryRecord",
        partnership="p",
        national_submission__isnull=False,
    ),
    "review": _review,
    "chronology_review": _chronology_review,
    "tracker_theme": _tracker_theme,
    "action_agency": _action_agency,
    "finding": _finding,
    "open_review": _open_review,
    "open_finding": _open_finding,
    "new_referral": _simple(
        "safeguarding.referrals.models", "Referral", partnership="p", status="new"
    ),
    "referral": _simple("safeguarding.referrals.models", "Referral", partnership="p"),
    "case": _simple("safeguarding.referrals.models", "Case", partnership="p"),
    "recommendation": _simple(
        "safeguarding.actions.models", "Recommendation", review__partnership="p"
    ),
    "action": _simple("safeguarding.actions.models", "Action", partnership="p"),
    "content_block": _simple("safeguarding.public_site.models", "ContentBlock", partnership="p"),
    "agency": _simple("safeguarding.accounts.models", "Agency", partnerships="p"),
    "member": _simple("safeguarding.accounts.models", "User", memberships__partnership="p"),
    "milestone_rule": _milestone_rule,
    "library_record": _simple(
        "safeguarding.library.models", "LibraryRecord", partnership="p", archived_at__isnull=True
    ),
    "public_library_record": _simple(
        "safeguarding.library.models",
        "LibraryRecord",
        partnership="p",
        archived_at__isnull=True,
        is_public=True,
    ),
    "draft_issue": _simple(
        "safeguarding.digests.models", "DigestIssue", partnership="p", status="draft"
    ),
    "draft_issue_item": _draft_issue_item,
    "published_issue": _published_issue,
    "information_request": _simple(
        "safeguarding.information_requests.models", "InformationRequest", partnership="p"
    ),
    "open_information_request": _simple(
        "safeguarding.information_requests.models",
        "InformationRequest",
        partnership="p",
        status="open",
    ),
    "notification": _notification,
    "records_review": _records_review,
    "meeting": _review_record("Meeting"),
    "appointment": _review_record("Appointment"),
    "person": _review_record("Person"),
    "family_contact": _review_record("FamilyContact"),
    "agency_request": _simple(
        "safeguarding.reviews.models", "AgencyRequest", review__partnership="p"
    ),
    "agency_request_review": _agency_request_review,
    "publication": _simple(
        "safeguarding.publication.models", "Publication", partnership="p", status="published"
    ),
    "publication_file": _publication_file,
    "yearly_report": _simple("safeguarding.reports.models", "YearlyReport", partnership="p"),
    "agency_contact": _simple("safeguarding.accounts.models", "AgencyContact", partnership="p"),
    "contact_agency": _contact_agency,
    "decision_maker": _simple("safeguarding.referrals.models", "DecisionMaker", partnership="p"),
    "guidance_code": _guidance_code,
    "marker_set": _simple(
        "safeguarding.reviews.models", "LocalMarkerSet", partnership="p", archived_at__isnull=True
    ),
    "marker": _marker,
    "retention_key": _retention_key,
    "commission_case": _commission_case,
    "retention_hold": _simple(
        "safeguarding.records.models", "RetentionHold", partnership="p", lifted_at__isnull=True
    ),
    "partnership_role": _simple(
        "safeguarding.accounts.models", "PartnershipRole", partnership="p", ends_on__isnull=True
    ),
    "deactivated_member": _deactivated_member,
}

BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}
