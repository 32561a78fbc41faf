"""The annual figures' counts of reviews, recommendations agreed and impact recorded kept per
financial year with the action figures (issue 16, ADR 0031 amended, ADR 0056).

A kept action year (``reports_actionyear``) now also holds, for the year: the reviews signed
off in it with their findings and learning points, the reviews still ongoing at its end, the
recommendations agreed in it and the recommendations whose impact was recorded in it by
judgement (``selectors._count_annual``). Triggers mark the years such a count can move, in the
writer's transaction, whatever wrote it:

- ``reviews_review`` (added, deleted, or its partnership, kind, start or sign-off changed):
  every kept year from the earliest of its start and its sign-off (a day early: the year turns
  at local midnight), as a review ongoing at the end of many years counts in each; a review
  moved to another partnership, every year of both (its recommendations move with it);
- ``reviews_finding`` (added, deleted, or its review or kind changed): the years from its
  review's sign-off (none if the review is not signed off: it counts in no year);
- ``actions_recommendation`` (added, deleted, or its review, agreed day, impact day or
  judgement changed): the years from the earliest of its agreed and impact days, for its
  review's partnership.

On PostgreSQL each marking goes through ``reports_action_years_stale`` (``reports/0003``), which
takes the partnership's row (start_year 0) first, as every other writer's trigger and a page
claiming a year do (ADR 0031). Every kept year is marked stale: it is counted again, in the new
shape, on its first request."""

import importlib

from django.db import migrations

actions = importlib.import_module("safeguarding.reports.migrations.0003_action_years")

EVERY_YEAR = "'0001-01-01'"
REVIEW_COLUMNS = ("partnership_id", "kind", "started_on", "signed_off_at")
FINDING_COLUMNS = ("review_id", "kind")
RECOMMENDATION_COLUMNS = ("review_id", "agreed_on", "impact_recorded_on", "impact_judgement")


def _sqlite_changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _pg_changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def _review_partnership(review_id: str) -> str:
    return f"(SELECT partnership_id FROM reviews_review WHERE id = {review_id})"


# SQLite ---------------------------------------------------------------------------------------


def _sqlite_review_dates(row: str) -> list[str]:
    return [f"date({row}.started_on)", f"date({row}.signed_off_at, '-1 day')"]


SQLITE_REVIEW_UPDATE_FLOOR = (
    f"CASE WHEN OLD.partnership_id IS NOT NEW.partnership_id THEN {EVERY_YEAR} "
    f"ELSE {actions._least_sqlite(*_sqlite_review_dates('OLD'), *_sqlite_review_dates('NEW'))} END"
)


def _sqlite_finding_stale(row: str) -> str:
    return actions._sqlite_stale(
        _review_partnership(f"{row}.review_id"),
        "(SELECT date(signed_off_at, '-1 day') FROM reviews_review "  # noqa: S608
        f"WHERE id = {row}.review_id)",
    )


def _sqlite_recommendation_dates(row: str) -> list[str]:
    return [f"date({row}.agreed_on)", f"date({row}.impact_recorded_on)"]


def _sqlite_recommendation_stale(row: str, floor: str) -> str:
    return actions._sqlite_stale(_review_partnership(f"{row}.review_id"), floor)


SQLITE_RECOMMENDATION_UPDATE_FLOOR = actions._least_sqlite(
    *_sqlite_recommendation_dates("OLD"), *_sqlite_recommendation_dates("NEW")
)

SQLITE_TRIGGERS = [
    "CREATE TRIGGER reports_annual_review_insert AFTER INSERT ON reviews_review BEGIN "
    + actions._sqlite_stale(
        "NEW.partnership_id", actions._least_sqlite(*_sqlite_review_dates("NEW"))
    )
    + " END",
    "CREATE TRIGGER reports_annual_review_delete AFTER DELETE ON reviews_review BEGIN "
    + actions._sqlite_stale(
        "OLD.partnership_id", actions._least_sqlite(*_sqlite_review_dates("OLD"))
    )
    + " END",
    "CREATE TRIGGER reports_annual_review_update AFTER UPDATE ON reviews_review WHEN "
    + _sqlite_changed(REVIEW_COLUMNS)
    + " BEGIN "
    + actions._sqlite_stale("OLD.partnership_id", SQLITE_REVIEW_UPDATE_FLOOR)
    + " "
    + actions._sqlite_stale("NEW.partnership_id", SQLITE_REVIEW_UPDATE_FLOOR)
    + " END",
    "CREATE TRIGGER reports_annual_finding_insert AFTER INSERT ON reviews_finding BEGIN "
    + _sqlite_finding_stale("NEW")
    + " END",
    "CREATE TRIGGER reports_annual_finding_delete AFTER DELETE ON reviews_finding BEGIN "
    + _sqlite_finding_stale("OLD")
    + " END",
    "CREATE TRIGGER reports_annual_finding_update AFTER UPDATE ON reviews_finding WHEN "
    + _sqlite_changed(FINDING_COLUMNS)
    + " BEGIN "
    + _sqlite_finding_stale("OLD")
    + " "
    + _sqlite_finding_stale("NEW")
    + " END",
    "CREATE TRIGGER reports_annual_recommendation_insert AFTER INSERT ON actions_recommendation "
    "BEGIN "
    + _sqlite_recommendation_stale(
        "NEW", actions._least_sqlite(*_sqlite_recommendation_dates("NEW"))
    )
    + " END",
    "CREATE TRIGGER reports_annual_recommendation_delete AFTER DELETE ON actions_recommendation "
    "BEGIN "
    + _sqlite_recommendation_stale(
        "OLD", actions._least_sqlite(*_sqlite_recommendation_dates("OLD"))
    )
    + " END",
    "CREATE TRIGGER reports_annual_recommendation_update AFTER UPDATE ON actions_recommendation "
    "WHEN "
    + _sqlite_changed(RECOMMENDATION_COLUMNS)
    + " BEGIN "
    + _sqlite_recommendation_stale("OLD", SQLITE_RECOMMENDATION_UPDATE_FLOOR)
    + " "
    + _sqlite_recommendation_stale("NEW", SQLITE_RECOMMENDATION_UPDATE_FLOOR)
    + " END",
]
SQLITE_NAMES = [
    f"reports_annual_{table}_{operation}"
    for table in ("review", "finding", "recommendation")
    for operation in ("insert", "delete", "update")
]
SQLITE = [*SQLITE_TRIGGERS, "UPDATE reports_actionyear SET stale = 1"]
SQLITE_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES),
    "UPDATE reports_actionyear SET stale = 1",
]


