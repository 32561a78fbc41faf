"""The board pack's timeliness and actions-by-status figures kept per financial year (issue 16,
ADR 0031 amended, ADR 0027 amended).

- The timeliness years (``reports_timelinessyear``) now also keep, per rule, the milestones done
  within an agreed extension *with a reason recorded* (the board pack's "extensions with a
  reason"): the milestone trigger's list of columns gains ``extension_reason``.
- The action years (``reports_actionyear``) now also keep the actions of the recommendations
  agreed in the year by their status today (the board pack's "actions by status"): a change of
  an action's status also marks the year its recommendation was agreed in.
- They also keep the board pack's screening outcomes (the tracks opened in the year, by review
  type and screening result): triggers on ``referrals_track`` (added, deleted, or a change of
  its case, review type, result or opening moment) mark the year it was opened in, and on
  ``referrals_case`` (moved to another partnership) every year from its first track's.

Every kept year of both tables is marked stale: each is counted again, in the new shape, on
its first request."""

import importlib

from django.db import migrations

timeliness = importlib.import_module("safeguarding.reports.migrations.0002_timeliness_years")
actions = importlib.import_module("safeguarding.reports.migrations.0003_action_years")

NI = actions.NI

# Timeliness: the update trigger, with the extension's reason among the columns read.
COLUMNS = (*timeliness.COLUMNS, "extension_reason")
SQLITE_TIMELINESS_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
PG_TIMELINESS_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS)


def _sqlite_timeliness_update(changed: str) -> str:
    return (
        "CREATE TRIGGER reports_timeliness_update AFTER UPDATE ON clock_milestone "
        f"WHEN (OLD.done_on IS NOT NULL OR NEW.done_on IS NOT NULL) AND ({changed}) "
        f"BEGIN {timeliness.SQLITE_STALE} {timeliness.SQLITE_UPSERT} END"
    )


def _pg_timeliness_update(changed: str) -> str:
    return (
        "CREATE TRIGGER reports_timeliness_update AFTER UPDATE ON clock_milestone FOR EACH ROW "
        f"WHEN ((OLD.done_on IS NOT NULL OR NEW.done_on IS NOT NULL) AND ({changed})) "
        "EXECUTE FUNCTION reports_timeliness_stale()"
    )


# Actions: a change of status also moves the actions-by-status figure of the one year its
# recommendation was agreed in: that year is marked too (only that year, not the years after it:
# the figure counts the actions of the recommendations agreed in the year by their status today).
AGREED_SQLITE = "(SELECT agreed_on FROM actions_recommendation WHERE id = NEW.recommendation_id)"
SQLITE_STATUS_YEAR = (
    "UPDATE reports_actionyear SET stale = 1 "  # noqa: S608 - this migration's constants
    "WHERE OLD.status IS NOT NEW.status AND partnership_id = NEW.partnership_id "
    "AND start_year > 0 AND start_year = " + actions._fy_sqlite(AGREED_SQLITE) + ";"
)


def _sqlite_action_update(status_year: str) -> str:
    def floor(row: str) -> str:
        return (
            f"CASE WHEN {actions.SQLITE_MOVED} "
            f"THEN {actions._least_sqlite(*actions._sqlite_dates(row))} "
            f"ELSE {actions.SQLITE_CHANGE_FLOOR} END"
        )

    return (
        "CREATE TRIGGER reports_action_years_update AFTER UPDATE ON actions_action "
        f"WHEN {actions.SQLITE_ACTION_CHANGED} BEGIN "
        + actions._sqlite_stale("OLD.partnership_id", floor("OLD"))
        + " "
        + actions._sqlite_stale("NEW.partnership_id", floor("NEW"))
        + status_year
        + " END"
    )


