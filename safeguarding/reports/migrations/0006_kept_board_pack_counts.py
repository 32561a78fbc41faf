"""The board pack's counts of referrals, decisions and recurring themes kept per financial year
with the action figures (issue 16, ADR 0031 amended, ADR 0059).

A kept action year (``reports_actionyear``) now also holds, for the year: the referrals received
in it by review type and by where they came from (the agency linked, with its name, or the
organisation typed), the final decisions made in it by review type and outcome, the recurring
themes of the reviews signed off in it and the reviews commissioned, completed and ongoing by
kind (``selectors.PACK_KEYS``). Triggers mark the years such a count can move, in the writer's
transaction, whatever wrote it:

- ``referrals_referral`` (added, deleted, or its partnership, day received, review type, agency
  or organisation typed changed): the year it was received in, old and new;
- ``referrals_decision`` (added or deleted final, or its state, outcome, day or track changed):
  the year it was decided in, old and new, for the partnership that decides its track (the
  track's ``decided_by``, else its case's partnership: ADR 0022);
- ``referrals_track`` (its deciding partnership, case or review type changed): the year of its
  decision, for the old and the new deciding partnership;
- ``referrals_case`` (moved to another partnership): the years from its tracks' first decision,
  for both partnerships;
- ``accounts_agency`` (renamed): every year of each partnership with a referral from it;
- ``actions_theme_findings`` (a finding tagged or untagged): the years from its review's
  sign-off (a day early, as ``reports/0005`` does for findings);
- ``actions_theme`` (renamed): every year of each partnership with a finding tagged with it.

The reviews by kind need no new trigger: ``reports/0005`` marks every year a review's change
can move (its partnership, kind, start and sign-off), and a finding added, deleted or moved to
another review. On PostgreSQL each marking goes through ``reports_action_years_stale`` or
``reports_action_years_stale_year`` (``reports/0003``, ``reports/0004``), which take the
partnership's row (start_year 0) first, as every other writer's trigger and a page claiming a
year do (ADR 0031). Every kept year is marked stale: it is counted again, in the new shape, on
its first request."""

import importlib

from django.db import migrations

actions = importlib.import_module("safeguarding.reports.migrations.0003_action_years")

EVERY_YEAR = "'0001-01-01'"
FINAL = "'final'"
REFERRAL_COLUMNS = (
    "partnership_id",
    "received_on",
    "review_type",
    "source_agency_id",
    "referrer_organisation",
)
DECISION_COLUMNS = ("track_id", "state", "outcome", "decided_on")
TRACK_COLUMNS = ("decided_by_id", "case_id", "review_type")
LINK_COLUMNS = ("theme_id", "finding_id")


def _sqlite_changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _pg_changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def _deciding(track_id: str) -> str:
    """The partnership that decides a track: a partner it was given to, else its case's."""
    return (
        "(SELECT COALESCE(t.decided_by_id, c.partnership_id) FROM referrals_track t "
        f"JOIN referrals_case c ON c.id = t.case_id WHERE t.id = {track_id})"
    )


def _track_deciding(row: str) -> str:
    return (
        f"COALESCE({row}.decided_by_id, "
        f"(SELECT partnership_id FROM referrals_case WHERE id = {row}.case_id))"
    )


def _decision_day(track_id: str) -> str:
    return f"(SELECT decided_on FROM referrals_decision WHERE track_id = {track_id})"


def _finding_partnership(finding_id: str) -> str:
    return (
        "(SELECT r.partnership_id FROM reviews_finding f JOIN reviews_review r "
        f"ON r.id = f.review_id WHERE f.id = {finding_id})"
    )


def _finding_floor(finding_id: str, sqlite: bool) -> str:
    day = (
        "date(r.signed_off_at, '-1 day')"
        if sqlite
        else "(r.signed_off_at - interval '1 day')::date"
    )
    return (
        f"(SELECT {day} FROM reviews_finding f JOIN reviews_review r "  # noqa: S608
        f"ON r.id = f.review_id WHERE f.id = {finding_id})"
    )


