import django.db.models.deletion
from django.db import migrations, models

# Triggers that keep reviews_chronologymonth (issue 16, ADR 0033) equal to a fresh count of the
# entries still in the chronology, whatever writes them: each insert, delete, or update of
# review, agency, day or archiving of a chronology entry recounts, in the writer's transaction,
# the (review, agency, month) it leaves and the one it enters, from the entries themselves
# (read from the chrono_timeline_live index). A recount, not a delta: the day bits cannot be
# taken away without knowing whether another entry is left that day. On PostgreSQL the writers
# of one review's chronology take a transaction-level advisory lock on it first, so a recount
# always sees every entry committed before it (two imports into one chronology take turns).

TABLE = "reviews_chronologymonth"
ENTRY = "reviews_chronologyentry"
CHANGED = (
    "OLD.review_id IS NOT NEW.review_id OR OLD.agency_id IS NOT NEW.agency_id "
    "OR OLD.occurred_on IS NOT NEW.occurred_on "
    "OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)"
)


def _sqlite_recount(row: str) -> str:
    month = f"date({row}.occurred_on, 'start of month')"
    key = f"review_id = {row}.review_id AND agency_id = {row}.agency_id"
    return (
        f"DELETE FROM {TABLE} WHERE {key} AND month = {month}; "
        f"INSERT INTO {TABLE} (review_id, agency_id, month, entries, days) "
        f"SELECT {row}.review_id, {row}.agency_id, {month}, COUNT(*), "
        "SUM(DISTINCT 1 << (CAST(strftime('%d', occurred_on) AS INTEGER) - 1)) "
        f"FROM {ENTRY} WHERE {key} AND archived_at IS NULL "
        f"AND occurred_on >= {month} AND occurred_on < date({month}, '+1 month') "
        "GROUP BY review_id HAVING COUNT(*) > 0;"
    )


SQLITE = [
    f"CREATE TRIGGER reviews_chronology_months_insert AFTER INSERT ON {ENTRY} "
    f"WHEN NEW.archived_at IS NULL BEGIN {_sqlite_recount('NEW')} END",
    f"CREATE TRIGGER reviews_chronology_months_delete AFTER DELETE ON {ENTRY} "
    f"WHEN OLD.archived_at IS NULL BEGIN {_sqlite_recount('OLD')} END",
    f"CREATE TRIGGER reviews_chronology_months_update AFTER UPDATE ON {ENTRY} "
    f"WHEN {CHANGED} BEGIN {_sqlite_recount('OLD')} {_sqlite_recount('NEW')} END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS reviews_chronology_months_insert",
    "DROP TRIGGER IF EXISTS reviews_chronology_months_delete",
    "DROP TRIGGER IF EXISTS reviews_chronology_months_update",
]

# 16033: this table's advisory lock class (issue 16, ADR 0033); the second key is the review.
PG = [
    f"""
    CREATE FUNCTION reviews_chronology_month_recount(r bigint, a bigint, d date)
    RETURNS void AS $$
    DECLARE
        m date := date_trunc('month', d)::date;
    BEGIN
        PERFORM pg_advisory_xact_lock(16033, r::integer);
        DELETE FROM {TABLE} WHERE review_id = r AND agency_id = a AND month = m;
        INSERT INTO {TABLE} (review_id, agency_id, month, entries, days)
        SELECT r, a, m, COUNT(*), bit_or(1 << (extract(day FROM occurred_on)::integer - 1))
        FROM {ENTRY}
        WHERE review_id = r AND agency_id = a AND archived_at IS NULL
          AND occurred_on >= m AND occurred_on < (m + interval '1 month')::date
        HAVING COUNT(*) > 0;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION reviews_chronology_months() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.archived_at IS NULL THEN
            PERFORM reviews_chronology_month_recount(
                OLD.review_id, OLD.agency_id, OLD.occurred_on);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.archived_at IS NULL THEN
            PERFORM reviews_chronology_month_recount(
                NEW.review_id, NEW.agency_id, NEW.occurred_on);
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"CREATE TRIGGER reviews_chronology_months_insert_delete AFTER INSERT OR DELETE ON {ENTRY} "
    "FOR EACH ROW EXECUTE FUNCTION reviews_chronology_months()",
    f"CREATE TRIGGER reviews_chronology_months_update AFTER UPDATE ON {ENTRY} FOR EACH ROW "
    f"WHEN ({CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
    "EXECUTE FUNCTION reviews_chronology_months()",
]
PG_REVERSE = [
    f"DROP TRIGGER IF EXISTS reviews_chronology_months_insert_delete ON {ENTRY}",
    f"DROP TRIGGER IF EXISTS reviews_chronology_months_update ON {ENTRY}",
    "DROP FUNCTION IF EXISTS reviews_chronology_months()",
    "DROP FUNCTION IF EXISTS reviews_chronology_month_recount(bigint, bigint, date)",
]

# The months of the entries already there.
FILL = {
    "sqlite": (
        f"INSERT INTO {TABLE} (review_id, agency_id, month, entries, days) "
        "SELECT review_id, agency_id, date(occurred_on, 'start of month'), COUNT(*), "
        "SUM(DISTINCT 1 << (CAST(strftime('%d', occurred_on) AS INTEGER) - 1)) "
        f"FROM {ENTRY} WHERE archived_at IS NULL "
        "GROUP BY review_id, agency_id, date(occurred_on, 'start of month')"
    ),
    "postgresql": (
        f"INSERT INTO {TABLE} (review_id, agency_id, month, entries, days) "
        "SELECT review_id, agency_id, date_trunc('month', occurred_on)::date, COUNT(*), "
        "bit_or(1 << (extract(day FROM occurred_on)::integer - 1)) "
        f"FROM {ENTRY} WHERE archived_at IS NULL "
        "GROUP BY review_id, agency_id, date_trunc('month', occurred_on)::date"
    ),
}


def _run(statements, fill=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No chronology-month triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)
        if fill:
            schema_editor.execute(FILL[vendor], params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_partnership_roles"),
        ("reviews", "0020_chronology_timeline_live_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChronologyMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("entries", models.PositiveIntegerField()),
                ("days", models.IntegerField()),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.agency",
                    ),
                ),
                (
                    "review",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reviews.review",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("review", "month", "agency"), name="chronology_month_once"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}, fill=True),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
