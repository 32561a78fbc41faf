import django.db.models.deletion
from django.db import migrations, models

# Triggers that mark a partnership's kept action figures stale (reports_actionyear, issue 16,
# ADR 0031) whenever a change can move them, in the writer's transaction, whatever the writer.
# The figures of a financial year (selectors.annual_action_sets) read an action's
# recommendation's agreed date, its completed date, status and target date, and, for an action
# decided against, when that was decided (its latest "not implemented" update, or the action's
# last change if none). An action open at the end of many years counts in each of them, so a
# change marks every kept year from the first it can move ("the floor"): the year of the
# earliest date the change touches, or, for an action added, deleted or moved to another
# recommendation or partnership, the earliest of all its dates. Datetimes are taken a day early
# (a financial year turns at local midnight, an hour from UTC in summer): a year too many is
# counted again, never one too few. A floor that cannot be read (a recommendation gone) marks
# every year.

NI = "'not_implemented'"


def _least_sqlite(*dates: str) -> str:
    """The earliest of the dates that are not NULL (NULL if none)."""
    return "(SELECT MIN(d) FROM (" + " UNION ALL ".join(f"SELECT {d} AS d" for d in dates) + "))"


def _fy_sqlite(day: str) -> str:
    return (
        f"(CAST(strftime('%Y', {day}) AS INTEGER) - (CAST(strftime('%m', {day}) AS INTEGER) < 4))"
    )


def _sqlite_dates(row: str) -> list[str]:
    """Every date of an action that puts it in a year's figures."""
    return [
        "COALESCE((SELECT agreed_on FROM actions_recommendation "
        f"WHERE id = {row}.recommendation_id), '0001-01-01')",
        f"date({row}.completed_on)",
        f"CASE WHEN {row}.status = {NI} THEN date({row}.modified_at, '-1 day') END",
        _sqlite_decided(f"{row}.id"),
    ]


def _sqlite_decided(action_id: str) -> str:
    return (
        "(SELECT date(MIN(created_at), '-1 day') FROM actions_actionupdate "
        f"WHERE action_id = {action_id} AND kind = {NI})"
    )


def _sqlite_stale(partnership: str, floor: str) -> str:
    return (
        "UPDATE reports_actionyear SET stale = 1 "
        f"WHERE partnership_id = {partnership} AND start_year > 0 "
        f"AND start_year >= {_fy_sqlite(floor)};"
    )


# Only what the figures read: a change of text, lead or agency leaves the years kept.
SQLITE_ACTION_CHANGED = (
    "OLD.partnership_id IS NOT NEW.partnership_id "
    "OR OLD.recommendation_id IS NOT NEW.recommendation_id "
    "OR OLD.status IS NOT NEW.status OR OLD.completed_on IS NOT NEW.completed_on "
    "OR OLD.target_date IS NOT NEW.target_date "
    f"OR ((OLD.status = {NI} OR NEW.status = {NI}) AND OLD.modified_at IS NOT NEW.modified_at)"
)
SQLITE_MOVED = (
    "(OLD.partnership_id IS NOT NEW.partnership_id "
    "OR OLD.recommendation_id IS NOT NEW.recommendation_id)"
)
# The earliest date an update in place touches: completing or reopening moves the year it was
# completed in and every later year end; a new target date the overdue figure from the earlier
# date; a decision not to implement, made or undone, the years from when it was decided.
SQLITE_CHANGE_FLOOR = _least_sqlite(
    "CASE WHEN OLD.completed_on IS NOT NEW.completed_on OR OLD.status IS NOT NEW.status "
    "THEN date(OLD.completed_on) END",
    "CASE WHEN OLD.completed_on IS NOT NEW.completed_on OR OLD.status IS NOT NEW.status "
    "THEN date(NEW.completed_on) END",
    "CASE WHEN OLD.target_date IS NOT NEW.target_date THEN date(OLD.target_date) END",
    "CASE WHEN OLD.target_date IS NOT NEW.target_date THEN date(NEW.target_date) END",
    f"CASE WHEN OLD.status = {NI} THEN date(OLD.modified_at, '-1 day') END",
    f"CASE WHEN NEW.status = {NI} THEN date(NEW.modified_at, '-1 day') END",
    f"CASE WHEN OLD.status = {NI} OR NEW.status = {NI} THEN {_sqlite_decided('NEW.id')} END",
)


def _sqlite_update_floor(row: str) -> str:
    return (
        f"CASE WHEN {SQLITE_MOVED} THEN {_least_sqlite(*_sqlite_dates(row))} "
        f"ELSE {SQLITE_CHANGE_FLOOR} END"
    )