def _pg_action_function(status_year: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION reports_action_years_action() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM reports_action_years_stale(NEW.partnership_id, {actions._pg_all("NEW")});
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM reports_action_years_stale(OLD.partnership_id, {actions._pg_all("OLD")});
        ELSIF OLD.partnership_id IS DISTINCT FROM NEW.partnership_id
              OR OLD.recommendation_id IS DISTINCT FROM NEW.recommendation_id THEN
            PERFORM reports_action_years_stale(OLD.partnership_id, {actions._pg_all("OLD")});
            PERFORM reports_action_years_stale(NEW.partnership_id, {actions._pg_all("NEW")});
        ELSE
            PERFORM reports_action_years_stale(NEW.partnership_id, LEAST(
                CASE WHEN OLD.completed_on IS DISTINCT FROM NEW.completed_on
                          OR OLD.status IS DISTINCT FROM NEW.status
                     THEN LEAST(OLD.completed_on, NEW.completed_on) END,
                CASE WHEN OLD.target_date IS DISTINCT FROM NEW.target_date
                     THEN LEAST(OLD.target_date, NEW.target_date) END,
                CASE WHEN OLD.status = {NI}
                     THEN (OLD.modified_at - interval '1 day')::date END,
                CASE WHEN NEW.status = {NI}
                     THEN (NEW.modified_at - interval '1 day')::date END,
                CASE WHEN OLD.status = {NI} OR NEW.status = {NI}
                     THEN {actions._pg_decided("NEW.id")} END));{status_year}
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """


PG_STATUS_YEAR = """
            IF OLD.status IS DISTINCT FROM NEW.status THEN
                PERFORM reports_action_years_stale_year(NEW.partnership_id,
                    (SELECT agreed_on FROM actions_recommendation
                     WHERE id = NEW.recommendation_id));
            END IF;"""
# Marks one year (the partnership's row first, as reports_action_years_stale does: ADR 0031).
PG_STALE_YEAR = """
    CREATE FUNCTION reports_action_years_stale_year(p bigint, day date) RETURNS void AS $$
    BEGIN
        IF p IS NULL OR day IS NULL THEN
            RETURN;
        END IF;
        INSERT INTO reports_actionyear (partnership_id, start_year, stale, stored, token, counts)
        VALUES (p, 0, true, false, '', '{}'::jsonb)
        ON CONFLICT (partnership_id, start_year) DO UPDATE SET stale = true;
        UPDATE reports_actionyear SET stale = true
        WHERE partnership_id = p AND start_year > 0 AND start_year = FY_OF_DAY;
    END;
    $$ LANGUAGE plpgsql
    """.replace("FY_OF_DAY", actions.PG_FY.format(d="day"))

# Screening: a track counts in the financial year of the local day it was opened. The local day
# is the UTC day or the next (British time is UTC or an hour ahead): both years are marked.
TRACK_COLUMNS = ("case_id", "review_type", "screening_result", "created_at")


def _sqlite_track_stale(row: str) -> str:
    years = ", ".join(
        actions._fy_sqlite(f"date({row}.created_at{shift})") for shift in ("", ", '+1 hour'")
    )
    return (
        "UPDATE reports_actionyear SET stale = 1 WHERE partnership_id = "  # noqa: S608
        f"(SELECT partnership_id FROM referrals_case WHERE id = {row}.case_id) "
        f"AND start_year > 0 AND start_year IN ({years});"
    )


SQLITE_TRACK_FIRST = "(SELECT date(MIN(created_at)) FROM referrals_track WHERE case_id = NEW.id)"
SQLITE_TRACKS = [
    "CREATE TRIGGER reports_action_years_track_insert AFTER INSERT ON referrals_track BEGIN "
    + _sqlite_track_stale("NEW")
    + " END",
    "CREATE TRIGGER reports_action_years_track_delete AFTER DELETE ON referrals_track BEGIN "
    + _sqlite_track_stale("OLD")
    + " END",
    "CREATE TRIGGER reports_action_years_track_update AFTER UPDATE ON referrals_track WHEN "
    + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TRACK_COLUMNS)
    + " BEGIN "
    + _sqlite_track_stale("OLD")
    + " "
    + _sqlite_track_stale("NEW")
    + " END",
    "CREATE TRIGGER reports_action_years_case AFTER UPDATE ON referrals_case "
    "WHEN OLD.partnership_id IS NOT NEW.partnership_id BEGIN "
    + actions._sqlite_stale("OLD.partnership_id", SQLITE_TRACK_FIRST)
    + " "
    + actions._sqlite_stale("NEW.partnership_id", SQLITE_TRACK_FIRST)
    + " END",
]
SQLITE_TRACKS_REVERSE = [
    f"DROP TRIGGER IF EXISTS reports_action_years_{name}"
    for name in ("track_insert", "track_delete", "track_update", "case")
]


PG_TRACK_STALE = """
            PERFORM reports_action_years_stale_year(
                (SELECT partnership_id FROM referrals_case WHERE id = ROW.case_id),
                ((ROW.created_atSHIFT) AT TIME ZONE 'UTC')::date);"""


def _pg_track_stale(row: str) -> str:
    return "\n".join(
        PG_TRACK_STALE.replace("ROW", row).replace("SHIFT", shift)
        for shift in ("", " + interval '1 hour'")
    )


PG_TRACKS = [
    f"""
    CREATE FUNCTION reports_action_years_track() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN{_pg_track_stale("OLD")}
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN{_pg_track_stale("NEW")}
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION reports_action_years_case() RETURNS trigger AS $$
    DECLARE
        first_day date;
    BEGIN
        first_day := (SELECT (MIN(created_at) AT TIME ZONE 'UTC')::date FROM referrals_track
                      WHERE case_id = NEW.id);
        PERFORM reports_action_years_stale(OLD.partnership_id, first_day);
        PERFORM reports_action_years_stale(NEW.partnership_id, first_day);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER reports_action_years_track_insert_delete AFTER INSERT OR DELETE "
    "ON referrals_track FOR EACH ROW EXECUTE FUNCTION reports_action_years_track()",
    "CREATE TRIGGER reports_action_years_track_update AFTER UPDATE ON referrals_track "
    "FOR EACH ROW WHEN ("
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in TRACK_COLUMNS)
    + ") EXECUTE FUNCTION reports_action_years_track()",
    "CREATE TRIGGER reports_action_years_case AFTER UPDATE ON referrals_case FOR EACH ROW "
    "WHEN (OLD.partnership_id IS DISTINCT FROM NEW.partnership_id) "
    "EXECUTE FUNCTION reports_action_years_case()",
]
PG_TRACKS_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_action_years_track_insert_delete ON referrals_track",
    "DROP TRIGGER IF EXISTS reports_action_years_track_update ON referrals_track",
    "DROP TRIGGER IF EXISTS reports_action_years_case ON referrals_case",
    "DROP FUNCTION IF EXISTS reports_action_years_track()",
    "DROP FUNCTION IF EXISTS reports_action_years_case()",
]

