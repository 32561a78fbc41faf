"""The quality markers a review is assessed against, as data (docs/rules.md §quality-markers).

- SAR: the 15 SAR quality markers (SCIE, first published 2018, refreshed April 2022).
- LCSPR: the 18 Serious Case Review quality markers (NSPCC and SCIE, 2016), which local CSPR
  procedures still use as the CSPR quality framework ("LSCB" read as "safeguarding partners").
- DHR: the Home Office quality assurance criteria, as we read them from the 2016 DHR statutory
  guidance (what the overview report must contain) and the Quality Assurance Panel's feedback
  letters (the common reasons a report is sent back: equality and diversity, coercive control,
  the victim's voice). The Home Office does not publish the panel's checklist, so the list is
  "default to confirm" in docs/rules.md. DHR assessments made before this set existed were made
  against the CSPR markers; they keep that set (``set_for``).
- Joint review: the CSPR markers, with a note that the SAR markers also apply to an adult track.
- A partnership's own set (``LocalMarkerSet``, ADR 0024): a regional checklist entered by the
  business unit as data, chosen when a review of a kind it applies to is first assessed.

Titles and meanings are paraphrased in our own words, not quoted.
"""

from dataclasses import dataclass

from ..models import LocalMarkerSet, QualityAssessment, Review


@dataclass(frozen=True)
class Marker:
    number: int
    stage: str
    title: str
    meaning: str
    archived: bool = False  # a partnership's marker archived after it was rated


@dataclass(frozen=True)
class MarkerSet:
    framework: str  # QualityAssessment.Framework
    title: str
    source: str  # the publisher's page listing the markers (linked from the page)
    markers: tuple[Marker, ...]
    note: str = ""
    # The guidance versions (ADR 0018, safeguarding/guidance/default_versions.py) whose reviews
    # the set is written for.
    versions: tuple[str, ...] = ()

    @property
    def numbers(self) -> list[int]:
        return [m.number for m in self.markers]


SAR_MARKERS = (
    Marker(1, "Setting up", "Referral", "Referred promptly, with a clear rationale"),
    Marker(
        2,
        "Setting up",
        "Decision making: what kind of SAR, if any",
        "A timely, defensible decision on whether to review, and on its size and scope",
    ),
    Marker(
        3,
        "Setting up",
        "Informing the person, family and network",
        "They are told the purpose, process and limits, respectfully",
    ),
    Marker(
        4,
        "Setting up",
        "Clarity of purpose",
        "Open that the review is statutory and about learning for practical system change",
    ),
    Marker(
        5,
        "Setting up",
        "Commissioning",
        "A strategic, proportionate choice of approach, made with the reviewers",
    ),
    Marker(6, "Running", "Governance", "Sound oversight, accountability and defensible decisions"),
    Marker(7, "Running", "Process management", "The review runs to plan and to its resources"),
    Marker(
        8,
        "Running",
        "Parallel processes",
        "Criminal, coronial, disciplinary and other reviews are handled alongside",
    ),
    Marker(
        9,
        "Running",
        "Assembling information",
        "Enough of the right information is gathered for the analysis",
    ),
    Marker(10, "Running", "Practitioners' involvement", "Front-line staff take part meaningfully"),
    Marker(
        11,
        "Running",
        "Involvement of the person, family and network",
        "What they know shapes the review",
    ),
    Marker(12, "Running", "Analysis", "Explains why practice happened, at the level of systems"),
    Marker(13, "Output", "The report", "Clear, focused and fit to publish"),
    Marker(14, "Output", "Publication and dissemination", "The findings are shared well"),
    Marker(
        15,
        "Output",
        "Action and impact",
        "Improvement actions are taken and their impact evaluated",
    ),
)

