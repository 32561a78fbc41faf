"""A fictional learning library for the demo (issue 7 item 8): the demo's own published reviews
and national reviews (``library_sync``), plus reviews "published elsewhere" across types and
years, imported through the real import (docs/library-schema.md). Lessons recur on purpose —
safer sleep, invisible men, self-neglect, strangulation — so the themes-by-year view and "have
we seen this before?" have something to show. Every name, place and event is invented."""

import json

from safeguarding.library import services as library_services

PUBLISHERS = {
    "cspr": "Northwold Safeguarding Children Partnership",
    "scr": "Eastmere Local Safeguarding Children Board",
    "sar": "Westdale Safeguarding Adults Board",
    "dhr": "Southbrook Community Safety Partnership",
}

# (id, year, type, age group, title, themes, summary, learning)
RECORDS = [
    (
        "em-2014-02",
        2014,
        "scr",
        "infant",
        "Baby F: a night on the sofa",
        ["Sudden unexpected death in infancy (SUDI)", "Parental substance misuse"],
        "Baby F, aged eleven weeks, died after falling asleep on a sofa with a parent who had "
        "been drinking alcohol at a family party.",
        "Safer sleep advice was given once, at birth, and never revisited when the family's "
        "routine changed.\n\nNo one asked about alcohol use when advising on co-sleeping.",
    ),
    (
        "nw-2017-05",
        2017,
        "cspr",
        "infant",
        "Child H: sleeping arrangements after a move",
        ["Sudden unexpected death in infancy (SUDI)", "Poverty and housing"],
        "An infant died while bed-sharing in temporary accommodation with no cot.",
        "Housing officers did not know a baby had no safe place to sleep.\n\nSafer sleep "
        "advice must be checked when a family moves home.",
    ),
    (
        "nw-2020-11",
        2020,
        "cspr",
        "infant",
        "Baby K: co-sleeping and a disrupted routine",
        ["Sudden unexpected death in infancy (SUDI)", "Parental substance misuse", "COVID-19"],
        "A six-week-old baby died in the parents' bed after the parents had used cannabis "
        "and alcohol during lockdown.",
        "Safer sleep conversations were a leaflet, not a discussion of the family's real "
        "routines.\n\nPractitioners did not ask about substance use in the evenings.",
    ),
    (
        "nw-2023-04",
        2023,
        "cspr",
        "infant",
        "Child Q: a baby and the sofa",
        ["Sudden unexpected death in infancy (SUDI)", "Parental substance misuse"],
        "A baby died after sleeping on a sofa with a parent who had been drinking.",
        "Safer sleep advice was given but not checked when circumstances changed.\n\nAlcohol "
        "and co-sleeping risk was not discussed with the father.",
    ),
    (
        "em-2015-08",
        2015,
        "scr",
        "infant",
        "Baby M: the man nobody saw",
        ["Male carers (invisible men)", "Non-accidental injury in infants", "Domestic abuse"],
        "A four-month-old suffered fractures caused by the mother's new partner, who was not "
        "known to the health visitor.",
        "Practitioners did not ask who else lived in the home or cared for the baby.\n\nThe "
        "police held information about the partner's violence that was not shared.",
    ),
    (
        "nw-2019-03",
        2019,
        "cspr",
        "infant",
        "Child P: a father figure in the background",
        ["Male carers (invisible men)", "Non-accidental injury in infants"],
        "An infant suffered a head injury; the mother's partner had a history of violence.",
        "Fathers and male carers were invisible to services.\n\nInformation about the man "
        "was held by probation and not shared with health.",
    ),
    (
        "nw-2022-09",
        2022,
        "cspr",
        "infant",
        "Baby T: who was living in the home?",
        ["Male carers (invisible men)", "Information sharing"],
        "A baby was seriously injured by a male carer whose presence was not known.",
        "Once again no one asked about the men in the household.\n\nA same-day police check "
        "for health visitors would have shown his record.",
    ),
    (
        "wd-2016-01",
        2016,
        "sar",
        "older_adult",
        "Mr A: a house too full to enter",
        ["Self-neglect and hoarding", "Risk assessment"],
        "An older man who refused care died in a hoarded home that services could not enter.",
        "Refusals of care were accepted as lifestyle choices without exploring capacity.",
    ),
    (
        "wd-2019-06",
        2019,
        "sar",
        "older_adult",
        "Mrs B: declining help",
        ["Self-neglect and hoarding", "Multi-agency working"],
        "A woman in her eighties who declined support was found in squalor after a fall.",
        "No multi-agency meeting was held despite repeated refusals.\n\nThe self-neglect "
        "protocol was not used.",
    ),
    (
        "wd-2024-02",
        2024,
        "sar",
        "adult",
        "Mr C: the self-neglect protocol was not used",
        ["Self-neglect and hoarding", "Risk assessment"],
        "A man with alcohol dependency neglected himself for years before his death.",
        "Mental capacity was assumed, not assessed, when care was refused.",
    ),
    (
        "sb-2018-07",
        2018,
        "dhr",
        "adult",
        "Ms D: strangulation that was not recorded",
        ["Non-fatal strangulation", "Coercive control and economic abuse", "Risk assessment"],
        "A woman was killed by her former partner, who had strangled her months before.",
        "A previous strangulation was recorded as common assault.\n\nThe DASH risk "
        "assessment did not reflect coercive control.",
    ),
    (
        "sb-2021-10",
        2021,
        "dhr",
        "adult",
        "Ms E: controlled and isolated",
        ["Coercive control and economic abuse", "Contact with victims and routine enquiry"],
        "A woman was killed by her husband after years of financial control.",
        "GPs did not ask about domestic abuse when she attended with injuries.",
    ),
    (
        "sb-2025-03",
        2025,
        "dhr",
        "adult",
        "Ms G: a history of choking",
        ["Non-fatal strangulation", "MARAC and MAPPA interface"],
        "A woman was killed by a partner who had choked previous partners.",
        "Repeat victimisation by the same man was not linked across MARAC cases.",
    ),
    (
        "nw-2021-12",
        2021,
        "cspr",
        "adolescent",
        "Young person J: exploited across county",
        [
            "Child criminal exploitation and county lines",
            "Not in school or elective home education",
        ],
        "A fifteen-year-old was groomed to carry drugs to another town and was stabbed.",
        "Going missing was treated as a behaviour problem rather than a sign of exploitation.",
    ),
    (
        "nw-2024-06",
        2024,
        "cspr",
        "adolescent",
        "Young person L: cuckooing and debt",
        [
            "Child criminal exploitation and county lines",
            "Extrafamilial harm and serious youth violence",
        ],
        "A sixteen-year-old in drug debt was used to take over a vulnerable adult's flat.",
        "Contextual safeguarding was not used; school exclusion increased the risk.",
    ),
]


