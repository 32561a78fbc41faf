"""Fictional findings, recommendations and actions for the demo (issue 6 item 8), made through
the real services on the demo's signed-off reviews: actions on track, at risk, overdue, awaiting
acceptance, complete with evidence and impact, and not being implemented with a reason."""

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguarding.actions import services
from safeguarding.actions.models import Theme
from safeguarding.reviews.models import Finding, Review
from safeguarding.workspace.documents import pdf_bytes

# review title → findings: (kind, title, text, [theme names])
FINDINGS = {
    "Child R": [
        (
            "finding",
            "Information about the father was not shared",
            "The health visitor did not know that the father had a history of violence known to "
            "the police. Nobody asked who else lived in the home.",
            ["Information sharing", "Male carers (invisible men)", "Domestic abuse"],
        ),
        (
            "finding",
            "Safer sleep advice was given but not checked",
            "Safer sleep advice was given at birth but no one checked the sleeping arrangements "
            "when the family moved, or talked about alcohol and co-sleeping.",
            ["Sudden unexpected death in infancy (SUDI)", "Parental substance misuse"],
        ),
        (
            "learning_point",
            "Escalation worked when it was used",
            "When the school nurse escalated her concern, the response was quick and good.",
            ["Escalation and professional challenge"],
        ),
    ],
    "Adult S": [
        (
            "finding",
            "Self-neglect was seen as a lifestyle choice",
            "Repeated refusals of care were accepted without exploring capacity or the risks of "
            "the hoarded home.",
            ["Self-neglect and hoarding", "Risk assessment"],
        ),
        (
            "finding",
            "No one held the whole picture",
            "Five agencies knew of Adult S; no multi-agency meeting was held.",
            ["Multi-agency working", "Information sharing"],
        ),
    ],
    "Adult T": [
        (
            "finding",
            "Non-fatal strangulation was not recognised as a risk marker",
            "A previous report of strangulation was recorded as common assault and the DASH "
            "risk assessment scored medium.",
            ["Non-fatal strangulation", "Risk assessment", "Domestic abuse"],
        ),
    ],
    "Adult V": [
        (
            "finding",
            "Carers' own needs were not assessed",
            "Adult V's carer was not offered a carer's assessment.",
            ["Neglect and acts of omission"],
        ),
    ],
}

# review title → recommendations: (text, finding numbers, agency slugs, to partnership, scope,
#   expected change, actions: (text, agency slug, lead, target days from today, outcome))
# outcome: "", "on_track", "at_risk", "requested", "complete", "not_implemented"
RECOMMENDATIONS = {
    "Child R": [
        (
            "Health visitors and midwives should ask about every adult in the household and "
            "check with the police when a man joins the family.",
            [1],
            ["riverton-icb", "riverton-police"],
            False,
            "multi_agency",
            "Practitioners know who cares for a baby, and risks from male carers are assessed.",
            [
                (
                    "Add 'who lives here' questions to the new birth visit template",
                    "riverton-icb",
                    "Head of Health Visiting",
                    -20,
                    "at_risk",
                ),
                (
                    "Agree a same-day police check for health visitors",
                    "riverton-police",
                    "Detective Inspector, Public Protection",
                    -45,
                    "complete",
                ),
            ],
        ),
        (
            "The partnership should refresh its safer sleep guidance to cover alcohol, drugs "
            "and disrupted routines.",
            [2],
            [],
            True,
            "multi_agency",
            "Families hear consistent safer sleep advice at every contact.",
            [
                (
                    "Publish refreshed safer sleep guidance and briefing",
                    "riverton-childrens-services",
                    "Partnership learning lead",
                    30,
                    "on_track",
                ),
                (
                    "Fund a safer sleep assessment tool for all practitioners",
                    "riverton-general-hospital",
                    "Named nurse for safeguarding",
                    -10,
                    "not_implemented",
                ),
            ],
        ),
    ],
    "Adult S": [
        (
            "Adult social care should use the self-neglect protocol whenever care is refused "
            "more than twice.",
            [1, 2],
            ["riverton-adult-social-care"],
            False,
            "single_agency",
            "Refusals of care lead to a capacity assessment and a multi-agency meeting.",
            [
                (
                    "Train all duty social workers on the self-neglect protocol",
                    "riverton-adult-social-care",
                    "Principal social worker",
                    -5,
                    "requested",
                ),
                (
                    "Audit 20 cases of refused care after six months",
                    "riverton-adult-social-care",
                    "Quality assurance manager",
                    60,
                    "",
                ),
            ],
        ),
    ],
    "Adult T": [
        (
            "The police should record and flag every report of non-fatal strangulation.",
            [1],
            ["riverton-police"],
            False,
            "single_agency",
            "Strangulation is recognised as a homicide risk marker and raises the DASH score.",
            [
                (
                    "Add a strangulation flag to the crime recording system",
                    "riverton-police",
                    "Head of Crime Standards",
                    -120,
                    "complete",
                ),
            ],
        ),
    ],
    "Adult V": [
        (
            "GP practices should offer carers' assessments when a carer is identified.",
            [1],
            ["riverton-icb"],
            False,
            "single_agency",
            "Carers are identified and offered an assessment.",
            [
                (
                    "Add a carer flag prompt to GP records",
                    "riverton-icb",
                    "Primary care safeguarding lead",
                    -200,
                    "overdue",
                ),
            ],
        ),
    ],
}


