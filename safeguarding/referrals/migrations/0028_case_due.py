import django.db.models.deletion
from django.db import migrations, models

# Triggers that keep referrals_casedue (issue 16) equal to a fresh reading of each case's own
# milestones still due: a row per case with one or more, holding the earliest due date and the
# case's partnership. Any insert, delete or update of a milestone whose subject is a case (its
# status, due date or subject) works the row of that case out again from its milestones (the
# ``milestone_subject`` index), in the writer's transaction; so does a change of a case's
# partnership. A recount of one case, not a delta: the earliest date cannot be taken away. On
# PostgreSQL the case's row is locked first, so two writers of one case's milestones recount in
# turn, each seeing the other's committed milestones.

TABLE = "referrals_casedue"
MILESTONE = "clock_milestone"
CASE = "referrals_case"
CASE_TYPE = "(SELECT id FROM django_content_type WHERE app_label = 'referrals' AND model = 'case')"


def _recount(case_id: str) -> list[str]:
    """The statements that work out the row of the case ``case_id`` (an SQL expression)."""
    return [
        f"DELETE FROM {TABLE} WHERE case_id = {case_id};",
        f"INSERT INTO {TABLE} (case_id, partnership_id, due_from) "
        f"SELECT c.id, c.partnership_id, MIN(m.due_on) FROM {CASE} c "
        f"JOIN {MILESTONE} m ON m.subject_id = c.id AND m.subject_type_id = {CASE_TYPE} "
        f"AND m.status = 'due' WHERE c.id = {case_id} GROUP BY c.id, c.partnership_id;",
    ]


def _of_case(row: str) -> str:
    return f"{row}.subject_type_id = {CASE_TYPE}"


CHANGED = (
    "OLD.status IS NOT NEW.status OR OLD.due_on IS NOT NEW.due_on "
    "OR OLD.subject_type_id IS NOT NEW.subject_type_id OR OLD.subject_id IS NOT NEW.subject_id"
)

SQLITE = [
    f"CREATE TRIGGER referrals_casedue_insert AFTER INSERT ON {MILESTONE} "
    f"WHEN {_of_case('NEW')} BEGIN {' '.join(_recount('NEW.subject_id'))} END",
    f"CREATE TRIGGER referrals_casedue_delete AFTER DELETE ON {MILESTONE} "
    f"WHEN {_of_case('OLD')} BEGIN {' '.join(_recount('OLD.subject_id'))} END",
    # Two triggers for an update (SQLite has no IF): the case the milestone leaves, then the
    # one it belongs to (the same case, most often: counted again, the same row).
    f"CREATE TRIGGER referrals_casedue_update_old AFTER UPDATE ON {MILESTONE} "
    f"WHEN ({CHANGED}) AND {_of_case('OLD')} BEGIN {' '.join(_recount('OLD.subject_id'))} END",
    f"CREATE TRIGGER referrals_casedue_update_new AFTER UPDATE ON {MILESTONE} "
    f"WHEN ({CHANGED}) AND {_of_case('NEW')} BEGIN {' '.join(_recount('NEW.subject_id'))} END",
    f"CREATE TRIGGER referrals_casedue_case_partnership AFTER UPDATE OF partnership_id ON {CASE} "
    f"WHEN OLD.partnership_id IS NOT NEW.partnership_id BEGIN "
    f"UPDATE {TABLE} SET partnership_id = NEW.partnership_id WHERE case_id = NEW.id; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS referrals_casedue_insert",
    "DROP TRIGGER IF EXISTS referrals_casedue_delete",
    "DROP TRIGGER IF EXISTS referrals_casedue_update_old",
    "DROP TRIGGER IF EXISTS referrals_casedue_update_new",
    "DROP TRIGGER IF EXISTS referrals_casedue_case_partnership",
]


def _pg_recount(case_id: str) -> str:
    return f"PERFORM 1 FROM {CASE} WHERE id = {case_id} FOR NO KEY UPDATE; " + " ".join(
        _recount(case_id)
    )


PG = [
    f"""
    CREATE FUNCTION referrals_casedue() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF {_of_case("OLD")} THEN
                {_pg_recount("OLD.subject_id")}
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF {_of_case("NEW")} AND (TG_OP = 'INSERT' OR OLD.subject_id IS DISTINCT FROM
                    NEW.subject_id OR OLD.subject_type_id IS DISTINCT FROM NEW.subject_type_id
                    OR NOT {_of_case("OLD")}) THEN
                {_pg_recount("NEW.subject_id")}
            END IF;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"CREATE TRIGGER referrals_casedue_insert_delete AFTER INSERT OR DELETE ON {MILESTONE} "
    "FOR EACH ROW EXECUTE FUNCTION referrals_casedue()",
    f"CREATE TRIGGER referrals_casedue_update AFTER UPDATE ON {MILESTONE} FOR EACH ROW "
    f"WHEN ({CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
    "EXECUTE FUNCTION referrals_casedue()",
    f"""
    CREATE FUNCTION referrals_casedue_partnership() RETURNS trigger AS $$
    BEGIN
        UPDATE {TABLE} SET partnership_id = NEW.partnership_id WHERE case_id = NEW.id;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"CREATE TRIGGER referrals_casedue_case_partnership AFTER UPDATE OF partnership_id ON {CASE} "
    "FOR EACH ROW WHEN (OLD.partnership_id IS DISTINCT FROM NEW.partnership_id) "
    "EXECUTE FUNCTION referrals_casedue_partnership()",
]
PG_REVERSE = [
    f"DROP TRIGGER IF EXISTS referrals_casedue_insert_delete ON {MILESTONE}",
    f"DROP TRIGGER IF EXISTS referrals_casedue_update ON {MILESTONE}",
    f"DROP TRIGGER IF EXISTS referrals_casedue_case_partnership ON {CASE}",
    "DROP FUNCTION IF EXISTS referrals_casedue()",
    "DROP FUNCTION IF EXISTS referrals_casedue_partnership()",
]

# The rows of the milestones already there (the same SQL on both databases).
FILL = (
    f"INSERT INTO {TABLE} (case_id, partnership_id, due_from) "
    f"SELECT c.id, c.partnership_id, MIN(m.due_on) FROM {CASE} c "
    f"JOIN {MILESTONE} m ON m.subject_id = c.id AND m.subject_type_id = {CASE_TYPE} "
    "AND m.status = 'due' GROUP BY c.id, c.partnership_id"
)


def _run(statements, fill=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No case-due triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)
        if fill:
            schema_editor.execute(FILL, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0027_referral_notification_counts"),
        ("clock", "0012_milestone_overdue_subject"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0005_partnership_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseDue",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="referrals.case",
                    ),
                ),
                ("due_from", models.DateField()),
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
                "db_table": "referrals_casedue",
                "indexes": [
                    models.Index(fields=["partnership", "due_from", "case"], name="case_due_overdue")
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}, fill=True),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
