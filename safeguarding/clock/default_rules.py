"""The default milestone rules, one rule set per guidance version (ADR 0018), loaded by a data
migration. Each R-numbered clock rule is written here once per version that holds it, and read
from the database everywhere else (``clock.selectors.rule_for``). Tags in comments are the
confidence tags of docs/rules.md §tags.

Working Together 2018 and 2023 agree on every clock rule below (notify the Panel in 5 working
days, the rapid review in 15, the looked-after child's death, the Panel's answer, progress
checks, the local review in 6 months): the WT2018 rows repeat the WT2023 ones with their own
codes so each version owns its rule set. Where the two differ (the advance copy to Ofsted, the
care leaver's death, lead and delegated safeguarding partners) the difference lies in
publication steps, screening and roles, not in the clock (docs/rules.md §versions).
"""

# code, name, review type, starts on, done on, amount, unit, rule, cites, basis, configurable,
# version
DEFAULT_RULES = [
    # Working Together 2023 ------------------------------------------------------------------
    (
        "cspr-serious-incident-notification",
        "Notify the Child Safeguarding Practice Review Panel",
        "cspr",
        "cspr_la_aware",
        "panel_notified",
        5,
        "working_days",
        "R2",
        "WT2023",
        "statutory",
        False,
        "WT2023",
    ),  # [V]
    (
        "cspr-rapid-review",
        "Complete the rapid review",
        "cspr",
        "cspr_la_aware",
        "rapid_review_completed",
        15,
        "working_days",
        "R9",
        "WT2023",
        "expectation",
        False,
        "WT2023",
    ),  # [V] non-statutory expectation
    (
        "cspr-looked-after-death-notification",
        "Notify Ofsted and the Secretary of State of a looked-after child's death",
        "cspr",
        "looked_after_death_known",
        "ofsted_sos_notified",
        5,
        "working_days",
        "R4",
        "WT2023",
        "statutory",
        False,
        "WT2023",
    ),  # [V]
    (
        "cspr-panel-response",
        "Panel response to the rapid review expected",
        "cspr",
        "rapid_review_submitted",
        "panel_responded",
        10,
        "calendar_days",
        "R11",
        "PANEL-G",
        "local",
        True,
        "WT2023",
    ),  # [L] an SLA, not a deadline
    (
        "lcspr-progress-check",
        "Check the local review's progress and quality",
        "cspr",
        "lcspr_initiated",
        "lcspr_progress_checked",
        3,
        "calendar_months",
        "R13",
        "REGS2018",
        "local",
        True,
        "WT2023",
    ),  # [V] checks "at regular intervals"; the interval is local
    (
        "lcspr-final-report",
        "Local review final report",
        "cspr",
        "lcspr_initiated",
        "lcspr_report_completed",
        6,
        "calendar_months",
        "R14",
        "WT2023",
        "expectation",
        True,
        "WT2023",
    ),  # [K][C]
    # Working Together 2018 (the same clock as 2023) -----------------------------------------
    (
        "wt2018-cspr-serious-incident-notification",
        "Notify the Child Safeguarding Practice Review Panel",
        "cspr",
        "cspr_la_aware",
        "panel_notified",
        5,
        "working_days",
        "R2",
        "WT2018",
        "statutory",
        False,
        "WT2018",
    ),  # [V] (notification as updated February 2019)
    (
        "wt2018-cspr-rapid-review",
        "Complete the rapid review",
        "cspr",
        "cspr_la_aware",
        "rapid_review_completed",
        15,
        "working_days",
        "R9",
        "WT2018",
        "expectation",
        False,
        "WT2018",
    ),  # [V]
    (
        "wt2018-cspr-looked-after-death-notification",
        "Notify Ofsted and the Secretary of State of a looked-after child's death",
        "cspr",
        "looked_after_death_known",
        "ofsted_sos_notified",
        5,
        "working_days",
        "R4",
        "WT2018",
        "statutory",
        False,
        "WT2018",
    ),  # [V]
    (
        "wt2018-cspr-panel-response",
        "Panel response to the rapid review expected",
        "cspr",
        "rapid_review_submitted",
        "panel_responded",
        10,
        "calendar_days",
        "R11",
        "PANEL-G",
        "local",
        True,
        "WT2018",
    ),  # [L]
    (
        "wt2018-lcspr-progress-check",
        "Check the local review's progress and quality",
        "cspr",
        "lcspr_initiated",
        "lcspr_progress_checked",
        3,
        "calendar_months",
        "R13",
        "REGS2018",
        "local",
        True,
        "WT2018",
    ),  # [V]
    (
        "wt2018-lcspr-final-report",
        "Local review final report",
        "cspr",
        "lcspr_initiated",
        "lcspr_report_completed",
        6,
        "calendar_months",
        "R14",
        "WT2018",
        "expectation",
        True,
        "WT2018",
    ),  # [K][C]
    # Care Act 2014 statutory guidance -------------------------------------------------------
    (
        "sar-acknowledge-referral",
        "Acknowledge the SAR referral",
        "sar",
        "sab_aware",
        "sar_referral_acknowledged",
        5,
        "working_days",
        "R26",
        "CA2014",
        "local",
        True,
        "CA2014",
    ),  # [L] Trafford protocol: acknowledge within 5 working days
    (
        "sar-report",
        "Safeguarding Adults Review report",
        "sar",
        "sar_initiated",
        "sar_report_completed",
        6,
        "calendar_months",
        "R26",
        "CA2014",
        "expectation",
        True,
        "CA2014",
    ),  # [K]
    # DHR statutory guidance 2016 ------------------------------------------------------------
    (
        "dhr-decision",
        "Decide whether to hold a Domestic Homicide Review",
        "dhr",
        "csp_aware",
        "dhr_decided",
        1,
        "calendar_months",
        "R31",
        "DHR2016",
        "statutory",
        False,
        "DHR2016",
    ),  # [V]
    (
        "dhr-home-office-told-no-review",
        "Tell the Home Office of the decision not to hold a review",
        "dhr",
        "dhr_not_held",
        "home_office_told",
        5,
        "working_days",
        "R32",
        "DHR2016",
        "expectation",
        True,
        "DHR2016",
    ),  # [K] the duty to tell is cited; no timescale was found: 5 working days to confirm
    (
        "dhr-report",
        "Domestic Homicide Review report",
        "dhr",
        "dhr_initiated",
        "dhr_report_completed",
        6,
        "calendar_months",
        "R33",
        "DHR2016",
        "expectation",
        True,
        "DHR2016",
    ),  # [K]
    # Revised DHR guidance: consultation draft of May 2024 (off unless adopted) --------------
    (
        "dhr2024d-decision",
        "Decide whether to hold a Domestic Homicide Review",
        "dhr",
        "csp_aware",
        "dhr_decided",
        1,
        "calendar_months",
        "R31",
        "DHR2024D",
        "statutory",
        False,
        "DHR2024D",
    ),  # [K] the draft keeps the one-month decision
    (
        "dhr2024d-home-office-told-no-review",
        "Tell the Home Office of the decision not to hold a review",
        "dhr",
        "dhr_not_held",
        "home_office_told",
        5,
        "working_days",
        "R32",
        "DHR2024D",
        "expectation",
        True,
        "DHR2024D",
    ),  # [K]
    (
        "dhr2024d-scoping",
        "Complete the review's scoping",
        "dhr",
        "dhr_initiated",
        "dhr_scoping_completed",
        1,
        "calendar_months",
        "R45",
        "DHR2024D",
        "expectation",
        True,
        "DHR2024D",
    ),  # [K] the draft adds a scoping review; its timescale was not read: 1 month to confirm
    (
        "dhr2024d-report",
        "Domestic Homicide Review report",
        "dhr",
        "dhr_initiated",
        "dhr_report_completed",
        6,
        "calendar_months",
        "R33",
        "DHR2024D",
        "expectation",
        True,
        "DHR2024D",
    ),  # [K]
]

FIELDS = (
    "code",
    "name",
    "review_type",
    "starts_on_event",
    "done_on_event",
    "offset_amount",
    "offset_unit",
    "rule_id",
    "guidance_version",
    "basis",
    "configurable",
    "version",
)


def load_default_rules(rule_model, version_model=None) -> None:
    """Create or update every default rule, attached to its guidance version. A migration
    passes its historical ``version_model`` (the versions loaded before); without one (tests
    that flushed the database) the shipped versions are loaded first."""
    if version_model is None:
        from safeguarding.guidance.default_versions import load_default_versions
        from safeguarding.guidance.models import GuidanceVersion

        load_default_versions(GuidanceVersion)
        version_model = GuidanceVersion
    versions = {v.code: v for v in version_model.objects.all()}
    for values in DEFAULT_RULES:
        data = dict(zip(FIELDS, values, strict=True))
        data["version"] = versions[data["version"]]
        rule_model.objects.update_or_create(code=data.pop("code"), defaults=data)