def _records() -> list[dict]:
    return [
        {
            "external_id": external_id,
            "title": title,
            "review_type": kind,
            "publisher": PUBLISHERS[kind],
            "year": year,
            "age_group": age_group,
            "themes": themes,
            "summary": summary,
            "learning": learning,
            "full_text": f"{summary}\n\n{learning}\n\nThis fictional report was written for the "
            "demonstration of the learning library. Every name, place and event is invented.",
            "is_public": True,
        }
        for external_id, year, kind, age_group, title, themes, summary, learning in RECORDS
    ]


def load_demo_library(*, partnerships, users) -> None:
    bu = users["business.unit@riverton.example"]
    library_services.library_sync()
    data = json.dumps({"records": _records()}).encode()
    for slug in ("riverton-safeguarding", "riverton-community-safety"):
        library_services.library_import(
            partnership=partnerships[slug], actor=bu, source=data, name="demo-library.json"
        )


def load_demo_digest(*, partnerships, users) -> None:
    """Issue 1 of the Riverton learning digest, for the last six months, made from what the
    service proposes and published (its PDF and Word files are made on publication). The demo's
    subscribers are none, so nothing is emailed."""
    import datetime

    from django.utils import timezone

    from safeguarding.digests import services as digest_services

    bu = users["business.unit@riverton.example"]
    today = timezone.localdate()
    issue = digest_services.issue_start(
        partnership=partnerships["riverton-safeguarding"],
        actor=bu,
        number=1,
        title="Learning from reviews: the last six months",
        period_start=today - datetime.timedelta(days=182),
        period_end=today,
    )
    proposals, _ = digest_services.issue_proposals(issue=issue)
    if proposals:
        digest_services.items_add(
            issue=issue, actor=bu, keys=[proposal.key for proposal in proposals[:6]]
        )
    digest_services.issue_update(
        issue=issue,
        actor=bu,
        title=issue.title,
        period_start=issue.period_start,
        period_end=issue.period_end,
        introduction="Welcome to the first Riverton learning digest. It brings together the "
        "reviews we published in the last six months, what they teach us, and the national "
        "reviews we are using in our own learning. Safer sleep and the men in a baby's life "
        "come up again: please share this with your teams.",
    )
    digest_services.issue_publish(issue=issue, actor=bu)
