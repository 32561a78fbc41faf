import django.db.models.deletion
from django.db import migrations, models

# The kept tables are named to sort after the tables whose inserts write them (actions_action and
# the two link tables): a backup is restored table by table in name order, each table's rows
# replacing what triggers wrote into it before (records/backup.py).
#
# Triggers that keep two tables equal to a fresh count, whatever writes the rows, in the
# writer's transaction (issue 16; ADR 0037 for the same on the tracker's plain counts):
#
# actions_themecount_action: the actions per (partnership, theme, owner agency, status, kind of
# their review, whether their recommendation has no impact result), an action counted once under
# each theme carried by a finding its recommendation answers:
# - an action added, deleted, or changed in partnership, agency, status or recommendation: one
#   added under each of its recommendation's themes to the row it enters, one taken from the row
#   it leaves;
# - a recommendation whose impact result becomes empty or not, or moved to another review, and a
#   review whose kind changes: their actions' counts moved, grouped (as in 0008);
# - a recommendation linked to a finding (or unlinked): its actions added under (taken from) each
#   theme of the finding that no other finding of the recommendation carries;
# - a finding given a theme (or losing it): the actions of each recommendation answering it added
#   under (taken from) the theme, unless another finding of that recommendation carries it.
#
# actions_themecount_finding: the theme links of the partnership's findings per (partnership,
# theme): a link added or deleted, a finding moved to another review, a review moved to another
# partnership.
#
# Deltas, not recounts. A grouped take is an upsert of a negative count followed by the removal
# of the theme's negative rows: a count row missing (a flush empties the tables in any order)
# is left missing. On PostgreSQL the upserts take the count's row lock; an action's trigger
# reads its recommendation and review FOR SHARE (as 0008's); a link's or a tag's trigger locks
# the finding's review FOR SHARE and the finding FOR NO KEY UPDATE (``_finding_locks``), then
# the recommendations it moves FOR NO KEY UPDATE, so two links giving one recommendation the
# same theme at once are counted in turn (the second sees the first's and adds nothing), and an
# action written meanwhile is counted by one of the two triggers, never both.

COUNT = "actions_themecount_action"
FINDING_COUNT = "actions_themecount_finding"
ANSWERED = "actions_themecount_recommendation"
ACTION = "actions_action"
RECOMMENDATION = "actions_recommendation"
REVIEW = "reviews_review"
FINDING = "reviews_finding"
ANSWERS = "actions_recommendation_findings"  # (recommendation_id, finding_id)
TAGS = "actions_theme_findings"  # (theme_id, finding_id)
KEY = ("theme_id", "partnership_id", "agency_id", "status", "review_kind", "impact_missing")
COLUMNS = ", ".join(KEY)
UPSERT = f"ON CONFLICT ({COLUMNS}) DO UPDATE SET n = {COUNT}.n + excluded.n"
ANSWERED_UPSERT = (
    f"ON CONFLICT (theme_id, recommendation_id) DO UPDATE SET n = {ANSWERED}.n + excluded.n"
)
FINDING_UPSERT = (
    f"ON CONFLICT (theme_id, partnership_id) DO UPDATE SET n = {FINDING_COUNT}.n + excluded.n"
)
ACTION_CHANGED = " OR ".join(
    f"OLD.{column} IS NOT NEW.{column}"
    for column in ("partnership_id", "agency_id", "status", "recommendation_id")
)
RECOMMENDATION_CHANGED = (
    "OLD.review_id IS NOT NEW.review_id "
    "OR (OLD.impact_result = '') IS NOT (NEW.impact_result = '')"
)
REVIEW_KIND_CHANGED = "OLD.kind IS NOT NEW.kind"
REVIEW_PARTNERSHIP_CHANGED = "OLD.partnership_id IS NOT NEW.partnership_id"
FINDING_CHANGED = "OLD.review_id IS NOT NEW.review_id"


def _themes_of(recommendation: str) -> str:
    """The themes carried by the findings the recommendation answers."""
    return (
        f"SELECT tf.theme_id FROM {ANSWERS} rf JOIN {TAGS} tf ON tf.finding_id = rf.finding_id "
        f"WHERE rf.recommendation_id = {recommendation}"
    )


