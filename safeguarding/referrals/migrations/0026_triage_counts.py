import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Triggers that keep referrals_referralcount (issue 16) equal to a fresh count of the referrals
# by (partnership, review type, age group, status), whatever writes them: an insert adds one to
# its row (made if missing), a delete takes one away, an update of any of the four columns does
# both, in the writer's transaction. A delta, not a recount: on PostgreSQL the upsert and the
# update take the count's row lock, so two writers add in turn and neither is lost.

TABLE = "referrals_referralcount"
REFERRAL = "referrals_referral"
KEY = ("partnership_id", "review_type", "age_group", "status")
CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in KEY)


def _add(row: str) -> str:
    values = ", ".join(f"{row}.{column}" for column in KEY)
    return (
        f"INSERT INTO {TABLE} ({', '.join(KEY)}, n) VALUES ({values}, 1) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = {TABLE}.n + 1;"
    )


def _take(row: str) -> str:
    where = " AND ".join(f"{column} = {row}.{column}" for column in KEY)
    return f"UPDATE {TABLE} SET n = n - 1 WHERE {where};"


SQLITE = [
    f"CREATE TRIGGER referrals_count_insert AFTER INSERT ON {REFERRAL} BEGIN {_add('NEW')} END",
    f"CREATE TRIGGER referrals_count_delete AFTER DELETE ON {REFERRAL} BEGIN {_take('OLD')} END",
    f"CREATE TRIGGER referrals_count_update AFTER UPDATE ON {REFERRAL} WHEN {CHANGED} "
    f"BEGIN {_take('OLD')} {_add('NEW')} END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS referrals_count_insert",
    "DROP TRIGGER IF EXISTS referrals_count_delete",
    "DROP TRIGGER IF EXISTS referrals_count_update",
]
PG = [
    f"""
    CREATE FUNCTION referrals_count() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            {_take("OLD")}
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {_add("NEW")}
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"CREATE TRIGGER referrals_count_insert_delete AFTER INSERT OR DELETE ON {REFERRAL} "
    "FOR EACH ROW EXECUTE FUNCTION referrals_count()",
    f"CREATE TRIGGER referrals_count_update AFTER UPDATE ON {REFERRAL} FOR EACH ROW "
    f"WHEN ({CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
    "EXECUTE FUNCTION referrals_count()",
]
PG_REVERSE = [
    f"DROP TRIGGER IF EXISTS referrals_count_insert_delete ON {REFERRAL}",
    f"DROP TRIGGER IF EXISTS referrals_count_update ON {REFERRAL}",
    "DROP FUNCTION IF EXISTS referrals_count()",
]

# The counts of the referrals already there (the same SQL on both databases).
FILL = (
    f"INSERT INTO {TABLE} ({', '.join(KEY)}, n) "
    f"SELECT {', '.join(KEY)}, COUNT(*) FROM {REFERRAL} GROUP BY {', '.join(KEY)}"
)


def _run(statements, fill=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No referral-count triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)
        if fill:
            schema_editor.execute(FILL, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_partnership_roles"),
        ("referrals", "0025_case_list_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferralCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("review_type", models.CharField(max_length=10)),
                ("age_group", models.CharField(max_length=20)),
                ("status", models.CharField(max_length=20)),
                ("n", models.IntegerField()),
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
                        fields=("partnership", "review_type", "age_group", "status"),
                        name="referral_count_once",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["partnership", "review_type", "status", "-received_on", "-id"],
                name="referral_type_status_newest",
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}, fill=True),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