def _sqlite_update_row(row: str) -> list[str]:
    """An update of a decision not to implement: its day, the action's earlier decisions and
    last change (the decided day if no update is left), for the action's partnership."""
    floor = _least_sqlite(
        f"date({row}.created_at, '-1 day')",
        _sqlite_decided(f"{row}.action_id"),
        f"(SELECT date(modified_at, '-1 day') FROM actions_action WHERE id = {row}.action_id)",
    )
    return [
        _sqlite_stale(
            f"(SELECT partnership_id FROM actions_action WHERE id = {row}.action_id)", floor
        )
    ]


SQLITE = [
    "CREATE TRIGGER reports_action_years_insert AFTER INSERT ON actions_action BEGIN "
    + _sqlite_stale("NEW.partnership_id", _least_sqlite(*_sqlite_dates("NEW")))
    + " END",
    "CREATE TRIGGER reports_action_years_delete AFTER DELETE ON actions_action BEGIN "
    + _sqlite_stale("OLD.partnership_id", _least_sqlite(*_sqlite_dates("OLD")))
    + " END",
    f"CREATE TRIGGER reports_action_years_update AFTER UPDATE ON actions_action "
    f"WHEN {SQLITE_ACTION_CHANGED} BEGIN "
    + _sqlite_stale("OLD.partnership_id", _sqlite_update_floor("OLD"))
    + " "
    + _sqlite_stale("NEW.partnership_id", _sqlite_update_floor("NEW"))
    + " END",
    "CREATE TRIGGER reports_action_years_decision_insert AFTER INSERT ON actions_actionupdate "
    f"WHEN NEW.kind = {NI} BEGIN " + " ".join(_sqlite_update_row("NEW")) + " END",
    "CREATE TRIGGER reports_action_years_decision_delete AFTER DELETE ON actions_actionupdate "
    f"WHEN OLD.kind = {NI} BEGIN " + " ".join(_sqlite_update_row("OLD")) + " END",
    "CREATE TRIGGER reports_action_years_decision_update AFTER UPDATE ON actions_actionupdate "
    f"WHEN (OLD.kind = {NI} OR NEW.kind = {NI}) AND (OLD.kind IS NOT NEW.kind "
    "OR OLD.created_at IS NOT NEW.created_at OR OLD.action_id IS NOT NEW.action_id) BEGIN "
    + " ".join(_sqlite_update_row("OLD") + _sqlite_update_row("NEW"))
    + " END",
    "CREATE TRIGGER reports_action_years_agreed AFTER UPDATE ON actions_recommendation "
    "WHEN OLD.agreed_on IS NOT NEW.agreed_on BEGIN "
    "UPDATE reports_actionyear SET stale = 1 WHERE partnership_id IN "
    "(SELECT partnership_id FROM actions_action WHERE recommendation_id = NEW.id) "
    "AND start_year > 0 AND start_year >= "
    + _fy_sqlite(_least_sqlite("date(OLD.agreed_on)", "date(NEW.agreed_on)"))
    + "; END",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS reports_action_years_{name}"
    for name in (
        "insert",
        "delete",
        "update",
        "decision_insert",
        "decision_delete",
        "decision_update",
        "agreed",
    )
]

# PostgreSQL: the same floors in plpgsql. Each marking first takes the partnership's row
# (start_year 0): a page counting a year claims that row with the year's (selectors), so a page
# counting a year that had no row yet waits for a writer in progress, and a writer waits for a
# page's claim in progress, instead of a count that missed the change being kept (ADR 0031).
PG_FY = (
    "(EXTRACT(YEAR FROM {d})::integer - CASE WHEN EXTRACT(MONTH FROM {d}) < 4 THEN 1 ELSE 0 END)"
)


def _pg_decided(action_id: str) -> str:
    return (
        "(SELECT (MIN(created_at) - interval '1 day')::date FROM actions_actionupdate "
        f"WHERE action_id = {action_id} AND kind = {NI})"
    )


def _pg_all(row: str) -> str:
    return (
        "LEAST(COALESCE((SELECT agreed_on FROM actions_recommendation "
        f"WHERE id = {row}.recommendation_id), DATE '0001-01-01'), {row}.completed_on, "
        f"CASE WHEN {row}.status = {NI} THEN ({row}.modified_at - interval '1 day')::date END, "
        f"{_pg_decided(row + '.id')})"
    )


