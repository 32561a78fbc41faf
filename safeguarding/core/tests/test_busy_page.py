"""If SQLite still answers "database is locked" (another request held the write lock for longer
than the busy timeout), the user gets the GOV.UK "service is busy" page, 503 with Retry-After,
instead of a 500 (issue 12, item 5).

The lock is real: a second connection to a database file holds the write lock while a request
tries to write to that file.
"""

import contextlib
import sqlite3

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError, connections, transaction
from django.http import HttpResponse
from django.urls import include, path

from safeguarding.core.errors_views import server_error
from safeguarding.core.models import RateLimitHit

from .sqlite_files import sqlite_file, sqlite_settings

ALIAS = "busy"


@login_not_required
def save_a_row(request):
    with transaction.atomic(using=ALIAS):
        RateLimitHit.objects.using(ALIAS).create(bucket="busy", key_hash="x")
    return HttpResponse("saved")


@login_not_required
def read_a_missing_table(request):
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    return HttpResponse("read")


urlpatterns = [
    path("save/", save_a_row),
    path("missing/", read_a_missing_table),
    path("", include("config.urls")),
]


@pytest.fixture
def busy_database(tmp_path, django_db_blocker):
    """A database file whose write lock another connection can hold (``hold_write_lock``).
    A short busy timeout keeps the test quick."""
    file = tmp_path / "busy.db"
    with (
        django_db_blocker.unblock(),
        sqlite_file(ALIAS, sqlite_settings(file, timeout=0.2), [RateLimitHit]),
    ):

        @contextlib.contextmanager
        def hold_write_lock():
            other = sqlite3.connect(file, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                other.execute("ROLLBACK")
                other.close()

        yield hold_write_lock


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_database_is_locked_shows_the_busy_page_not_a_500(client, busy_database):
    with busy_database():
        response = client.get("/save/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "<title>Sorry, the service is busy – Manage safeguarding reviews</title>" in html
    assert '<h1 class="govuk-heading-l">Sorry, the service is busy</h1>' in html
    assert "Try again in a few seconds" in html
    assert 'class="govuk-skip-link"' in html
    # The response still went through the other middleware.
    assert response["X-Request-ID"]
    assert "camera=()" in response["Permissions-Policy"]
    # Nothing was saved; with the lock gone, the same request works.
    assert RateLimitHit.objects.using(ALIAS).count() == 0
    assert client.get("/save/").content == b"saved"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_other_database_errors_are_not_called_busy(client, busy_database):
    with pytest.raises(OperationalError, match="no such table"):
        client.get("/missing/")


@pytest.mark.django_db
def test_a_lock_met_outside_a_view_gets_the_busy_page_too(rf, busy_database):
    """E.g. saving the session after the view: no middleware sees that exception, the 500
    handler does."""
    with busy_database():
        try:
            save_a_row(rf.get("/"))
        except OperationalError:
            response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Sorry, the service is busy" in response.content.decode()


def test_any_other_fault_still_gets_the_500_page(rf):
    try:
        raise ValueError("a fault")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
