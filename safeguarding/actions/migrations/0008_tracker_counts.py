import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Triggers that keep actions_actioncount (issue 16) equal to a fresh count of the actions by
# (partnership, owner agency, status, kind of their review, whether their recommendation has no
# impact result), whatever writes them, in the writer's transaction:
# - an action added, deleted, or changed in partnership, agency, status or recommendation: one
#   added to the row it enters, one taken from the row it leaves (its review's kind and its
#   recommendation's impact read from the recommendation and review as they are);
# - a recommendation whose impact result becomes empty or not, or moved to another review: its
#   actions' counts moved from the old row to the new, grouped;
# - a review whose kind changes: the counts of its recommendations' actions moved likewise.
# Deltas, not recounts. On PostgreSQL the upserts take the count's row lock (two writers add in
# turn), and an action's trigger reads its recommendation and review FOR SHARE: a change of the
# recommendation's impact or of the review's kind in progress makes it wait and then read the
# committed value, and an action written in a transaction still open makes such a change wait
# until it commits (its trigger then counts the action among the recommendation's), so no
# action is counted under a kind or an impact it no longer has.

TABLE = "actions_actioncount"
ACTION = "actions_action"
RECOMMENDATION = "actions_recommendation"
REVIEW = "reviews_review"
KEY = ("partnership_id", "agency_id", "status", "review_kind", "impact_missing")
COLUMNS = ", ".join(KEY)
UPSERT = f"ON CONFLICT ({COLUMNS}) DO UPDATE SET n = {TABLE}.n + excluded.n"
ACTION_CHANGED = " OR ".join(
    f"OLD.{column} IS NOT NEW.{column}"
    for column in ("partnership_id", "agency_id", "status", "recommendation_id")
)
RECOMMENDATION_CHANGED = (
    "OLD.review_id IS NOT NEW.review_id "
    "OR (OLD.impact_result = '') IS NOT (NEW.impact_result = '')"
)
REVIEW_CHANGED = "OLD.kind IS NOT NEW.kind"


def _action(row: str, sign: str) -> str:
    """One added to the row of the action ``row`` (sign "+"; made if missing)."""
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}, n) "
        f"SELECT {row}.partnership_id, {row}.agency_id, {row}.status, v.kind, "
        f"r.impact_result = '', {sign}1 "
        f"FROM {RECOMMENDATION} r JOIN {REVIEW} v ON v.id = r.review_id "
        f"WHERE r.id = {row}.recommendation_id {UPSERT};"
    )


def _take(row: str) -> str:
    """One taken from the row of the action ``row``: an update, never an insert, so an action
    deleted after its count row (a flush empties the tables in any order) leaves nothing."""
    return (
        f"UPDATE {TABLE} SET n = n - 1 WHERE partnership_id = {row}.partnership_id "
        f"AND agency_id = {row}.agency_id AND status = {row}.status "
        "AND (review_kind, impact_missing) = ("
        f"SELECT v.kind, r.impact_result = '' FROM {RECOMMENDATION} r "
        f"JOIN {REVIEW} v ON v.id = r.review_id WHERE r.id = {row}.recommendation_id);"
    )


def _recommendation(row: str, sign: str) -> str:
    """The actions of the recommendation ``row`` added to or taken from their rows."""
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}, n) "
        "SELECT a.partnership_id, a.agency_id, a.status, "
        f"(SELECT v.kind FROM {REVIEW} v WHERE v.id = {row}.review_id), "
        f"{row}.impact_result = '', {sign}COUNT(*) "
        f"FROM {ACTION} a WHERE a.recommendation_id = {row}.id "
        f"GROUP BY a.partnership_id, a.agency_id, a.status {UPSERT};"
    )


def _review(row: str, sign: str) -> str:
    """The actions of the review ``row``'s recommendations added to or taken from their rows."""
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}, n) "
        f"SELECT a.partnership_id, a.agency_id, a.status, {row}.kind, r.impact_result = '', "
        f"{sign}COUNT(*) FROM {ACTION} a JOIN {RECOMMENDATION} r ON r.id = a.recommendation_id "
        f"WHERE r.review_id = {row}.id "
        f"GROUP BY a.partnership_id, a.agency_id, a.status, r.impact_result = '' {UPSERT};"
    )