CASE_FIRST_DECISION = (
    "(SELECT MIN(d.decided_on) FROM referrals_decision d JOIN referrals_track t "
    "ON t.id = d.track_id WHERE t.case_id = NEW.id)"
)
AGENCY_PARTNERSHIPS = (
    "SELECT DISTINCT partnership_id FROM referrals_referral WHERE source_agency_id = NEW.id"
)
THEME_PARTNERSHIPS = (
    "SELECT DISTINCT r.partnership_id FROM actions_theme_findings tf "
    "JOIN reviews_finding f ON f.id = tf.finding_id JOIN reviews_review r ON r.id = f.review_id "
    "WHERE tf.theme_id = NEW.id"
)


# SQLite ---------------------------------------------------------------------------------------


def _sqlite_stale_year(partnership: str, day: str) -> str:
    """Marks the one financial year of ``day`` (no year if it is NULL)."""
    return (
        "UPDATE reports_actionyear SET stale = 1 "  # noqa: S608 - this migration's constants
        f"WHERE partnership_id = {partnership} AND start_year > 0 "
        f"AND start_year = {actions._fy_sqlite(day)};"
    )


def _sqlite_every_year(partnerships: str) -> str:
    return (
        "UPDATE reports_actionyear SET stale = 1 "  # noqa: S608 - this migration's constants
        f"WHERE start_year > 0 AND partnership_id IN ({partnerships});"
    )


def _sqlite_referral(row: str) -> str:
    return _sqlite_stale_year(f"{row}.partnership_id", f"date({row}.received_on)")


def _sqlite_decision(row: str) -> str:
    return _sqlite_stale_year(_deciding(f"{row}.track_id"), f"date({row}.decided_on)")


def _sqlite_track(row: str) -> str:
    return _sqlite_stale_year(_track_deciding(row), f"date({_decision_day('NEW.id')})")


def _sqlite_link(row: str) -> str:
    return actions._sqlite_stale(
        _finding_partnership(f"{row}.finding_id"), _finding_floor(f"{row}.finding_id", True)
    )


def _sqlite_trigger(name: str, event: str, table: str, when: str, *statements: str) -> str:
    condition = f"WHEN {when} " if when else ""
    return (
        f"CREATE TRIGGER reports_pack_{name} AFTER {event} ON {table} {condition}BEGIN "
        + " ".join(statements)
        + " END"
    )