SQLITE = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update",
    _sqlite_timeliness_update(SQLITE_TIMELINESS_CHANGED),
    "DROP TRIGGER IF EXISTS reports_action_years_update",
    _sqlite_action_update(" " + SQLITE_STATUS_YEAR),
    *SQLITE_TRACKS,
    "UPDATE reports_timelinessyear SET stale = 1",
    "UPDATE reports_actionyear SET stale = 1",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update",
    _sqlite_timeliness_update(timeliness.SQLITE_CHANGED),
    "DROP TRIGGER IF EXISTS reports_action_years_update",
    _sqlite_action_update(""),
    *SQLITE_TRACKS_REVERSE,
    "UPDATE reports_timelinessyear SET stale = 1",
    "UPDATE reports_actionyear SET stale = 1",
]
PG = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update ON clock_milestone",
    _pg_timeliness_update(PG_TIMELINESS_CHANGED),
    PG_STALE_YEAR,
    _pg_action_function(PG_STATUS_YEAR),
    *PG_TRACKS,
    "UPDATE reports_timelinessyear SET stale = true",
    "UPDATE reports_actionyear SET stale = true",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update ON clock_milestone",
    _pg_timeliness_update(timeliness.PG_CHANGED),
    _pg_action_function(""),
    *PG_TRACKS_REVERSE,
    "DROP FUNCTION IF EXISTS reports_action_years_stale_year(bigint, date)",
    "UPDATE reports_timelinessyear SET stale = true",
    "UPDATE reports_actionyear SET stale = true",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No kept-figure triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0024_case_closes_on"),
        ("reports", "0003_action_years"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
