"""File-based SQLite databases for tests of locking, beside the test database.

The test database is in memory and shared by one connection, so it cannot show what several
server threads do to a database file. ``sqlite_file`` adds a database alias for a file made with
the same function the settings use (``sqlite_for_web_server``), creates the tables a test needs,
and removes the alias afterwards.
"""

import contextlib
from pathlib import Path

import environ
from django.db import connections

from config.settings.base import sqlite_for_web_server


def sqlite_settings(path: Path, *, tuned: bool = True, timeout: float | None = None) -> dict:
    """Database settings for the SQLite file ``path``: as the service configures any SQLite
    URL (``tuned``), or as Django would without that (the settings before issue 12)."""
    database = environ.Env.db_url_config(f"sqlite:///{path}")
    if tuned:
        database = sqlite_for_web_server(database)
    if timeout is not None:
        database.setdefault("OPTIONS", {})["timeout"] = timeout
    return database


@contextlib.contextmanager
def sqlite_file(alias: str, database: dict, models: list):
    """Register ``alias`` for ``database`` and create the tables of ``models`` in it."""
    connections.settings[alias] = connections.configure_settings({"default": database})["default"]
    try:
        with connections[alias].schema_editor() as editor:
            for model in models:
                editor.create_model(model)
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]  # this thread's connection object, which knows the file
        del connections.settings[alias]


class RouteEverythingTo:
    """A database router (an instance in DATABASE_ROUTERS) that sends every read and write to
    one alias."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias

    def allow_relation(self, obj1, obj2, **hints):
        return True
