"""The restore drill's test database, made as a copy of the default one
(safeguarding/core/tests/database_copy.py), is the database migrating would have made: the same
tables, columns, indexes and triggers, and the same migrations recorded."""

import pytest
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

DRILL = "restore_drill"

SQLITE_SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
POSTGRESQL_SCHEMA = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, column_name""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE schemaname = 'public' ORDER BY indexname",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        ORDER BY conrelid::regclass::text, conname""",
    "triggers": """
        SELECT event_object_table, trigger_name, event_manipulation, action_statement
        FROM information_schema.triggers ORDER BY event_object_table, trigger_name,
        event_manipulation""",
    "functions": """
        SELECT proname, pg_get_functiondef(oid) FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace ORDER BY proname""",
}


def _schema(alias: str) -> dict:
    connection = connections[alias]
    queries = {"schema": SQLITE_SCHEMA} if connection.vendor == "sqlite" else POSTGRESQL_SCHEMA
    with connection.cursor() as cursor:
        result = {}
        for part, sql in queries.items():
            cursor.execute(sql)
            result[part] = cursor.fetchall()
    return result


@pytest.mark.django_db(databases=["default", DRILL])
def test_the_drill_database_has_the_default_databases_schema_and_migrations():
    default, drill = _schema("default"), _schema(DRILL)
    assert default == drill
    assert sum(map(len, drill.values())) > 500  # tables, indexes and triggers were read
    assert connections["default"].settings_dict["NAME"] != connections[DRILL].settings_dict["NAME"]

    def recorded(alias):
        return sorted(MigrationRecorder.Migration.objects.using(alias).values_list("app", "name"))

    assert recorded(DRILL) == recorded("default")
    assert len(recorded(DRILL)) > 100