def _action_add(row: str) -> str:
    """One added under each theme of the action ``row``'s recommendation (rows made if
    missing)."""
    return (
        f"INSERT INTO {COUNT} ({COLUMNS}, n) "
        f"SELECT tf.theme_id, {row}.partnership_id, {row}.agency_id, {row}.status, v.kind, "
        "r.impact_result = '', 1 "
        f"FROM {ANSWERS} rf JOIN {TAGS} tf ON tf.finding_id = rf.finding_id "
        f"JOIN {RECOMMENDATION} r ON r.id = rf.recommendation_id "
        f"JOIN {REVIEW} v ON v.id = r.review_id "
        f"WHERE rf.recommendation_id = {row}.recommendation_id "
        f"GROUP BY tf.theme_id, v.kind, r.impact_result {UPSERT};"
    )


def _action_take(row: str) -> str:
    """One taken under each theme of the action ``row``'s recommendation: an update, never an
    insert."""
    return (
        f"UPDATE {COUNT} SET n = n - 1 WHERE partnership_id = {row}.partnership_id "
        f"AND agency_id = {row}.agency_id AND status = {row}.status "
        "AND (review_kind, impact_missing) = ("
        f"SELECT v.kind, r.impact_result = '' FROM {RECOMMENDATION} r "
        f"JOIN {REVIEW} v ON v.id = r.review_id WHERE r.id = {row}.recommendation_id) "
        f"AND theme_id IN ({_themes_of(f'{row}.recommendation_id')});"
    )


def _recommendation(row: str, sign: str) -> str:
    """The actions of the recommendation ``row`` added under (taken from) each of its themes."""
    return (
        f"INSERT INTO {COUNT} ({COLUMNS}, n) "
        "SELECT tf.theme_id, a.partnership_id, a.agency_id, a.status, "
        f"(SELECT v.kind FROM {REVIEW} v WHERE v.id = {row}.review_id), "
        f"{row}.impact_result = '', {sign}COUNT(DISTINCT a.id) "
        f"FROM {ACTION} a JOIN {ANSWERS} rf ON rf.recommendation_id = a.recommendation_id "
        f"JOIN {TAGS} tf ON tf.finding_id = rf.finding_id "
        f"WHERE a.recommendation_id = {row}.id "
        f"GROUP BY tf.theme_id, a.partnership_id, a.agency_id, a.status {UPSERT};"
    )


def _review(row: str, sign: str) -> str:
    """The actions of the review ``row``'s recommendations added under (taken from) each of
    their themes."""
    return (
        f"INSERT INTO {COUNT} ({COLUMNS}, n) "
        f"SELECT tf.theme_id, a.partnership_id, a.agency_id, a.status, {row}.kind, "
        f"r.impact_result = '', {sign}COUNT(DISTINCT a.id) "
        f"FROM {ACTION} a JOIN {RECOMMENDATION} r ON r.id = a.recommendation_id "
        f"JOIN {ANSWERS} rf ON rf.recommendation_id = r.id "
        f"JOIN {TAGS} tf ON tf.finding_id = rf.finding_id "
        f"WHERE r.review_id = {row}.id "
        "GROUP BY tf.theme_id, a.partnership_id, a.agency_id, a.status, r.impact_result = '' "
        f"{UPSERT};"
    )


def _answer(row: str, sign: str) -> str:
    """A recommendation linked to (unlinked from) a finding, ``row``: its actions added under
    (taken from) each theme of the finding no other finding of the recommendation carries."""
    return (
        f"INSERT INTO {COUNT} ({COLUMNS}, n) "
        "SELECT tf.theme_id, a.partnership_id, a.agency_id, a.status, v.kind, "
        f"r.impact_result = '', {sign}COUNT(*) "
        f"FROM {TAGS} tf JOIN {RECOMMENDATION} r ON r.id = {row}.recommendation_id "
        f"JOIN {REVIEW} v ON v.id = r.review_id "
        f"JOIN {ACTION} a ON a.recommendation_id = r.id "
        f"WHERE tf.finding_id = {row}.finding_id AND NOT EXISTS ("
        f"SELECT 1 FROM {ANSWERS} rf2 JOIN {TAGS} t2 ON t2.finding_id = rf2.finding_id "
        f"WHERE rf2.recommendation_id = r.id AND rf2.finding_id <> {row}.finding_id "
        "AND t2.theme_id = tf.theme_id) "
        "GROUP BY tf.theme_id, a.partnership_id, a.agency_id, a.status, v.kind, "
        f"r.impact_result = '' {UPSERT};"
    )


