"""SQLite under several server threads at once (issue 12, item 5): with the options the settings
give every SQLite database (WAL, busy timeout, transactions that take the write lock when they
begin), concurrent writes wait their turn instead of failing with "database is locked".

Each test uses its own database file (not the in-memory test database), one connection per
thread, as a threaded server would.
"""

import contextlib
import datetime
import threading

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections, transaction
from django.test import override_settings

from safeguarding.core.models import RateLimitHit
from safeguarding.core.rate_limits import RateLimit

from .sqlite_files import RouteEverythingTo, sqlite_file, sqlite_settings

THREADS = 8
ROUNDS = 15


def run_in_threads(alias: str, work, count: int) -> list[BaseException]:
    """Run ``work(n)`` in ``count`` threads, each with its own connection; the errors raised."""
    errors: list[BaseException] = []

    def target(n: int) -> None:
        try:
            work(n)
        except BaseException as error:  # every error is the test's result
            errors.append(error)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def read_then_write_pair(alias: str) -> list[BaseException]:
    """Two transactions that each read, then (once both have read, if they can) write: the
    pattern of a service that checks something before it saves (a rate limit, a number)."""
    both_have_read = threading.Barrier(2)

    def work(n: int) -> None:
        with transaction.atomic(using=alias):
            RateLimitHit.objects.using(alias).count()
            # Where a transaction holds the write lock from its start, the other one is still
            # waiting to begin: stop waiting for it and carry on.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_have_read.wait(timeout=1)
            RateLimitHit.objects.using(alias).create(bucket="pair", key_hash=str(n))

    return run_in_threads(alias, work, 2)


def test_the_settings_give_sqlite_wal_a_busy_timeout_and_immediate_transactions(tmp_path):
    options = sqlite_settings(tmp_path / "db.sqlite3")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == settings.SQLITE_BUSY_TIMEOUT_SECONDS == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA synchronous=NORMAL" in options["init_command"]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # The suite's own SQLite database gets them too (unless DATABASE_URL is PostgreSQL).
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_settings_are_left_as_they_are():
    import environ

    from config.settings.base import sqlite_for_web_server

    database = environ.Env.db_url_config("postgres://user:pw@127.0.0.1:5432/reviews")
    assert "transaction_mode" not in sqlite_for_web_server(database).get("OPTIONS", {})


def test_the_database_file_is_in_wal_mode(tmp_path, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        sqlite_file("wal", sqlite_settings(tmp_path / "w.db"), []),
        connections["wal"].cursor() as cursor,
    ):
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL


def test_two_transactions_that_read_then_write_both_succeed(tmp_path, django_db_blocker):
    database = sqlite_settings(tmp_path / "tuned.db")
    with django_db_blocker.unblock(), sqlite_file("tuned", database, [RateLimitHit]):
        errors = read_then_write_pair("tuned")
        assert errors == []
        assert RateLimitHit.objects.using("tuned").count() == 2


def test_without_these_options_the_same_pair_meets_database_is_locked(tmp_path, django_db_blocker):
    """The control: Django's defaults for SQLite (the settings before this change)."""
    database = sqlite_settings(tmp_path / "plain.db", tuned=False, timeout=2)
    with django_db_blocker.unblock(), sqlite_file("plain", database, [RateLimitHit]):
        errors = read_then_write_pair("plain")
    assert errors, "expected one of the two transactions to fail"
    assert all(isinstance(error, OperationalError) for error in errors)
    assert "database is locked" in str(errors[0])


def test_threads_saving_sessions_and_counting_rate_limits_meet_no_lock(tmp_path, django_db_blocker):
    """Eight threads at once, each saving new and existing sessions (what every signed-in
    request may do) and counting a rate limit in a transaction (read, then write)."""
    database = sqlite_settings(tmp_path / "load.db")
    limit = RateLimit(bucket="load", limit=10_000, window=datetime.timedelta(hours=1))
    with (
        django_db_blocker.unblock(),
        sqlite_file("load", database, [Session, RateLimitHit]),
        override_settings(DATABASE_ROUTERS=[RouteEverythingTo("load")]),
    ):

        def work(n: int) -> None:
            session = SessionStore()
            for round_ in range(ROUNDS):
                session["round"] = round_
                session.save()  # created on the first round, updated after
                with transaction.atomic(using="load"):
                    limit.exceeded(f"client-{n}")
                    limit.record(f"client-{n}")

        errors = run_in_threads("load", work, THREADS)
        assert errors == []
        assert Session.objects.count() == THREADS
        assert RateLimitHit.objects.filter(bucket="load").count() == THREADS * ROUNDS
