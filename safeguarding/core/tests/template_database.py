"""One migration per test run, not one per pytest-xdist worker.

Each worker needs its own test database, and Django makes one by running every migration on
it: about 50 s of CPU here, nearly all of it Django rendering model states (ADR 0055). With
two workers that was two migrations side by side before the first test that needs a database,
after each worker had collected the tests (another 8-27 s of CPU each).

Instead, at the start of a run with workers, the controller starts one process that makes a
*template* test database the way Django makes any test database (``create_test_db``: every
migration, the cache table, the rows the data migrations load), while the workers start and
collect. Each worker's default test database is then a copy of the template (SQLite's online
backup of the file, PostgreSQL's ``CREATE DATABASE ... TEMPLATE``, about a second), made when
its first test needs a database; the tests that need none run first (``DatabaseFreeFirst``),
so the workers have work while the template is migrated. A copy of a migrated database is the
same database: tests/test_database_copy.py compares the schema and recorded migrations of the
copies, and the template is thrown away at the end of the run.

Not used with ``--reuse-db`` (``make test-fast``): each worker then keeps its own database and
migrates only what is new, as before. Nor without workers, nor with ``--collect-only``.

Run as a module, this file is the template-making process:
``python -m safeguarding.core.tests.template_database MARKER`` writes MARKER (JSON) when done.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pytest

ENVIRONMENT = "SAFEGUARDING_TEST_DATABASE_TEMPLATE"
#: How long a worker waits for the template before it gives up (a migration takes about a
#: minute on a slow machine).
WAIT_SECONDS = 20 * 60


def template_name(connection) -> str:
    """The template's name: the test database's own name (before pytest-xdist's worker suffix)
    with ``_template``."""
    return f"{connection.creation._get_test_db_name()}_template"


# The controller ---------------------------------------------------------------------------------


class Template:
    """The controller's side: starts the template-making process, and throws the template away
    at the end of the run."""

    def __init__(self) -> None:
        from django.conf import settings
        from django.db import connections

        self.directory = Path(tempfile.mkdtemp(prefix="safeguarding-test-template-"))
        self.marker = self.directory / "done.json"
        self.name = template_name(connections["default"])
        self.log = (self.directory / "migrate.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, this module)
            [sys.executable, "-m", __name__, str(self.marker)],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        os.environ[ENVIRONMENT] = str(self.marker)  # the workers start after this, with it

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()
        os.environ.pop(ENVIRONMENT, None)
        _drop(self.name)
        shutil.rmtree(self.directory, ignore_errors=True)


def start(config) -> "Template | None":
    """A template for this run, if it runs tests on pytest-xdist workers with new databases on
    one of the project's two engines (the workers copy it only on those)."""
    from django.db import connections

    if (
        connections["default"].vendor not in ("sqlite", "postgresql")
        or getattr(config, "workerinput", None) is not None
        or not config.pluginmanager.hasplugin("xdist")
        or not config.getoption("numprocesses", None)
        or config.getoption("dist", "no") == "no"
        or config.getoption("reuse_db", False)
        or config.getoption("nomigrations", False)
        or config.getoption("collectonly", False)
    ):
        return None
    return Template()


def _drop(name: str) -> None:
    from django.db import connections

    connection = connections["default"]
    if connection.vendor == "sqlite":
        for path in (name, f"{name}-wal", f"{name}-shm"):
            Path(path).unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.creation._quote_name(name)}")


# The workers ------------------------------------------------------------------------------------


def is_database_free(item) -> bool:
    """A test that needs no database, as pytest-django tells them apart (its ordering)."""
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return False
    if item.get_closest_marker("django_db") is not None:
        return False
    fixtures = getattr(item, "fixturenames", ())
    return not any(
        name in fixtures for name in ("db", "transactional_db", "live_server", "django_db_setup")
    )


class DatabaseFreeFirst:
    """A plugin for the workers of a run with a template (conftest.py registers it)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items) -> None:
        """The tests that need no database first, in the order they had among themselves
        (after pytest-randomly, conftest.py and pytest-django have ordered them): a worker
        runs them while the template is being migrated, rather than waiting for it."""
        items.sort(key=lambda item: not is_database_free(item))


def use_template_for_default() -> bool:
    """In a worker of a run with a template: make the default test database a copy of it.
    False if this run has no template."""
    marker = os.environ.get(ENVIRONMENT)
    if not marker:
        return False
    from django.db import connections

    from safeguarding.core.tests.database_copy import (
        postgresql_template_copy,
        replace_create_test_db,
        sqlite_file_copy,
    )

    creation = connections["default"].creation
    vendor = creation.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return False

    def copy(name: str) -> None:
        template = _wait_for(Path(marker))
        if vendor == "sqlite":
            sqlite_file_copy(template, name)
        else:
            postgresql_template_copy(creation, template, name)

    replace_create_test_db(creation, copy, source_label="the run's template")
    return True


def _wait_for(marker: Path) -> str:
    """The template's name once the template process is done; its error if it failed."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not marker.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"The template test database was not ready in {WAIT_SECONDS} s")
        time.sleep(0.1)
    done = json.loads(marker.read_text())
    if not done["ok"]:
        raise RuntimeError(f"Making the template test database failed:\n{done['error']}")
    return done["name"]


# The template-making process --------------------------------------------------------------------


def main(marker: Path) -> int:
    import django

    django.setup()
    from django.db import connections

    from safeguarding.core.tests.migrating import faster_swappable_lookups

    faster_swappable_lookups()
    connection = connections["default"]
    try:
        name = template_name(connection)
        connection.settings_dict["TEST"]["NAME"] = name
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        connection.close()
        done = {"ok": True, "name": name}
    except BaseException:
        done = {"ok": False, "error": traceback.format_exc()}
    written = marker.with_suffix(".tmp")
    written.write_text(json.dumps(done))
    written.replace(marker)  # all at once: a worker never reads half of it
    return 0 if done["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