CSPR_MARKERS = (
    Marker(1, "Set-up", "Referral", "Referred quickly, with a clear reason"),
    Marker(
        2,
        "Set-up",
        "Decision making",
        "A timely, explicit, defensible decision on whether to review and in what form",
    ),
    Marker(
        3,
        "Set-up",
        "Advising the safeguarding partners",
        "Partners are kept informed of review decisions and outcomes",
    ),
    Marker(
        4,
        "Set-up",
        "Informing the family",
        "The family is told the purpose, process and limits early, clearly and kindly",
    ),
    Marker(
        5,
        "Set-up",
        "Clarity of purpose",
        "Stated from the start that the aim is learning for the organisations",
    ),
    Marker(
        6,
        "Running",
        "Commissioning",
        "Proportionate form and focus agreed with partners and reviewer; reasons in the terms "
        "of reference",
    ),
    Marker(
        7,
        "Running",
        "Governance",
        "Reviewer independence balanced with partner ownership; clear quality, sign-off and "
        "impasse routes",
    ),
    Marker(
        8,
        "Running",
        "Review management",
        "Well organised and supported, on time and budget; delays reported",
    ),
    Marker(
        9,
        "Running",
        "Parallel processes",
        "Criminal, coronial and disciplinary processes are managed alongside",
    ),
    Marker(
        10,
        "Running",
        "Assembling information",
        "Enough facts, reasons and evidence of what was normal practice",
    ),
    Marker(
        11,
        "Running",
        "Practitioner involvement",
        "Staff who worked with the family contribute and are supported",
    ),
    Marker(
        12,
        "Running",
        "Family involvement",
        "The family's knowledge informs the analysis and they can comment on the draft",
    ),
    Marker(
        13,
        "Running",
        "Analysis",
        "Explains why practice happened, guards against hindsight and prioritises findings",
    ),
    Marker(
        14,
        "Outputs",
        "Report",
        "Sets out the findings that matter for improvement, with little family detail",
    ),
    Marker(
        15, "Outputs", "Improvement action", "Agencies discuss and agree what to do in response"
    ),
    Marker(
        16,
        "Outputs",
        "Written response by the partners",
        "A short published response saying what will happen",
    ),
    Marker(
        17,
        "Outputs",
        "Publication",
        "Whether, when and how to publish weighs the effect on those involved",
    ),
    Marker(
        18,
        "Outputs",
        "Implementation and evaluation",
        "Learning goes into the business plan and actions are checked for real change",
    ),
)

SAR_SET = MarkerSet(
    framework=QualityAssessment.Framework.SAR_2022,
    title="The 15 SAR quality markers (SCIE, 2022)",
    source="https://www.scie.org.uk/safeguarding/adults/reviews/quality-markers/",
    markers=SAR_MARKERS,
    versions=("CA2014",),
)
CSPR_SET = MarkerSet(
    framework=QualityAssessment.Framework.CSPR_2016,
    title="The 18 SCR and CSPR quality markers (NSPCC and SCIE, 2016)",
    source="https://www.scie.org.uk/safeguarding/children/case-reviews/quality-markers/",
    markers=CSPR_MARKERS,
    versions=("WT2018", "WT2023"),  # written for SCRs; local CSPR procedures still use it
)

# R34: the Home Office Quality Assurance Panel reads every DHR report before publication.
DHR_MARKERS = (
    Marker(
        1,
        "Setting up",
        "Decision and notification",
        "The decision to hold a review was timely and the Home Office was told of it",
    ),
    Marker(
        2,
        "Setting up",
        "Independent chair and author",
        "The chair and author are independent of the agencies involved, and this is shown",
    ),
    Marker(
        3,
        "Setting up",
        "Terms of reference",
        "Clear terms of reference, a reasoned time period and the key lines of enquiry",
    ),
    Marker(
        4,
        "The review",
        "The victim's voice and the family's involvement",
        "The family and friends were involved and a sense of who the victim was comes through",
    ),
    Marker(
        5,
        "The review",
        "Agency involvement",
        "Every relevant agency took part and its information was tested, not just summarised",
    ),
    Marker(
        6,
        "The review",
        "Chronology",
        "A combined chronology that shows contact with the victim and perpetrator over time",
    ),
    Marker(
        7,
        "The review",
        "Coercive control and other abuse",
        "Coercive and controlling behaviour, economic abuse and other forms of abuse are "
        "defined and explored, not only named",
    ),
    Marker(
        8,
        "The review",
        "Equality and diversity",
        "The protected characteristics of the victim and perpetrator and their effect on "
        "services, including unconscious bias, are analysed",
    ),
    Marker(
        9,
        "The review",
        "Analysis",
        "Explains why agencies acted as they did, with the perpetrator's pattern of behaviour",
    ),
    Marker(
        10,
        "The report",
        "Lessons and recommendations",
        "Lessons follow from the analysis; recommendations are specific, measurable and have "
        "owners, with an action plan",
    ),
    Marker(
        11,
        "The report",
        "Executive summary and anonymity",
        "A stand-alone executive summary; people are anonymised with pseudonyms the family agreed",
    ),
    Marker(
        12,
        "The report",
        "Writing and presentation",
        "Clear, accurate and respectful language, free of victim-blaming, fit to publish",
    ),
)

