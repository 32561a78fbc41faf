import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Triggers that keep notifications_unreadcount (issue 16, ADR 0046) equal to a fresh count of
# each person's unread notifications (a recipient, no read_at), whatever writes them: an insert
# of an unread one adds one to its recipient's row (made if missing), a delete of one takes one
# away, an update that makes one read or unread, or gives it to someone else, does both, in the
# writer's transaction. A delta, not a recount: on PostgreSQL the upsert and the update take the
# count's row lock, so two writers add in turn and neither is lost. A count is taken away by an
# update, never an insert: a notification deleted after its count row (as a flush may do)
# leaves nothing behind.

TABLE = "notifications_unreadcount"
NOTIFICATION = "notifications_notification"


def _unread(row: str) -> str:
    return f"{row}.recipient_id IS NOT NULL AND {row}.read_at IS NULL"


CHANGED = (
    "OLD.recipient_id IS NOT NEW.recipient_id OR (OLD.read_at IS NULL) IS NOT (NEW.read_at IS NULL)"
)
ADD = (
    f"INSERT INTO {TABLE} (recipient_id, n) VALUES (NEW.recipient_id, 1) "
    f"ON CONFLICT (recipient_id) DO UPDATE SET n = {TABLE}.n + 1;"
)
TAKE = f"UPDATE {TABLE} SET n = n - 1 WHERE recipient_id = OLD.recipient_id;"

SQLITE = [
    f"CREATE TRIGGER notifications_unread_insert AFTER INSERT ON {NOTIFICATION} "
    f"WHEN {_unread('NEW')} BEGIN {ADD} END",
    f"CREATE TRIGGER notifications_unread_delete AFTER DELETE ON {NOTIFICATION} "
    f"WHEN {_unread('OLD')} BEGIN {TAKE} END",
    # Two triggers for an update, each with its own condition (SQLite has no IF): the count
    # the notification leaves, then the one it enters.
    f"CREATE TRIGGER notifications_unread_update_old AFTER UPDATE ON {NOTIFICATION} "
    f"WHEN ({CHANGED}) AND {_unread('OLD')} BEGIN {TAKE} END",
    f"CREATE TRIGGER notifications_unread_update_new AFTER UPDATE ON {NOTIFICATION} "
    f"WHEN ({CHANGED}) AND {_unread('NEW')} BEGIN {ADD} END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS notifications_unread_insert",
    "DROP TRIGGER IF EXISTS notifications_unread_delete",
    "DROP TRIGGER IF EXISTS notifications_unread_update_old",
    "DROP TRIGGER IF EXISTS notifications_unread_update_new",
]
PG = [
    f"""
    CREATE FUNCTION notifications_unread() RETURNS trigger AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF {_unread("OLD")} THEN
                {TAKE}
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF {_unread("NEW")} THEN
                {ADD}
            END IF;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"CREATE TRIGGER notifications_unread_insert_delete AFTER INSERT OR DELETE ON {NOTIFICATION} "
    "FOR EACH ROW EXECUTE FUNCTION notifications_unread()",
    f"CREATE TRIGGER notifications_unread_update AFTER UPDATE ON {NOTIFICATION} FOR EACH ROW "
    f"WHEN ({CHANGED.replace(' IS NOT ', ' IS DISTINCT FROM ')}) "
    "EXECUTE FUNCTION notifications_unread()",
]
PG_REVERSE = [
    f"DROP TRIGGER IF EXISTS notifications_unread_insert_delete ON {NOTIFICATION}",
    f"DROP TRIGGER IF EXISTS notifications_unread_update ON {NOTIFICATION}",
    "DROP FUNCTION IF EXISTS notifications_unread()",
]

# The counts of the notifications already there (the same SQL on both databases).
FILL = (
    f"INSERT INTO {TABLE} (recipient_id, n) "
    f"SELECT recipient_id, COUNT(*) FROM {NOTIFICATION} WHERE {_unread(NOTIFICATION)} "
    "GROUP BY recipient_id"
)


def _run(statements, fill=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = statements.get(vendor)
        if chosen is None:
            raise RuntimeError(f"No unread-count triggers for {vendor}")
        for statement in chosen:
            schema_editor.execute(statement, params=None)
        if fill:
            schema_editor.execute(FILL, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UnreadCount",
            fields=[
                (
                    "recipient",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": PG}, fill=True),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE}),
        ),
    ]