def _tag(row: str, sign: str) -> str:
    """A finding given (losing) a theme, ``row``: the actions of each recommendation answering
    the finding added under (taken from) the theme, unless another finding of the
    recommendation carries it."""
    return (
        f"INSERT INTO {COUNT} ({COLUMNS}, n) "
        f"SELECT {row}.theme_id, a.partnership_id, a.agency_id, a.status, v.kind, "
        f"r.impact_result = '', {sign}COUNT(*) "
        f"FROM {ANSWERS} rf JOIN {RECOMMENDATION} r ON r.id = rf.recommendation_id "
        f"JOIN {REVIEW} v ON v.id = r.review_id "
        f"JOIN {ACTION} a ON a.recommendation_id = r.id "
        f"WHERE rf.finding_id = {row}.finding_id AND NOT EXISTS ("
        f"SELECT 1 FROM {ANSWERS} rf2 JOIN {TAGS} t2 ON t2.finding_id = rf2.finding_id "
        f"WHERE rf2.recommendation_id = r.id AND rf2.finding_id <> {row}.finding_id "
        f"AND t2.theme_id = {row}.theme_id) "
        "GROUP BY a.partnership_id, a.agency_id, a.status, v.kind, r.impact_result = '' "
        f"{UPSERT};"
    )


def _negatives_of(themes: str) -> str:
    """The rows a grouped take made negative (they were missing) removed again."""
    return f"DELETE FROM {COUNT} WHERE theme_id IN ({themes}) AND n < 0;"


def _finding_tag(row: str, sign: str) -> str:
    """A theme link ``row`` added to (taken from) its finding's partnership's count."""
    return (
        f"INSERT INTO {FINDING_COUNT} (theme_id, partnership_id, n) "
        f"SELECT {row}.theme_id, v.partnership_id, {sign}1 "
        f"FROM {FINDING} f JOIN {REVIEW} v ON v.id = f.review_id "
        f"WHERE f.id = {row}.finding_id {FINDING_UPSERT};"
    )


def _finding(row: str, sign: str) -> str:
    """The theme links of the finding ``row`` added to (taken from) its review's partnership."""
    return (
        f"INSERT INTO {FINDING_COUNT} (theme_id, partnership_id, n) "
        f"SELECT tf.theme_id, v.partnership_id, {sign}COUNT(*) "
        f"FROM {TAGS} tf JOIN {REVIEW} v ON v.id = {row}.review_id "
        f"WHERE tf.finding_id = {row}.id GROUP BY tf.theme_id, v.partnership_id "
        f"{FINDING_UPSERT};"
    )


def _review_findings(row: str, sign: str) -> str:
    """The theme links of the review ``row``'s findings added to (taken from) its partnership."""
    return (
        f"INSERT INTO {FINDING_COUNT} (theme_id, partnership_id, n) "
        f"SELECT tf.theme_id, {row}.partnership_id, {sign}COUNT(*) "
        f"FROM {TAGS} tf JOIN {FINDING} f ON f.id = tf.finding_id "
        f"WHERE f.review_id = {row}.id GROUP BY tf.theme_id {FINDING_UPSERT};"
    )


def _answered_themes_add(row: str) -> str:
    """The themes of the finding a recommendation now answers (``row``) added to its list."""
    return (
        f"INSERT INTO {ANSWERED} (recommendation_id, theme_id, n) "
        f"SELECT {row}.recommendation_id, tf.theme_id, 1 FROM {TAGS} tf "
        f"WHERE tf.finding_id = {row}.finding_id {ANSWERED_UPSERT};"
    )


def _answered_themes_take(row: str) -> str:
    """The themes of the finding a recommendation no longer answers (``row``) taken from its
    list: an update, and the rows no finding carries any more removed."""
    return (
        f"UPDATE {ANSWERED} SET n = n - 1 WHERE recommendation_id = {row}.recommendation_id "
        f"AND theme_id IN (SELECT theme_id FROM {TAGS} WHERE finding_id = {row}.finding_id); "
        f"DELETE FROM {ANSWERED} WHERE recommendation_id = {row}.recommendation_id AND n <= 0;"
    )


def _tagged_add(row: str) -> str:
    """A finding's new theme (``row``) added to the lists of the recommendations answering it."""
    return (
        f"INSERT INTO {ANSWERED} (recommendation_id, theme_id, n) "
        f"SELECT rf.recommendation_id, {row}.theme_id, 1 FROM {ANSWERS} rf "
        f"WHERE rf.finding_id = {row}.finding_id {ANSWERED_UPSERT};"
    )


