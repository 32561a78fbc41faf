"""The quality markers a review is assessed against, as data (docs/rules.md §quality-markers).

- SAR: the 15 SAR quality markers (SCIE, first published 2018, refreshed April 2022).
- LCSPR: the 18 Serious Case Review quality markers (NSPCC and SCIE, 2016), which local CSPR
  procedures still use as the CSPR quality framework ("LSCB" read as "safeguarding partners").
- DHR: no marker set is held for DHRs; the CSPR markers are the nearest fit (said on the page).
- Joint review: the CSPR markers, with a note that the SAR markers also apply to an adult track.

Titles and meanings are paraphrased in our own words, not quoted.
"""

from dataclasses import dataclass

from ..models import QualityAssessment, Review


@dataclass(frozen=True)
class Marker:
    number: int
    stage: str
    title: str
    meaning: str


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

DHR_NOTE = (
    "There is no set of quality markers for Domestic Homicide Reviews here, so this review is "
    "assessed against the SCR and CSPR quality markers as the nearest fit."
)
JOINT_NOTE = (
    "A joint review is assessed against the SCR and CSPR quality markers. Where it includes a "
    "Safeguarding Adults Review, consider the SAR quality markers (SCIE, 2022) too."
)

SETS = {SAR_SET.framework: SAR_SET, CSPR_SET.framework: CSPR_SET}


def markers_for(review: Review) -> MarkerSet:
    """The marker set that fits the review's kind."""
    if review.kind == Review.Kind.SAR:
        return SAR_SET
    if review.kind == Review.Kind.DHR:
        return MarkerSet(**{**CSPR_SET.__dict__, "note": DHR_NOTE})
    if review.kind == Review.Kind.JOINT:
        return MarkerSet(**{**CSPR_SET.__dict__, "note": JOINT_NOTE})
    return CSPR_SET