SQLITE_TRIGGERS = [
    _sqlite_trigger("referral_insert", "INSERT", "referrals_referral", "", _sqlite_referral("NEW")),
    _sqlite_trigger("referral_delete", "DELETE", "referrals_referral", "", _sqlite_referral("OLD")),
    _sqlite_trigger(
        "referral_update",
        "UPDATE",
        "referrals_referral",
        _sqlite_changed(REFERRAL_COLUMNS),
        _sqlite_referral("OLD"),
        _sqlite_referral("NEW"),
    ),
    _sqlite_trigger(
        "decision_insert",
        "INSERT",
        "referrals_decision",
        f"NEW.state = {FINAL}",
        _sqlite_decision("NEW"),
    ),
    _sqlite_trigger(
        "decision_delete",
        "DELETE",
        "referrals_decision",
        f"OLD.state = {FINAL}",
        _sqlite_decision("OLD"),
    ),
    _sqlite_trigger(
        "decision_update",
        "UPDATE",
        "referrals_decision",
        f"(OLD.state = {FINAL} OR NEW.state = {FINAL}) AND ({_sqlite_changed(DECISION_COLUMNS)})",
        _sqlite_decision("OLD"),
        _sqlite_decision("NEW"),
    ),
    _sqlite_trigger(
        "track_update",
        "UPDATE",
        "referrals_track",
        _sqlite_changed(TRACK_COLUMNS),
        _sqlite_track("OLD"),
        _sqlite_track("NEW"),
    ),
    _sqlite_trigger(
        "case_update",
        "UPDATE",
        "referrals_case",
        "OLD.partnership_id IS NOT NEW.partnership_id",
        actions._sqlite_stale("OLD.partnership_id", CASE_FIRST_DECISION),
        actions._sqlite_stale("NEW.partnership_id", CASE_FIRST_DECISION),
    ),
    _sqlite_trigger(
        "agency_update",
        "UPDATE",
        "accounts_agency",
        "OLD.name IS NOT NEW.name",
        _sqlite_every_year(AGENCY_PARTNERSHIPS),
    ),
    _sqlite_trigger("link_insert", "INSERT", "actions_theme_findings", "", _sqlite_link("NEW")),
    _sqlite_trigger("link_delete", "DELETE", "actions_theme_findings", "", _sqlite_link("OLD")),
    _sqlite_trigger(
        "link_update",
        "UPDATE",
        "actions_theme_findings",
        _sqlite_changed(LINK_COLUMNS),
        _sqlite_link("OLD"),
        _sqlite_link("NEW"),
    ),
    _sqlite_trigger(
        "theme_update",
        "UPDATE",
        "actions_theme",
        "OLD.name IS NOT NEW.name",
        _sqlite_every_year(THEME_PARTNERSHIPS),
    ),
]
SQLITE_NAMES = [
    *(
        f"reports_pack_{table}_{op}"
        for table in ("referral", "decision", "link")
        for op in ("insert", "delete", "update")
    ),
    *(f"reports_pack_{table}_update" for table in ("track", "case", "agency", "theme")),
]
SQLITE = [*SQLITE_TRIGGERS, "UPDATE reports_actionyear SET stale = 1"]
SQLITE_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES),
    "UPDATE reports_actionyear SET stale = 1",
]


# PostgreSQL -----------------------------------------------------------------------------------


def _pg_year(partnership: str, day: str) -> str:
    return f"""
            PERFORM reports_action_years_stale_year({partnership}, {day});"""


def _pg_both(function: str, old: str, new: str) -> str:
    return f"""
    CREATE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN{old}
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN{new}
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """


def _pg_every_year(function: str, partnerships: str) -> str:
    # In the order of the partnerships' rows, as every marking takes them (no deadlock).
    return f"""
    CREATE FUNCTION {function}() RETURNS trigger AS $$
    DECLARE
        p bigint;
    BEGIN
        FOR p IN {partnerships} ORDER BY 1 LOOP
            PERFORM reports_action_years_stale(p, DATE {EVERY_YEAR});
        END LOOP;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """


def _pg_decision(row: str) -> str:
    return f"""
            IF {row}.state = {FINAL} THEN{_pg_year(_deciding(f"{row}.track_id"), f"{row}.decided_on")}
            END IF;"""


def _pg_link(row: str) -> str:
    return f"""
            PERFORM reports_action_years_stale(
                {_finding_partnership(f"{row}.finding_id")},
                {_finding_floor(f"{row}.finding_id", False)});"""