# The reasons the Quality Assurance Panel most often gives when it asks for changes (its
# feedback letters, R34). Used for the panel's outcome (issue 14 §4).
DHR_RESUBMISSION_REASONS = (
    ("equality_diversity", "Equality and diversity not analysed enough"),
    ("coercive_control", "Coercive control or other abuse not explored enough"),
    ("victim_voice", "The victim's voice and family involvement"),
    ("agency_analysis", "Agency responses described, not analysed"),
    ("recommendations", "Recommendations or action plan"),
    ("terms_of_reference", "Terms of reference or time period"),
    ("independence", "Independence of the chair or author"),
    ("anonymity", "Anonymity, pseudonyms or the executive summary"),
    ("language", "Language, accuracy or presentation"),
)
JOINT_NOTE = (
    "A joint review is assessed against the SCR and CSPR quality markers. Where it includes a "
    "Safeguarding Adults Review, consider the SAR quality markers (SCIE, 2022) too."
)

DHR_SET = MarkerSet(
    framework=QualityAssessment.Framework.DHR_HO_2016,
    title="The Home Office quality assurance criteria for Domestic Homicide Reviews",
    source=(
        "https://www.gov.uk/government/publications/"
        "revised-statutory-guidance-for-the-conduct-of-domestic-homicide-reviews"
    ),
    markers=DHR_MARKERS,
    note=(
        "These are the points the Home Office Quality Assurance Panel looks for before a report "
        "may be published, including the reasons it most often sends reports back: equality and "
        "diversity, coercive control, and the victim's voice."
    ),
    versions=("DHR2016",),
)

SETS = {s.framework: s for s in (SAR_SET, CSPR_SET, DHR_SET)}

NEAREST_FIT_NOTE = (
    "This assessment was made against the SCR and CSPR quality markers as the nearest fit, before "
    "the Home Office criteria for Domestic Homicide Reviews were held here. Its ratings are kept "
    "against the set it used."
)


def markers_for(review: Review) -> MarkerSet:
    """The marker set that fits the review's kind."""
    if review.kind == Review.Kind.SAR:
        return SAR_SET
    if review.kind == Review.Kind.DHR:
        return DHR_SET
    if review.kind == Review.Kind.JOINT:
        return MarkerSet(**{**CSPR_SET.__dict__, "note": JOINT_NOTE})
    return CSPR_SET


def local_marker_set(local_set: LocalMarkerSet, rated=()) -> MarkerSet:
    """A partnership's own set as a MarkerSet: its current markers, and the archived ones an
    assessment rated (``rated``: their numbers), so those ratings are still shown and kept."""
    rated = set(rated)
    markers = tuple(
        Marker(m.number, m.stage, m.title, m.guidance, archived=m.is_archived)
        for m in local_set.markers.all()
        if not m.is_archived or m.number in rated
    )
    return MarkerSet(
        framework=QualityAssessment.Framework.LOCAL,
        title=local_set.name,
        source=local_set.source,
        markers=markers,
        note=local_set.note,
    )


def local_sets_for(review: Review) -> list[LocalMarkerSet]:
    """The partnership's own sets a review may be assessed against: current, for its kind,
    with at least one current marker."""
    sets = (
        LocalMarkerSet.objects.filter(
            partnership_id=review.partnership_id, archived_at__isnull=True
        )
        .filter(markers__archived_at__isnull=True)
        .distinct()
    )
    return [s for s in sets if review.kind in s.review_kinds]


def set_for(review: Review, local_set: LocalMarkerSet | None = None) -> MarkerSet:
    """The set the review is (or will be) assessed against: the one its assessment recorded,
    so an assessment is never re-read against another set; else ``local_set`` (the
    partnership's own set chosen for the first assessment); else the one that fits its kind."""
    assessment = getattr(review, "quality", None) if hasattr(review, "quality") else None
    if assessment is None:
        return local_marker_set(local_set) if local_set is not None else markers_for(review)
    if assessment.framework == QualityAssessment.Framework.LOCAL:
        assert assessment.local_set is not None  # constraint quality_local_framework_has_set
        rated = assessment.ratings.values_list("marker", flat=True)
        return local_marker_set(assessment.local_set, rated)
    fitting = markers_for(review)
    if assessment.framework == fitting.framework:
        return fitting
    used = SETS[assessment.framework]
    if review.kind == Review.Kind.DHR and used.framework == CSPR_SET.framework:
        return MarkerSet(**{**used.__dict__, "note": NEAREST_FIT_NOTE})
    return used