PG_ACTION_CHANGED = (
    "OLD.partnership_id IS DISTINCT FROM NEW.partnership_id "
    "OR OLD.recommendation_id IS DISTINCT FROM NEW.recommendation_id "
    "OR OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.completed_on IS DISTINCT FROM NEW.completed_on "
    "OR OLD.target_date IS DISTINCT FROM NEW.target_date "
    f"OR ((OLD.status = {NI} OR NEW.status = {NI}) "
    "AND OLD.modified_at IS DISTINCT FROM NEW.modified_at)"
)
PG = [
    f"""
    CREATE FUNCTION reports_action_years_stale(p bigint, from_day date) RETURNS void AS $$
    BEGIN
        IF p IS NULL OR from_day IS NULL THEN
            RETURN;
        END IF;
        INSERT INTO reports_actionyear (partnership_id, start_year, stale, stored, token, counts)
        VALUES (p, 0, true, false, '', '{{}}'::jsonb)
        ON CONFLICT (partnership_id, start_year) DO UPDATE SET stale = true;
        UPDATE reports_actionyear SET stale = true
        WHERE partnership_id = p AND start_year > 0 AND start_year >= {PG_FY.format(d="from_day")};
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION reports_action_years_action() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM reports_action_years_stale(NEW.partnership_id, {_pg_all("NEW")});
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM reports_action_years_stale(OLD.partnership_id, {_pg_all("OLD")});
        ELSIF OLD.partnership_id IS DISTINCT FROM NEW.partnership_id
              OR OLD.recommendation_id IS DISTINCT FROM NEW.recommendation_id THEN
            PERFORM reports_action_years_stale(OLD.partnership_id, {_pg_all("OLD")});
            PERFORM reports_action_years_stale(NEW.partnership_id, {_pg_all("NEW")});
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
                     THEN {_pg_decided("NEW.id")} END));
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION reports_action_years_decision() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = {NI} THEN
            PERFORM reports_action_years_stale(
                (SELECT partnership_id FROM actions_action WHERE id = OLD.action_id),
                LEAST((OLD.created_at - interval '1 day')::date, {_pg_decided("OLD.action_id")},
                      (SELECT (modified_at - interval '1 day')::date FROM actions_action
                       WHERE id = OLD.action_id)));
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.kind = {NI} THEN
            PERFORM reports_action_years_stale(
                (SELECT partnership_id FROM actions_action WHERE id = NEW.action_id),
                LEAST((NEW.created_at - interval '1 day')::date, {_pg_decided("NEW.action_id")},
                      (SELECT (modified_at - interval '1 day')::date FROM actions_action
                       WHERE id = NEW.action_id)));
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION reports_action_years_agreed() RETURNS trigger AS $$
    DECLARE
        p bigint;
    BEGIN
        FOR p IN SELECT DISTINCT partnership_id FROM actions_action
                 WHERE recommendation_id = NEW.id ORDER BY partnership_id LOOP
            PERFORM reports_action_years_stale(p, LEAST(OLD.agreed_on, NEW.agreed_on));
        END LOOP;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER reports_action_years_insert_delete AFTER INSERT OR DELETE ON actions_action "
    "FOR EACH ROW EXECUTE FUNCTION reports_action_years_action()",
    "CREATE TRIGGER reports_action_years_update AFTER UPDATE ON actions_action FOR EACH ROW "
    f"WHEN ({PG_ACTION_CHANGED}) EXECUTE FUNCTION reports_action_years_action()",
    "CREATE TRIGGER reports_action_years_decision_insert_delete AFTER INSERT OR DELETE "
    f"ON actions_actionupdate FOR EACH ROW EXECUTE FUNCTION reports_action_years_decision()",
    "CREATE TRIGGER reports_action_years_decision_update AFTER UPDATE ON actions_actionupdate "
    f"FOR EACH ROW WHEN ((OLD.kind = {NI} OR NEW.kind = {NI}) AND (OLD.kind IS DISTINCT FROM "
    "NEW.kind OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.action_id IS DISTINCT "
    "FROM NEW.action_id)) EXECUTE FUNCTION reports_action_years_decision()",
    "CREATE TRIGGER reports_action_years_agreed AFTER UPDATE ON actions_recommendation "
    "FOR EACH ROW WHEN (OLD.agreed_on IS DISTINCT FROM NEW.agreed_on) "
    "EXECUTE FUNCTION reports_action_years_agreed()",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS reports_action_years_insert_delete ON actions_action",
    "DROP TRIGGER IF EXISTS reports_action_years_update ON actions_action",
    "DROP TRIGGER IF EXISTS reports_action_years_decision_insert_delete ON actions_actionupdate",
    "DROP TRIGGER IF EXISTS reports_action_years_decision_update ON actions_actionupdate",
    "DROP TRIGGER IF EXISTS reports_action_years_agreed ON actions_recommendation",
    "DROP FUNCTION IF EXISTS reports_action_years_action()",
    "DROP FUNCTION IF EXISTS reports_action_years_decision()",
    "DROP FUNCTION IF EXISTS reports_action_years_agreed()",
    "DROP FUNCTION IF EXISTS reports_action_years_stale(bigint, date)",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No action-year triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_partnership_roles"),
        ("actions", "0006_action_counts"),
        ("reports", "0002_timeliness_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActionYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start_year", models.PositiveSmallIntegerField()),
                ("stale", models.BooleanField(default=True)),
                ("stored", models.BooleanField(default=False)),
                ("token", models.CharField(blank=True, max_length=32)),
                ("counts", models.JSONField(blank=True, default=dict)),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="action_years",
                        to="accounts.partnership",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("partnership", "start_year"), name="action_year_once"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
