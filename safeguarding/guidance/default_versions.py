"""The guidance versions the service ships (docs/rules.md §guidance-versions, with sources).

Loaded by a data migration (``load_default_versions``) and read without a database by
``manage.py screen --guidance-date`` (``national_versions_on``). Dates tagged [K] are the
publication dates the sources give, to be confirmed by a policy owner.
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class VersionData:
    code: str
    short_title: str
    title: str
    strand: str
    effective_from: datetime.date
    status: str
    default_on: bool
    source_url: str
    citation: str
    note: str = ""
    effective_to: datetime.date | None = None


DEFAULT_VERSIONS: tuple[VersionData, ...] = (
    VersionData(
        code="WT2018",
        short_title="Working Together 2018",
        title="Working Together to Safeguard Children 2018",
        strand="children",
        effective_from=datetime.date(2018, 7, 4),  # [K] published July 2018
        status="replaced",
        default_on=True,
        source_url="http://workingtogetheronline.co.uk/",
        citation="Working Together to Safeguard Children 2018, chapter 4 (improving practice "
        "through reviews); notification updated February 2019",
    ),
    VersionData(
        code="WT2023",
        short_title="Working Together 2023",
        title="Working Together to Safeguard Children 2023",
        strand="children",
        effective_from=datetime.date(2023, 12, 15),  # [V] published 15 December 2023
        status="in_force",
        default_on=True,
        source_url="https://ciossafeguarding.org.uk/scp/p/reviews/introduction-to-safeguarding-reviews",
        citation="Working Together to Safeguard Children 2023, chapter 5 (learning from serious "
        "child safeguarding incidents)",
        note="Partnerships moved their local arrangements over during 2024: record the date "
        "yours did.",
    ),
    VersionData(
        code="CA2014",
        short_title="Care Act 2014 statutory guidance",
        title="Care Act 2014 section 44 and the Care and Support Statutory Guidance",
        strand="adults",
        effective_from=datetime.date(2015, 4, 1),  # [V] section 44 in force 1 April 2015
        status="in_force",
        default_on=True,
        source_url="https://legislation.gov.uk/ukpga/2014/23/section/44/2018-04-11/data.akn",
        citation="Care Act 2014 sections 43 and 44 and Schedule 2; Care and Support Statutory "
        "Guidance chapter 14",
    ),
    VersionData(
        code="DHR2016",
        short_title="DHR statutory guidance 2016",
        title="Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews (2016)",
        strand="dhr_guidance",
        effective_from=datetime.date(2016, 12, 1),  # [K] dated December 2016
        status="in_force",
        default_on=True,
        source_url="https://fdocuments.net/document/multi-agency-statutory-guidance-for-the-"
        "conduct-of-statutory-guidance-for-the.html",
        citation="Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews, "
        "Home Office, December 2016",
    ),
    VersionData(
        code="DHR2024D",
        short_title="Revised DHR guidance (consultation draft)",
        title="Domestic Homicide Review Statutory Guidance: draft for consultation (May 2024)",
        strand="dhr_guidance",
        effective_from=datetime.date(2024, 5, 1),  # [V] consultation 1 May to 1 July 2024
        status="consultation_draft",
        default_on=False,
        source_url="https://www.gov.uk/government/consultations/updating-the-domestic-homicide-"
        "review-statutory-guidance/draft-domestic-homicide-review-statutory-guidance-accessible",
        citation="Draft Domestic Homicide Review Statutory Guidance, Home Office, May 2024 "
        "(consultation draft; no final version found)",
        note="Only the consultation draft was found, not a final version. It adds a scoping "
        "review. Adopt it only if your partnership has decided to follow the draft.",
    ),
    VersionData(
        code="DVCVA2004",
        short_title="Domestic homicide review test (2004 Act)",
        title="Domestic Violence, Crime and Victims Act 2004 section 9 (domestic homicide reviews)",
        strand="dhr_law",
        effective_from=datetime.date(2011, 4, 13),  # [V] section 9 commenced 13 April 2011
        status="in_force",
        default_on=True,
        source_url="http://www.legislation.gov.uk/ukpga/2004/28/part/1/crossheading/"
        "domestic-homicide-reviews?view=plain",
        citation="Domestic Violence, Crime and Victims Act 2004 section 9(1): a death from "
        "violence, abuse or neglect by a relative, partner or household member",
    ),
    VersionData(
        code="VPA2024",
        short_title="Domestic abuse related death review test (2024 Act)",
        title="Victims and Prisoners Act 2024 section 19 (domestic abuse related death reviews)",
        strand="dhr_law",
        effective_from=datetime.date(2024, 5, 24),  # [V] Royal Assent; not yet commenced
        status="prospective",
        default_on=False,
        source_url="https://legislation.gov.uk/ukpga/2024/21/section/19",
        citation="Victims and Prisoners Act 2024 section 19, inserting a new section 9 into the "
        "Domestic Violence, Crime and Victims Act 2004",
        note="Not yet in force: no commencement date has been appointed. Switch it on from the "
        "day it commences. The test becomes a death that resulted, or appears to have resulted, "
        "from domestic abuse within the meaning of the Domestic Abuse Act 2021, and the report "
        "goes to the Secretary of State and the Domestic Abuse Commissioner.",
    ),
)

BY_CODE = {version.code: version for version in DEFAULT_VERSIONS}


def national_versions_on(on_date: datetime.date) -> dict[str, VersionData]:
    """The versions switched on by default on ``on_date``, one per strand (no partnership's
    adoptions: what ``manage.py screen --guidance-date`` uses)."""
    chosen: dict[str, VersionData] = {}
    for version in DEFAULT_VERSIONS:
        if not version.default_on or version.effective_from > on_date:
            continue
        if version.effective_to is not None and version.effective_to < on_date:
            continue
        current = chosen.get(version.strand)
        if current is None or version.effective_from > current.effective_from:
            chosen[version.strand] = version
    return chosen


def load_default_versions(version_model) -> None:
    for version in DEFAULT_VERSIONS:
        data = dict(version.__dict__)
        version_model.objects.update_or_create(code=data.pop("code"), defaults=data)


# The screening engine's DHR test each version of the "dhr_law" strand calls for (the values of
# the engine's DHR test choice: the 2004 Act s9 test, or the 2024 Act s19 DARDR test).
DHR_TEST_FOR_VERSION: dict[str, str] = {
    "DVCVA2004": "dvcva2004_s9",
    "VPA2024": "vpa2024_s19",
}


def dhr_test_for(codes) -> str:
    """The DHR test for a set of version codes (a case's, or those of a date)."""
    for code in codes:
        if code in DHR_TEST_FOR_VERSION:
            return DHR_TEST_FOR_VERSION[code]
    return DHR_TEST_FOR_VERSION["DVCVA2004"]