SQLITE = [
    f"CREATE TRIGGER actions_count_insert AFTER INSERT ON {ACTION} "
    f"BEGIN {_action('NEW', '+')} END",
    f"CREATE TRIGGER actions_count_delete AFTER DELETE ON {ACTION} "
    f"BEGIN {_take('OLD')} END",
    f"CREATE TRIGGER actions_count_update AFTER UPDATE ON {ACTION} WHEN {ACTION_CHANGED} "
    f"BEGIN {_take('OLD')} {_action('NEW', '+')} END",
    f"CREATE TRIGGER actions_count_recommendation AFTER UPDATE ON {RECOMMENDATION} "
    f"WHEN {RECOMMENDATION_CHANGED} "
    f"BEGIN {_recommendation('OLD', '-')} {_recommendation('NEW', '+')} END",
    f"CREATE TRIGGER actions_count_review AFTER UPDATE ON {REVIEW} WHEN {REVIEW_CHANGED} "
    f"BEGIN {_review('OLD', '-')} {_review('NEW', '+')} END",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "actions_count_insert",
        "actions_count_delete",
        "actions_count_update",
        "actions_count_recommendation",
        "actions_count_review",
    )
]

_LOCK = "FOR SHARE OF r, v"


def _pg_function(name: str, body: str) -> str:
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        {body}
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """


def _pg_lock_then(row: str, sign: str) -> str:
    # The recommendation and review read FOR SHARE first (an INSERT's SELECT may not lock).
    change = _action(row, "+") if sign == "+" else _take(row)
    return (
        f"PERFORM 1 FROM {RECOMMENDATION} r JOIN {REVIEW} v ON v.id = r.review_id "
        f"WHERE r.id = {row}.recommendation_id {_LOCK}; {change}"
    )


PG = [
    _pg_function(
        "actions_count_action",
        f"""IF TG_OP <> 'INSERT' THEN {_pg_lock_then("OLD", "-")} END IF;
        IF TG_OP <> 'DELETE' THEN {_pg_lock_then("NEW", "+")} END IF;""",
    ),
    _pg_function(
        "actions_count_recommendation",
        f"{_recommendation('OLD', '-')} {_recommendation('NEW', '+')}",
    ),
    _pg_function("actions_count_review", f"{_review('OLD', '-')} {_review('NEW', '+')}"),
    f"CREATE TRIGGER actions_count_insert_delete AFTER INSERT OR DELETE ON {ACTION} "
    "FOR EACH ROW EXECUTE FUNCTION actions_count_action()",
    f"CREATE TRIGGER actions_count_update AFTER UPDATE ON {ACTION} FOR EACH ROW "
    f"WHEN ({ACTION_CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
    "EXECUTE FUNCTION actions_count_action()",
    f"CREATE TRIGGER actions_count_recommendation AFTER UPDATE ON {RECOMMENDATION} "
    f"FOR EACH ROW WHEN ({RECOMMENDATION_CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
    "EXECUTE FUNCTION actions_count_recommendation()",
    f"CREATE TRIGGER actions_count_review AFTER UPDATE ON {REVIEW} FOR EACH ROW "
    f"WHEN ({REVIEW_CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
    "EXECUTE FUNCTION actions_count_review()",
]
PG_REVERSE = [
    f"DROP TRIGGER IF EXISTS actions_count_insert_delete ON {ACTION}",
    f"DROP TRIGGER IF EXISTS actions_count_update ON {ACTION}",
    f"DROP TRIGGER IF EXISTS actions_count_recommendation ON {RECOMMENDATION}",
    f"DROP TRIGGER IF EXISTS actions_count_review ON {REVIEW}",
    "DROP FUNCTION IF EXISTS actions_count_action()",
    "DROP FUNCTION IF EXISTS actions_count_recommendation()",
    "DROP FUNCTION IF EXISTS actions_count_review()",
]

# The counts of the actions already there (the same SQL on both databases).
FILL = (
    f"INSERT INTO {TABLE} ({COLUMNS}, n) "
    "SELECT a.partnership_id, a.agency_id, a.status, v.kind, r.impact_result = '', COUNT(*) "
    f"FROM {ACTION} a JOIN {RECOMMENDATION} r ON r.id = a.recommendation_id "
    f"JOIN {REVIEW} v ON v.id = r.review_id "
    "GROUP BY a.partnership_id, a.agency_id, a.status, v.kind, r.impact_result = ''"
)


def _run(statements, fill=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No action-count triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)
        if fill:
            schema_editor.execute(FILL, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_partnership_roles"),
        ("actions", "0007_recommendation_impact_recorded"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ActionCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=30)),
                ("review_kind", models.CharField(max_length=20)),
                ("impact_missing", models.BooleanField()),
                ("n", models.IntegerField()),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.agency",
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.partnership",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("partnership", "agency", "status", "review_kind", "impact_missing"),
                        name="action_count_once",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["partnership", "status", "target_date", "agency"], name="action_dated"
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}, fill=True),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
