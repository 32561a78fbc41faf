"""The board pack's timeliness and actions-by-status figures kept per financial year (issue 16,
ADR 0031 amended, ADR 0027 amended).

- The timeliness years (``reports_timelinessyear``) now also keep, per rule, the milestones done
  within an agreed extension *with a reason recorded* (the board pack's "extensions with a
  reason"): the milestone trigger's list of columns gains ``extension_reason``.
- The action years (``reports_actionyear``) now also keep the actions of the recommendations
  agreed in the year by their status today (the board pack's "actions by status"): a change of
  an action's status marks the years from its recommendation's agreed date, as well as the
  dates it marked before.

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

SQLITE = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update",
    _sqlite_timeliness_update(SQLITE_TIMELINESS_CHANGED),
    "DROP TRIGGER IF EXISTS reports_action_years_update",
    _sqlite_action_update(" " + SQLITE_STATUS_YEAR),
    "UPDATE reports_timelinessyear SET stale = 1",
    "UPDATE reports_actionyear SET stale = 1",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update",
    _sqlite_timeliness_update(timeliness.SQLITE_CHANGED),
    "DROP TRIGGER IF EXISTS reports_action_years_update",
    _sqlite_action_update(""),
    "UPDATE reports_timelinessyear SET stale = 1",
    "UPDATE reports_actionyear SET stale = 1",
]
PG = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update ON clock_milestone",
    _pg_timeliness_update(PG_TIMELINESS_CHANGED),
    PG_STALE_YEAR,
    _pg_action_function(PG_STATUS_YEAR),
    "UPDATE reports_timelinessyear SET stale = true",
    "UPDATE reports_actionyear SET stale = true",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_timeliness_update ON clock_milestone",
    _pg_timeliness_update(timeliness.PG_CHANGED),
    _pg_action_function(""),
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
    dependencies = [("reports", "0003_action_years")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