def _tagged_take(row: str) -> str:
    """A finding's theme taken away (``row``) from the lists of the recommendations answering
    it."""
    return (
        f"UPDATE {ANSWERED} SET n = n - 1 WHERE theme_id = {row}.theme_id "
        f"AND recommendation_id IN (SELECT recommendation_id FROM {ANSWERS} "
        f"WHERE finding_id = {row}.finding_id); "
        f"DELETE FROM {ANSWERED} WHERE theme_id = {row}.theme_id AND n <= 0;"
    )


FINDING_NEGATIVES = f"DELETE FROM {FINDING_COUNT} WHERE theme_id = OLD.theme_id AND n < 0;"

# name, table, event, condition (SQLite spelling), body: the same statements on both databases.
TRIGGERS = [
    ("actions_theme_count_insert", ACTION, "INSERT", "", _action_add("NEW")),
    ("actions_theme_count_delete", ACTION, "DELETE", "", _action_take("OLD")),
    (
        "actions_theme_count_update",
        ACTION,
        "UPDATE",
        ACTION_CHANGED,
        _action_take("OLD") + " " + _action_add("NEW"),
    ),
    (
        "actions_theme_count_recommendation",
        RECOMMENDATION,
        "UPDATE",
        RECOMMENDATION_CHANGED,
        _recommendation("OLD", "-") + " " + _recommendation("NEW", "+"),
    ),
    (
        "actions_theme_count_review",
        REVIEW,
        "UPDATE",
        REVIEW_KIND_CHANGED,
        _review("OLD", "-") + " " + _review("NEW", "+"),
    ),
    (
        "actions_theme_count_answer_insert",
        ANSWERS,
        "INSERT",
        "",
        _answer("NEW", "+") + " " + _answered_themes_add("NEW"),
    ),
    (
        "actions_theme_count_answer_delete",
        ANSWERS,
        "DELETE",
        "",
        _answer("OLD", "-")
        + " "
        + _negatives_of(f"SELECT theme_id FROM {TAGS} WHERE finding_id = OLD.finding_id")
        + " "
        + _answered_themes_take("OLD"),
    ),
    (
        "actions_theme_count_tag_insert",
        TAGS,
        "INSERT",
        "",
        _tag("NEW", "+") + " " + _finding_tag("NEW", "+") + " " + _tagged_add("NEW"),
    ),
    (
        "actions_theme_count_tag_delete",
        TAGS,
        "DELETE",
        "",
        _tag("OLD", "-")
        + " "
        + _negatives_of("SELECT OLD.theme_id")
        + " "
        + _finding_tag("OLD", "-")
        + " "
        + FINDING_NEGATIVES
        + " "
        + _tagged_take("OLD"),
    ),
    (
        "actions_theme_count_finding",
        FINDING,
        "UPDATE",
        FINDING_CHANGED,
        _finding("OLD", "-") + " " + _finding("NEW", "+"),
    ),
    (
        "actions_theme_count_review_partnership",
        REVIEW,
        "UPDATE",
        REVIEW_PARTNERSHIP_CHANGED,
        _review_findings("OLD", "-") + " " + _review_findings("NEW", "+"),
    ),
]