def _evidence(title: str) -> SimpleUploadedFile:
    content = pdf_bytes(title, ["Fictional evidence for the demo.", "Signed off by the lead."])
    return SimpleUploadedFile(f"{title.lower().replace(' ', '-')[:40]}.pdf", content)


def load_demo_actions(*, partnerships, users, agencies) -> None:
    bu = users["business.unit@riverton.example"]
    police = users["agency.police@riverton.example"]
    today = timezone.localdate()
    themes = {theme.name: theme for theme in Theme.objects.filter(partnership__isnull=True)}
    reviews = {
        review.title: review
        for review in Review.objects.filter(stage=Review.Stage.SIGNED_OFF, title__in=FINDINGS)
    }
    for title, rows in FINDINGS.items():
        review = reviews.get(title)
        if review is None:
            continue
        findings = [
            services.learning_add(
                review=review,
                actor=bu,
                kind=kind,
                title=heading,
                text=text,
                themes=[themes[name] for name in names],
            )
            for kind, heading, text, names in rows
        ]
        # The findings were written when the review reported, not today (the year shows in
        # "have we seen this before?").
        written = min(today, review.started_on + timedelta(days=300))
        Finding.objects.filter(pk__in=[f.pk for f in findings]).update(
            created_at=timezone.make_aware(datetime.combine(written, time(10)))
        )
        for row in RECOMMENDATIONS.get(title, []):
            text, numbers, agency_slugs, to_partnership, scope, change, actions = row
            recommendation = services.recommendation_add(
                review=review,
                actor=bu,
                text=text,
                findings=[findings[n - 1] for n in numbers],
                agencies=[agencies[slug] for slug in agency_slugs],
                to_partnership=to_partnership,
                scope=scope,
                expected_change=change,
                agreed_on=max(review.started_on, today - timedelta(days=300)),
            )
            for action_text, agency_slug, lead, days, outcome in actions:
                _demo_action(
                    recommendation,
                    bu,
                    police,
                    agencies[agency_slug],
                    action_text,
                    lead,
                    max(review.started_on, today + timedelta(days=days)),
                    outcome,
                )
            if title == "Adult T":
                services.impact_plan_set(
                    recommendation=recommendation,
                    actor=bu,
                    method="audit",
                    plan="Audit 30 domestic abuse crimes for the strangulation flag and DASH.",
                )
                services.impact_record(
                    recommendation=recommendation,
                    actor=bu,
                    result="27 of 30 crimes with strangulation were flagged and scored high risk.",
                    judgement="changed",
                )
            elif title == "Child R" and recommendation.number == 1:
                services.impact_plan_set(
                    recommendation=recommendation,
                    actor=bu,
                    method="survey",
                    plan="Survey health visitors on how often they ask about men in the home.",
                    review_on=today + timedelta(days=180),
                )


def _demo_action(recommendation, bu, police, agency, text, lead, target, outcome) -> None:
    action = services.action_add(
        recommendation=recommendation,
        actor=bu,
        text=text,
        agency=agency,
        lead_name=lead,
        target_date=target,
    )
    # The police contributor records their own agency's updates; the business unit the others'.
    actor = police if agency.slug == "riverton-police" else bu
    if outcome in ("on_track", "at_risk", "overdue"):
        services.action_progress(
            action=action,
            actor=actor,
            note="Work has started; a draft is with the team for comment."
            if outcome != "at_risk"
            else "Delayed: the system supplier cannot make the change until next quarter.",
            status="at_risk" if outcome == "at_risk" else "on_track",
        )
    elif outcome in ("requested", "complete"):
        services.completion_request(
            action=action,
            actor=actor,
            note="Done: the briefing and the attendance list are attached.",
            evidence=[_evidence(f"Evidence for {text}")],
        )
        if outcome == "complete":
            services.completion_accept(action=action, actor=bu, note="Evidence checked.")
    elif outcome == "not_implemented":
        services.action_not_implemented(
            action=action,
            actor=bu,
            reason="The national safer sleep tool due next year will replace a local one; "
            "the board agreed not to buy a local tool.",
        )
