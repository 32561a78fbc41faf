"""Rule IDs (R1…R46, docs/rules.md) as people read them on screen: the guidance and, where the
sources give it, the chapter, section, regulation or paragraph, in plain words.

The IDs are for the code and docs/rules.md; a page never shows a bare "R9". Templates use the
``rule_source`` filter for one ID and ``rules_in_words`` for text that may carry IDs (screening
reasons, deadline rules). docs/rules.md gives each rule's guidance version and public source;
paragraph numbers are named only where those sources give them (the Care Act 2014's schedule
2, paragraph 4, for the annual report); the statutory guidance documents are named by chapter
or section, as the stored sources give no paragraph numbers for them.
"""

import re

WORKING_TOGETHER = "Working Together to Safeguard Children 2023, chapter 5"
PANEL_GUIDANCE = "the Child Safeguarding Practice Review Panel's practice guidance"
CARE_ACT_GUIDANCE = "the Care and Support Statutory Guidance, chapter 14"
DHR_GUIDANCE = "the statutory guidance for Domestic Homicide Reviews (2016)"

RULE_SOURCES: dict[str, str] = {
    "R1": "Children Act 2004, section 16C(1), and " + WORKING_TOGETHER,
    "R2": WORKING_TOGETHER,
    "R3": WORKING_TOGETHER,
    "R4": WORKING_TOGETHER,
    "R5": WORKING_TOGETHER,
    "R6": "the GOV.UK guidance Report a serious child safeguarding incident",
    "R7": WORKING_TOGETHER,
    "R8": WORKING_TOGETHER + ", and " + PANEL_GUIDANCE,
    "R9": WORKING_TOGETHER + ", and " + PANEL_GUIDANCE,
    "R10": WORKING_TOGETHER,
    "R11": PANEL_GUIDANCE,
    "R12": WORKING_TOGETHER,
    "R13": (
        "the Child Safeguarding Practice Review and Relevant Agency (England) Regulations 2018, "
        "regulation 14"
    ),
    "R14": WORKING_TOGETHER,
    "R15": WORKING_TOGETHER,
    "R16": WORKING_TOGETHER,
    "R17": WORKING_TOGETHER,
    "R18": "Working Together to Safeguard Children 2023",
    "R19": "Care Act 2014, section 44(1) to (3)",
    "R20": "Care Act 2014, section 44(4)",
    "R21": "Care Act 2014, section 44, and " + CARE_ACT_GUIDANCE,
    "R22": "Care Act 2014, section 44, and " + CARE_ACT_GUIDANCE,
    "R23": "Care Act 2014, section 44(5)",
    # Schedule 2, paragraph 4: (1) what the annual report covers, (2) who is sent a copy
    # (legislation.gov.uk, the annual report cross-heading).
    "R24": "Care Act 2014, schedule 2, paragraph 4(1)",
    "R25": "Care Act 2014, schedule 2, paragraph 4(2)",
    "R26": CARE_ACT_GUIDANCE,
    "R27": "Domestic Violence, Crime and Victims Act 2004, section 9(1)",
    "R28": DHR_GUIDANCE,
    "R29": DHR_GUIDANCE,
    "R30": DHR_GUIDANCE,
    "R31": DHR_GUIDANCE,
    "R32": DHR_GUIDANCE,
    "R33": DHR_GUIDANCE,
    "R34": DHR_GUIDANCE,
    "R35": DHR_GUIDANCE,
    "R36": "Domestic Violence, Crime and Victims Act 2004, section 9(3B) and (3C)",
    "R37": "the Home Office guidance for Domestic Homicide Review chairs on support for families",
    "R38": "Victims and Prisoners Act 2024, section 19",
    "R39": "working days: bank holidays in England and Wales are left out",
    "R40": "the day the partnership became aware is day 0",
    "R41": "Working Together to Safeguard Children 2023, with " + DHR_GUIDANCE,
    "R42": CARE_ACT_GUIDANCE + ", with " + DHR_GUIDANCE,
    "R43": "the Welsh Government's Single Unified Safeguarding Review guidance",
    "R44": "UK GDPR: a Subject Access Request is not a Safeguarding Adults Review",
    "R45": "the Home Office draft revised Domestic Homicide Review statutory guidance (May 2024)",
    "R46": "local practice: each body that holds or shares the review signs the report off "
    "before it is published",
}

# One ID, a range ("R19-R22", "R19–R22") or a list of them ("R1, R2", "R16 and R35").
_ONE = r"R\d{1,2}(?:\s*[-–]\s*R\d{1,2})?"
_RUN = re.compile(rf"\b{_ONE}(?:\s*(?:,|and)\s*{_ONE})*\b")
_NUMBERS = re.compile(r"R(\d{1,2})(?:\s*[-–]\s*R(\d{1,2}))?")


def rule_source(rule_id: str) -> str:
    """The plain-words source of one rule ID; an unknown ID is an error (a typo would otherwise
    reach the screen)."""
    return RULE_SOURCES[rule_id.strip()]


def rules_in_words(text: str) -> str:
    """``text`` with each rule ID, range or list of IDs replaced by their sources, each source
    named once: "(R1, R2)" reads "(Children Act 2004, section 16C(1), and Working Together …)"."""

    def replace(run: re.Match) -> str:
        sources: list[str] = []
        for match in _NUMBERS.finditer(run.group(0)):
            first = int(match.group(1))
            for number in range(first, int(match.group(2) or first) + 1):
                source = RULE_SOURCES.get(f"R{number}")
                if source and source not in sources:
                    sources.append(source)
        return "; ".join(sources) if sources else run.group(0)

    return _RUN.sub(replace, text)
