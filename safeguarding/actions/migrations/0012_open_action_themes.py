import django.db.models.deletion
from django.db import migrations, models

# actions_themecount_row: each open action once under each theme its recommendation answers
# (issue 16, ADR 0060), with its partnership, owner agency, status, target date and the kind of
# its review. Named to sort after the tables whose inserts write it (actions_action and
# actions_themecount_recommendation): a backup is restored table by table in name order, each
# table's rows replacing what triggers wrote into it before (records/backup.py).
#
# Triggers keep it equal to a fresh list, whatever writes the rows, in the writer's
# transaction:
# - an action added, deleted, or changed in partnership, agency, status, target date or
#   recommendation: its rows removed, then (if it is open) one added under each theme its
#   recommendation answers (RecommendationTheme, itself kept by 0009's triggers);
# - a recommendation moved to another review, a review whose kind changes: the kind of their
#   actions' rows set again;
# - a recommendation gaining a theme (a RecommendationTheme row inserted) or losing one (the row
#   deleted at 0): its open actions added under (removed from) the theme. (0009's triggers change
#   only such a row's count, never its theme or recommendation.)
#
# On PostgreSQL an action's trigger first reads its recommendation and review FOR SHARE (as
# 0009's do; a change of the target date alone runs none of 0009's), and a RecommendationTheme
# row's trigger locks the recommendation FOR NO KEY UPDATE (0009's link and tag triggers, which
# write those rows, already hold it): a theme given to a recommendation while one of its actions
# is written waits for the other's commit, each trigger's later statements seeing its rows.

ROWS = "actions_themecount_row"
ANSWERED = "actions_themecount_recommendation"
ACTION = "actions_action"
RECOMMENDATION = "actions_recommendation"
REVIEW = "reviews_review"
OPEN = "('not_started', 'on_track', 'at_risk', 'completion_requested')"
COLUMNS = "action_id, theme_id, partnership_id, agency_id, status, target_date, review_kind"
ACTION_CHANGED = " OR ".join(
    f"OLD.{column} IS NOT NEW.{column}"
    for column in ("partnership_id", "agency_id", "status", "target_date", "recommendation_id")
)
RECOMMENDATION_CHANGED = "OLD.review_id IS NOT NEW.review_id"
REVIEW_KIND_CHANGED = "OLD.kind IS NOT NEW.kind"


def _action_add(row: str) -> str:
    """The action ``row``, if open, under each theme its recommendation answers."""
    return (
        f"INSERT INTO {ROWS} ({COLUMNS}) "
        f"SELECT {row}.id, rt.theme_id, {row}.partnership_id, {row}.agency_id, {row}.status, "
        f"{row}.target_date, v.kind FROM {ANSWERED} rt "
        f"JOIN {RECOMMENDATION} r ON r.id = rt.recommendation_id "
        f"JOIN {REVIEW} v ON v.id = r.review_id "
        f"WHERE rt.recommendation_id = {row}.recommendation_id AND {row}.status IN {OPEN};"
    )


def _action_take(row: str) -> str:
    return f"DELETE FROM {ROWS} WHERE action_id = {row}.id;"


def _answered_add(row: str) -> str:
    """The open actions of the recommendation ``row`` answers under its theme."""
    return (
        f"INSERT INTO {ROWS} ({COLUMNS}) "
        f"SELECT a.id, {row}.theme_id, a.partnership_id, a.agency_id, a.status, a.target_date, "
        f"v.kind FROM {ACTION} a JOIN {RECOMMENDATION} r ON r.id = a.recommendation_id "
        f"JOIN {REVIEW} v ON v.id = r.review_id "
        f"WHERE a.recommendation_id = {row}.recommendation_id AND a.status IN {OPEN};"
    )


def _answered_take(row: str) -> str:
    return (
        f"DELETE FROM {ROWS} WHERE theme_id = {row}.theme_id AND action_id IN ("
        f"SELECT id FROM {ACTION} WHERE recommendation_id = {row}.recommendation_id);"
    )


def _recommendation_kind(row: str) -> str:
    return (
        f"UPDATE {ROWS} SET review_kind = (SELECT kind FROM {REVIEW} WHERE id = {row}.review_id) "
        f"WHERE action_id IN (SELECT id FROM {ACTION} WHERE recommendation_id = {row}.id);"
    )


def _review_kind(row: str) -> str:
    return (
        f"UPDATE {ROWS} SET review_kind = {row}.kind WHERE action_id IN ("
        f"SELECT a.id FROM {ACTION} a JOIN {RECOMMENDATION} r ON r.id = a.recommendation_id "
        f"WHERE r.review_id = {row}.id);"
    )