# PostgreSQL -----------------------------------------------------------------------------------


def _pg_review_floor(row: str) -> str:
    return f"LEAST({row}.started_on, ({row}.signed_off_at - interval '1 day')::date)"


def _pg_finding_stale(row: str) -> str:
    return f"""
            PERFORM reports_action_years_stale(
                {_review_partnership(f"{row}.review_id")},
                (SELECT (signed_off_at - interval '1 day')::date FROM reviews_review
                 WHERE id = {row}.review_id));"""


def _pg_recommendation_stale(row: str, floor: str) -> str:
    return f"""
            PERFORM reports_action_years_stale(
                {_review_partnership(f"{row}.review_id")}, {floor});"""


PG_RECOMMENDATION_UPDATE_FLOOR = (
    "LEAST(OLD.agreed_on, OLD.impact_recorded_on, NEW.agreed_on, NEW.impact_recorded_on)"
)

PG = [
    f"""
    CREATE FUNCTION reports_annual_review() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM reports_action_years_stale(NEW.partnership_id, {_pg_review_floor("NEW")});
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM reports_action_years_stale(OLD.partnership_id, {_pg_review_floor("OLD")});
        ELSIF OLD.partnership_id IS DISTINCT FROM NEW.partnership_id THEN
            PERFORM reports_action_years_stale(OLD.partnership_id, DATE {EVERY_YEAR});
            PERFORM reports_action_years_stale(NEW.partnership_id, DATE {EVERY_YEAR});
        ELSE
            PERFORM reports_action_years_stale(NEW.partnership_id,
                LEAST({_pg_review_floor("OLD")}, {_pg_review_floor("NEW")}));
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION reports_annual_finding() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN{_pg_finding_stale("OLD")}
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN{_pg_finding_stale("NEW")}
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION reports_annual_recommendation() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN{
        _pg_recommendation_stale("NEW", "LEAST(NEW.agreed_on, NEW.impact_recorded_on)")
    }
        ELSIF TG_OP = 'DELETE' THEN{
        _pg_recommendation_stale("OLD", "LEAST(OLD.agreed_on, OLD.impact_recorded_on)")
    }
        ELSE{_pg_recommendation_stale("OLD", PG_RECOMMENDATION_UPDATE_FLOOR)}{
        _pg_recommendation_stale("NEW", PG_RECOMMENDATION_UPDATE_FLOOR)
    }
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER reports_annual_review_insert_delete AFTER INSERT OR DELETE ON reviews_review "
    "FOR EACH ROW EXECUTE FUNCTION reports_annual_review()",
    "CREATE TRIGGER reports_annual_review_update AFTER UPDATE ON reviews_review FOR EACH ROW "
    f"WHEN ({_pg_changed(REVIEW_COLUMNS)}) EXECUTE FUNCTION reports_annual_review()",
    "CREATE TRIGGER reports_annual_finding_insert_delete AFTER INSERT OR DELETE "
    "ON reviews_finding FOR EACH ROW EXECUTE FUNCTION reports_annual_finding()",
    "CREATE TRIGGER reports_annual_finding_update AFTER UPDATE ON reviews_finding FOR EACH ROW "
    f"WHEN ({_pg_changed(FINDING_COLUMNS)}) EXECUTE FUNCTION reports_annual_finding()",
    "CREATE TRIGGER reports_annual_recommendation_insert_delete AFTER INSERT OR DELETE "
    "ON actions_recommendation FOR EACH ROW EXECUTE FUNCTION reports_annual_recommendation()",
    "CREATE TRIGGER reports_annual_recommendation_update AFTER UPDATE ON actions_recommendation "
    f"FOR EACH ROW WHEN ({_pg_changed(RECOMMENDATION_COLUMNS)}) "
    "EXECUTE FUNCTION reports_annual_recommendation()",
    "UPDATE reports_actionyear SET stale = true",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_annual_review_insert_delete ON reviews_review",
    "DROP TRIGGER IF EXISTS reports_annual_review_update ON reviews_review",
    "DROP TRIGGER IF EXISTS reports_annual_finding_insert_delete ON reviews_finding",
    "DROP TRIGGER IF EXISTS reports_annual_finding_update ON reviews_finding",
    "DROP TRIGGER IF EXISTS reports_annual_recommendation_insert_delete ON actions_recommendation",
    "DROP TRIGGER IF EXISTS reports_annual_recommendation_update ON actions_recommendation",
    "DROP FUNCTION IF EXISTS reports_annual_review()",
    "DROP FUNCTION IF EXISTS reports_annual_finding()",
    "DROP FUNCTION IF EXISTS reports_annual_recommendation()",
    "UPDATE reports_actionyear SET stale = true",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No kept annual-count triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0011_action_agency_dated"),
        ("reviews", "0023_review_list_order"),
        ("reports", "0004_kept_pack_figures"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