PG = [
    _pg_both(
        "reports_pack_referral",
        _pg_year("OLD.partnership_id", "OLD.received_on"),
        _pg_year("NEW.partnership_id", "NEW.received_on"),
    ),
    _pg_both("reports_pack_decision", _pg_decision("OLD"), _pg_decision("NEW")),
    _pg_both(
        "reports_pack_track",
        _pg_year(_track_deciding("OLD"), _decision_day("NEW.id")),
        _pg_year(_track_deciding("NEW"), _decision_day("NEW.id")),
    ),
    f"""
    CREATE FUNCTION reports_pack_case() RETURNS trigger AS $$
    DECLARE
        first_day date;
    BEGIN
        first_day := {CASE_FIRST_DECISION};
        PERFORM reports_action_years_stale(LEAST(OLD.partnership_id, NEW.partnership_id), first_day);
        PERFORM reports_action_years_stale(GREATEST(OLD.partnership_id, NEW.partnership_id), first_day);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    _pg_every_year("reports_pack_agency", AGENCY_PARTNERSHIPS),
    _pg_both("reports_pack_link", _pg_link("OLD"), _pg_link("NEW")),
    _pg_every_year("reports_pack_theme", THEME_PARTNERSHIPS),
    "CREATE TRIGGER reports_pack_referral_insert_delete AFTER INSERT OR DELETE "
    "ON referrals_referral FOR EACH ROW EXECUTE FUNCTION reports_pack_referral()",
    "CREATE TRIGGER reports_pack_referral_update AFTER UPDATE ON referrals_referral FOR EACH ROW "
    f"WHEN ({_pg_changed(REFERRAL_COLUMNS)}) EXECUTE FUNCTION reports_pack_referral()",
    "CREATE TRIGGER reports_pack_decision_insert_delete AFTER INSERT OR DELETE "
    "ON referrals_decision FOR EACH ROW EXECUTE FUNCTION reports_pack_decision()",
    "CREATE TRIGGER reports_pack_decision_update AFTER UPDATE ON referrals_decision FOR EACH ROW "
    f"WHEN ((OLD.state = {FINAL} OR NEW.state = {FINAL}) AND ({_pg_changed(DECISION_COLUMNS)})) "
    "EXECUTE FUNCTION reports_pack_decision()",
    "CREATE TRIGGER reports_pack_track_update AFTER UPDATE ON referrals_track FOR EACH ROW "
    f"WHEN ({_pg_changed(TRACK_COLUMNS)}) EXECUTE FUNCTION reports_pack_track()",
    "CREATE TRIGGER reports_pack_case_update AFTER UPDATE ON referrals_case FOR EACH ROW "
    "WHEN (OLD.partnership_id IS DISTINCT FROM NEW.partnership_id) "
    "EXECUTE FUNCTION reports_pack_case()",
    "CREATE TRIGGER reports_pack_agency_update AFTER UPDATE ON accounts_agency FOR EACH ROW "
    "WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION reports_pack_agency()",
    "CREATE TRIGGER reports_pack_link_insert_delete AFTER INSERT OR DELETE "
    "ON actions_theme_findings FOR EACH ROW EXECUTE FUNCTION reports_pack_link()",
    "CREATE TRIGGER reports_pack_link_update AFTER UPDATE ON actions_theme_findings FOR EACH ROW "
    f"WHEN ({_pg_changed(LINK_COLUMNS)}) EXECUTE FUNCTION reports_pack_link()",
    "CREATE TRIGGER reports_pack_theme_update AFTER UPDATE ON actions_theme FOR EACH ROW "
    "WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION reports_pack_theme()",
    "UPDATE reports_actionyear SET stale = true",
]
PG_TRIGGERS = {
    "referrals_referral": ("reports_pack_referral_insert_delete", "reports_pack_referral_update"),
    "referrals_decision": ("reports_pack_decision_insert_delete", "reports_pack_decision_update"),
    "referrals_track": ("reports_pack_track_update",),
    "referrals_case": ("reports_pack_case_update",),
    "accounts_agency": ("reports_pack_agency_update",),
    "actions_theme_findings": ("reports_pack_link_insert_delete", "reports_pack_link_update"),
    "actions_theme": ("reports_pack_theme_update",),
}
PG_FUNCTIONS = ("referral", "decision", "track", "case", "agency", "link", "theme")
PG_REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for table, names in PG_TRIGGERS.items()
        for name in names
    ),
    *(f"DROP FUNCTION IF EXISTS reports_pack_{name}()" for name in PG_FUNCTIONS),
    "UPDATE reports_actionyear SET stale = true",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No kept board-pack triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_partnership_roles"),
        ("actions", "0011_action_agency_dated"),
        ("referrals", "0028_case_due"),
        ("reports", "0005_kept_annual_counts"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