# name, table, event, condition (SQLite spelling), body: the same statements on both databases.
# PostgreSQL fires a table's triggers in name order: these sort after 0009's (theme_count).
TRIGGERS = [
    ("actions_theme_row_insert", ACTION, "INSERT", "", _action_add("NEW")),
    ("actions_theme_row_delete", ACTION, "DELETE", "", _action_take("OLD")),
    (
        "actions_theme_row_update",
        ACTION,
        "UPDATE",
        ACTION_CHANGED,
        _action_take("OLD") + " " + _action_add("NEW"),
    ),
    (
        "actions_theme_row_recommendation",
        RECOMMENDATION,
        "UPDATE",
        RECOMMENDATION_CHANGED,
        _recommendation_kind("NEW"),
    ),
    ("actions_theme_row_review", REVIEW, "UPDATE", REVIEW_KIND_CHANGED, _review_kind("NEW")),
    ("actions_theme_row_answered_insert", ANSWERED, "INSERT", "", _answered_add("NEW")),
    ("actions_theme_row_answered_delete", ANSWERED, "DELETE", "", _answered_take("OLD")),
]

SQLITE = [
    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
    + (f"WHEN {condition} " if condition else "")
    + f"BEGIN {body} END"
    for name, table, event, condition, body in TRIGGERS
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {name}" for name, *_ in TRIGGERS]


def _pg_locks(name: str, table: str, event: str) -> str:
    """The locks taken before a trigger's statements (see the top)."""
    rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[event]
    if table == ACTION:
        return "".join(
            f"PERFORM 1 FROM {RECOMMENDATION} r JOIN {REVIEW} v ON v.id = r.review_id "
            f"WHERE r.id = {row}.recommendation_id FOR SHARE OF r, v; "
            for row in rows
        )
    if table == ANSWERED:
        return "".join(
            f"PERFORM 1 FROM {RECOMMENDATION} WHERE id = {row}.recommendation_id "
            "FOR NO KEY UPDATE; "
            for row in rows
        )
    return ""


def _pg(name: str, table: str, event: str, condition: str, body: str) -> list[str]:
    when = f"WHEN ({condition.replace(' IS NOT ', ' IS DISTINCT FROM ')}) " if condition else ""
    return [
        f"""
        CREATE FUNCTION {name}() RETURNS trigger AS $$
        BEGIN
            {_pg_locks(name, table, event)}
            {body}
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}"
        f"EXECUTE FUNCTION {name}()",
    ]


PG = [statement for trigger in TRIGGERS for statement in _pg(*trigger)]
PG_REVERSE = [
    statement
    for name, table, *_ in TRIGGERS
    for statement in (
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"DROP FUNCTION IF EXISTS {name}()",
    )
]

# The rows of the actions already there (the same SQL on both databases).
FILL = [
    f"INSERT INTO {ROWS} ({COLUMNS}) "
    "SELECT a.id, rt.theme_id, a.partnership_id, a.agency_id, a.status, a.target_date, v.kind "
    f"FROM {ACTION} a JOIN {ANSWERED} rt ON rt.recommendation_id = a.recommendation_id "
    f"JOIN {RECOMMENDATION} r ON r.id = a.recommendation_id "
    f"JOIN {REVIEW} v ON v.id = r.review_id WHERE a.status IN {OPEN}",
]


def _run(statements, fill=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No open-action theme triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)
        if fill:
            for statement in FILL:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_partnership_roles"),
        ("actions", "0011_action_agency_dated"),
        ("reviews", "0021_chronology_months"),
    ]

    operations = [
        migrations.CreateModel(
            name="OpenActionTheme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=30)),
                ("target_date", models.DateField()),
                ("review_kind", models.CharField(max_length=20)),
                (
                    "action",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="actions.action",
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.agency",
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.partnership",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="actions.theme",
                    ),
                ),
            ],
            options={
                "db_table": "actions_themecount_row",
                "indexes": [
                    models.Index(
                        fields=[
                            "theme",
                            "partnership",
                            "review_kind",
                            "target_date",
                            "action",
                            "status",
                            "agency",
                        ],
                        name="open_theme_kind_dated",
                    ),
                    models.Index(
                        fields=[
                            "theme",
                            "partnership",
                            "target_date",
                            "action",
                            "status",
                            "agency",
                            "review_kind",
                        ],
                        name="open_theme_dated",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("action", "theme"), name="open_action_theme_once"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}, fill=True),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