SQLITE = [
    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
    + (f"WHEN {condition} " if condition else "")
    + f"BEGIN {body} END"
    for name, table, event, condition, body in TRIGGERS
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {name}" for name, *_ in TRIGGERS]


# PostgreSQL: the locks taken before each trigger's statements (see the top).
def _pg_locks(name: str) -> str:
    action_lock = (
        "PERFORM 1 FROM {r} r JOIN {v} v ON v.id = r.review_id "
        "WHERE r.id = {row}.recommendation_id FOR SHARE OF r, v;"
    )
    if name == "actions_theme_count_insert":
        return action_lock.format(r=RECOMMENDATION, v=REVIEW, row="NEW")
    if name == "actions_theme_count_delete":
        return action_lock.format(r=RECOMMENDATION, v=REVIEW, row="OLD")
    if name == "actions_theme_count_update":
        return action_lock.format(r=RECOMMENDATION, v=REVIEW, row="OLD") + action_lock.format(
            r=RECOMMENDATION, v=REVIEW, row="NEW"
        )
    if name.startswith("actions_theme_count_answer"):
        row = "NEW" if name.endswith("insert") else "OLD"
        return _finding_locks(row) + (
            f"PERFORM 1 FROM {RECOMMENDATION} WHERE id = {row}.recommendation_id "
            "FOR NO KEY UPDATE;"
        )
    if name.startswith("actions_theme_count_tag"):
        row = "NEW" if name.endswith("insert") else "OLD"
        return _finding_locks(row) + (
            f"PERFORM 1 FROM {RECOMMENDATION} WHERE id IN (SELECT recommendation_id "
            f"FROM {ANSWERS} WHERE finding_id = {row}.finding_id) ORDER BY id FOR NO KEY UPDATE;"
        )
    return ""


def _finding_locks(row: str) -> str:
    """A link's or a tag's trigger first locks the finding's review FOR SHARE (a change of the
    review's kind or partnership waits, or is waited for) and then the finding FOR NO KEY
    UPDATE, in both triggers: linking a recommendation to a finding and giving that finding a
    theme at once are counted in turn, each trigger's later statements seeing the other's
    committed row (read committed: a new snapshot per statement), so neither misses the pair
    (found in review, 7 December)."""
    return (
        f"PERFORM 1 FROM {REVIEW} WHERE id = (SELECT review_id FROM {FINDING} "
        f"WHERE id = {row}.finding_id) FOR SHARE; "
        f"PERFORM 1 FROM {FINDING} WHERE id = {row}.finding_id FOR NO KEY UPDATE; "
    )


def _pg(name: str, table: str, event: str, condition: str, body: str) -> list[str]:
    when = f"WHEN ({condition.replace(' IS NOT ', ' IS DISTINCT FROM ')}) " if condition else ""
    return [
        f"""
        CREATE FUNCTION {name}() RETURNS trigger AS $$
        BEGIN
            {_pg_locks(name)}
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

# The counts of the rows already there (the same SQL on both databases).
FILL = [
    f"INSERT INTO {COUNT} ({COLUMNS}, n) "
    "SELECT t.theme_id, a.partnership_id, a.agency_id, a.status, v.kind, "
    "r.impact_result = '', COUNT(*) "
    f"FROM {ACTION} a JOIN {RECOMMENDATION} r ON r.id = a.recommendation_id "
    f"JOIN {REVIEW} v ON v.id = r.review_id "
    f"JOIN (SELECT DISTINCT rf.recommendation_id, tf.theme_id FROM {ANSWERS} rf "
    f"JOIN {TAGS} tf ON tf.finding_id = rf.finding_id) t ON t.recommendation_id = r.id "
    "GROUP BY t.theme_id, a.partnership_id, a.agency_id, a.status, v.kind, "
    "r.impact_result = ''",
    f"INSERT INTO {FINDING_COUNT} (theme_id, partnership_id, n) "
    "SELECT tf.theme_id, v.partnership_id, COUNT(*) "
    f"FROM {TAGS} tf JOIN {FINDING} f ON f.id = tf.finding_id "
    f"JOIN {REVIEW} v ON v.id = f.review_id GROUP BY tf.theme_id, v.partnership_id",
    f"INSERT INTO {ANSWERED} (recommendation_id, theme_id, n) "
    "SELECT rf.recommendation_id, tf.theme_id, COUNT(*) "
    f"FROM {ANSWERS} rf JOIN {TAGS} tf ON tf.finding_id = rf.finding_id "
    "GROUP BY rf.recommendation_id, tf.theme_id",
]


def _run(statements, fill=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No theme-count triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)
        if fill:
            for statement in FILL:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_partnership_roles"),
        ("actions", "0008_tracker_counts"),
        ("reviews", "0021_chronology_months"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActionThemeCount",
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
                (
                    "theme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="actions.theme",
                    ),
                ),
            ],
            options={
                "db_table": "actions_themecount_action",
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "theme",
                            "partnership",
                            "agency",
                            "status",
                            "review_kind",
                            "impact_missing",
                        ),
                        name="action_theme_count_once",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="FindingThemeCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("n", models.IntegerField()),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.partnership",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="actions.theme",
                    ),
                ),
            ],
            options={
                "db_table": "actions_themecount_finding",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("theme", "partnership"), name="finding_theme_count_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RecommendationTheme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("n", models.IntegerField()),
                (
                    "recommendation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="actions.recommendation",
                    ),
                ),
                (
                    "theme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="actions.theme",
                    ),
                ),
            ],
            options={
                "db_table": "actions_themecount_recommendation",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("theme", "recommendation"), name="recommendation_theme_once"
                    )
                ],
            },
        ),
        migrations.RemoveIndex(model_name="action", name="action_dated"),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["partnership", "status", "target_date", "agency", "recommendation"],
                name="action_dated_answering",
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}, fill=True),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
