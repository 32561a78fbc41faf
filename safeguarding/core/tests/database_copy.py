"""A second test database made as a copy of the first, not by migrating it again.

The test settings have a second database, ``restore_drill`` (the backup and restore drill,
records/tests/test_backup_drill.py), on the same engine and server as the default one. Django
creates every test database the same way: it runs every migration on it. Migrating renders
Django's model states again and again (about 50 s of CPU for this project's migrations), and
each pytest-xdist worker did it twice, once per database, before its first test.

A copy of the default test database just migrated is the same database: the same tables,
indexes, triggers, recorded migrations and the rows the migrations load. So the drill's
database is copied from it: SQLite's online backup of the file, PostgreSQL's
``CREATE DATABASE ... TEMPLATE``, each about a second. Also when databases are kept between
runs (``--reuse-db``, ``make test-fast``): the default one has just been brought up to date,
and a copy is never behind it. (Migrating the second database was also wrong in one way: the
data migrations write through the default connection, so the drill's database never got their
rows, and a kept default database emptied by a transactional test made them fail.)

tests/test_database_copy.py checks the copy against the default database: the same schema and
the same recorded migrations.
"""

import sqlite3
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections


def copy_of_default(alias: str) -> None:
    """Make Django create the ``alias`` test database as a copy of the default one (which
    Django creates first: every other test database depends on it unless told otherwise). On
    another engine than the project's two, Django migrates it as usual."""
    creation = connections[alias].creation
    connection = creation.connection
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    source = connections[DEFAULT_DB_ALIAS]

    def copy(name: str) -> None:
        if connection.vendor == "sqlite":
            _sqlite_copy(source, name)
        else:
            _postgresql_copy(creation, source, name)

    replace_create_test_db(creation, copy, source_label=repr(DEFAULT_DB_ALIAS))


def replace_create_test_db(creation, copy, source_label: str) -> None:
    """Make Django create this connection's test database with ``copy(name)`` (which makes
    the database ``name`` as a copy of a migrated one) in place of ``migrate``."""
    creation.create_test_db = partial(_create_test_db_as_copy, creation, copy, source_label)


def _create_test_db_as_copy(
    creation, copy, source_label, verbosity=1, autoclobber=False, serialize=True, keepdb=False
):
    """``BaseDatabaseCreation.create_test_db`` with a copy in place of ``migrate`` (the same
    arguments; a copy is made whatever ``keepdb`` says)."""
    connection = creation.connection
    name = creation._get_test_db_name()
    if verbosity >= 1:
        creation.log(
            f"Copying test database for alias "
            f"{creation._get_database_display_str(verbosity, name)} from {source_label}..."
        )
    connection.close()
    copy(name)
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    # The rest as Django does after migrating.
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    connection.ensure_connection()
    return name


def _sqlite_copy(source, name: str) -> None:
    """The default test database's file copied page by page (SQLite's online backup, which
    reads what is committed, write-ahead log included) in place of any file left at ``name``."""
    source.close()
    sqlite_file_copy(source.settings_dict["NAME"], name)


def sqlite_file_copy(source_name: str, name: str) -> None:
    """The SQLite database at ``source_name`` copied by SQLite's online backup to ``name``,
    in place of any file (and write-ahead log) left there."""
    for leftover in (name, f"{name}-wal", f"{name}-shm"):
        Path(leftover).unlink(missing_ok=True)
    read, target = sqlite3.connect(source_name), sqlite3.connect(name)
    try:
        read.backup(target)
    finally:
        target.close()
        read.close()


def _postgresql_copy(creation, source, name: str) -> None:
    """A new database with the default test database as its template. PostgreSQL refuses a
    template anyone is connected to: this process's connection to it is closed first (the
    worker's only one; each worker has its own test databases)."""
    source.close()
    source.close_pool()
    postgresql_template_copy(creation, source.settings_dict["NAME"], name)


def postgresql_template_copy(creation, source_name: str, name: str) -> None:
    """A new database ``name`` made with ``source_name`` as its template (no one may be
    connected to it), in place of any database left with that name."""
    quote = creation._quote_name
    with creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(source_name)}")
