"""The milestone rules as migrations 0002 and 0003 loaded them, before guidance versions
(frozen here so those migrations keep working: the current rules are
``safeguarding/clock/default_rules.py``, loaded by migration 0008). Not a migration: the
loader skips modules whose name starts with an underscore."""

DEFAULT_RULES = [
    # code, name, review type, starts on, done on, amount, unit, rule, guidance, basis, configurable
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
    ),  # [K][C]
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
    ),  # [K]
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
    ),  # [V]
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
)


def load_default_rules(rule_model) -> None:
    for values in DEFAULT_RULES:
        data = dict(zip(FIELDS, values, strict=True))
        rule_model.objects.update_or_create(code=data.pop("code"), defaults=data)
