"""Fixtures shared by every test: a partnership, a user for every role, a client per role."""

import gc
import os
import sys

import hypothesis
import pytest

from safeguarding.accounts.models import Role
from safeguarding.accounts.tests.factories import (
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    UserFactory,
)
from safeguarding.core.tests.hypothesis_examples import FAST as FAST_HYPOTHESIS

ROLES = [role.value for role in Role]

# `make test-fast` (HYPOTHESIS_EXAMPLES=fast): property tests that name no number of examples
# try 20, not Hypothesis's 100; those that name one try a fifth of it (core/tests/
# hypothesis_examples.py). `make test` and plain pytest runs try every example.
if FAST_HYPOTHESIS:
    hypothesis.settings.register_profile("fast", max_examples=20)
    hypothesis.settings.load_profile("fast")

#: The longest tests (the access matrix builds its world once and runs on one worker; the
#: migration round trip renders every migration state), handed out first so that the workers
#: finish together rather than one of them starting them last (make test-fast's wall time).
SLOWEST_FIRST = (
    "tests/test_access_matrix.py",
    "tests/test_migration_round_trip.py",
    # The longest journeys (18-48 s each on a quiet machine), first among the transactional
    # tests that pytest-django runs last: one of them started last kept a worker busy while the
    # others had finished.
    "tests/test_browser_reviews.py",
    "tests/test_browser_joint.py",
    "tests/test_browser_handoffs.py",
    "tests/test_browser_referrals.py",
    "tests/test_browser_actions.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """After pytest-randomly has shuffled the tests and before pytest-django puts the
    transactional ones last (both stable sorts after this one), move the slowest to the front:
    the random order and Django's order of test kinds are kept."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLOWEST_FIRST))


# CPython 3.11 keeps each thread's Python frames in 16 KiB "data stack chunks" and frees a chunk
# (munmap) as soon as the frame that opened it returns: a call stack that goes up and down across
# a chunk's edge maps and unmaps memory at every crossing (two system calls and four page faults;
# CPython issue 142183, fixed in 3.13 and later by keeping one chunk). A Django request's stack
# crosses one edge hundreds of times, so the tests spent about an eighth of their CPU in the
# kernel doing it. The tests run inside a frame of 256 KiB of locals instead: CPython opens a
# chunk of 512 KiB for it (the next power of two), which the rest of the stack shares without
# opening another. The frame only holds the run; nothing in it is read.
_DEEP_FRAME_LOCALS = 256 * 1024 // 8
_deep_frame: dict = {}
exec(  # noqa: S102 (a function with that many locals can only be written out)
    "def run_in_deep_frame(run):\n    if False:\n        "
    + " = ".join(f"unused_{i}" for i in range(_DEEP_FRAME_LOCALS))
    + " = None\n    return run()\n",
    _deep_frame,
)


# Python's cyclic garbage collector, with its default thresholds, ran a full collection every few
# seconds of tests, each time walking every object the process holds: the modules, the URL
# patterns, the compiled templates, the test items, most of them there from collection to the
# end. After collection they are frozen (gc.freeze: never walked again, as they are never
# garbage), and the youngest generation is collected after 10,000 new objects rather than 700:
# the garbage collector's time fell by half (about 5% of the tests' CPU). Garbage is collected
# as before, a little later.
GC_YOUNG_THRESHOLD = 10_000


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    """Run the test loop (pytest's, or pytest-xdist's on the controller and on each worker) in
    the deep frame above, after freezing what collection left (the garbage collector, above):
    the same hook, less this implementation."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    rest = session.config.pluginmanager.subset_hook_caller(
        "pytest_runtestloop", remove_plugins=[sys.modules[__name__]]
    )
    return _deep_frame["run_in_deep_frame"](lambda: rest(session=session))


def pytest_configure(config):
    """With pytest-xdist workers and new test databases, one process migrates a template test
    database while the workers start, and each worker's database is a copy of it
    (core/tests/template_database.py); the workers run the tests that need no database first.
    Every process renders migration states with less of Django's work (core/tests/migrating.py).
    """
    from safeguarding.core.tests import template_database
    from safeguarding.core.tests.migrating import faster_swappable_lookups

    faster_swappable_lookups()
    template = template_database.start(config)
    if template is not None:
        config.add_cleanup(template.close)
    if os.environ.get(template_database.ENVIRONMENT):
        config.pluginmanager.register(template_database.DatabaseFreeFirst(), "database-free-first")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's (each xdist worker's own database names); the default test database
    copied from the run's template when there is one (core/tests/template_database.py); and
    the restore drill's test database made as a copy of the default one, not migrated a second
    time (core/tests/database_copy.py: about 50 s of CPU per worker)."""
    from django.conf import settings

    from safeguarding.core.tests.database_copy import copy_of_default
    from safeguarding.core.tests.template_database import use_template_for_default

    use_template_for_default()
    if "restore_drill" in settings.DATABASES:
        copy_of_default("restore_drill")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A database kept by --reuse-db may have been emptied by the last run's transactional
    tests: put back the data the migrations load (tests/migration_data.py)."""
    from tests.migration_data import load_migration_data

    with django_db_blocker.unblock():
        load_migration_data()


@pytest.fixture(autouse=True)
def _migration_data_for_transactional_tests(request):
    """Each transactional test starts with the data the migrations load, which the one before
    it removed when it emptied the tables (so none depends on running first)."""
    marker = request.node.get_closest_marker("django_db")
    if (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    ):
        from tests.migration_data import load_migration_data

        request.getfixturevalue("transactional_db")
        load_migration_data()


@pytest.fixture
def partnership(db):
    return PartnershipFactory(name="Testshire Safeguarding Partnership", slug="testshire")


@pytest.fixture
def other_partnership(db):
    return PartnershipFactory(name="Elsewhere Safeguarding Partnership", slug="elsewhere")


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Testshire Police", slug="testshire-police")


@pytest.fixture
def user_for_role(partnership, agency):
    """Make a user holding ``role`` in the test partnership."""

    def make(role: str, **extra):
        user = UserFactory(**extra)
        MembershipFactory(
            user=user,
            partnership=partnership,
            role=role,
            agency=agency if role == Role.AGENCY_CONTRIBUTOR else None,
        )
        return user

    return make


@pytest.fixture
def business_unit_user(user_for_role):
    return user_for_role(Role.BUSINESS_UNIT, email="bu@testshire.example")


@pytest.fixture
def client_for(client, user_for_role):
    """A test client signed in as a new user with ``role`` (None: anonymous)."""

    def make(role: str | None):
        if role is not None:
            client.force_login(user_for_role(role))
        return client

    return make


@pytest.fixture
def bu_client(client, business_unit_user):
    client.force_login(business_unit_user)
    return client


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """A real one-page PDF (made once per test run: WeasyPrint takes about half a second)."""
    from safeguarding.workspace.documents import pdf_bytes

    return pdf_bytes("Sample procedure", ["A fictional document for tests."])


@pytest.fixture(scope="session")
def sample_docx() -> bytes:
    from safeguarding.workspace.documents import docx_bytes

    return docx_bytes("Sample referral form", ["A fictional document for tests."])


@pytest.fixture
def block(partnership, business_unit_user):
    from safeguarding.public_site import services

    return services.content_block_create(
        partnership=partnership,
        actor=business_unit_user,
        heading="Safeguarding Adults Reviews",
        body="First paragraph.\n\n- one point\n- another point",
        review_type="sar",
        position=10,
    )


@pytest.fixture
def document(partnership, business_unit_user, sample_pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguarding.core.uploads import PDF
    from safeguarding.public_site import services

    return services.public_document_upload(
        partnership=partnership,
        actor=business_unit_user,
        title="SAR procedure",
        category="procedure",
        review_type="sar",
        uploaded=SimpleUploadedFile("sar-procedure.pdf", sample_pdf),
        kind=PDF,
    )


@pytest.fixture(autouse=True)
def _empty_public_page_cache():
    """Each test starts with no cached public page (ADR 0047): the ids and version numbers of
    an earlier test's rolled-back partnerships come round again."""
    from django.core.cache import caches

    from safeguarding.public_site.content_version import forget_read_versions

    caches["public_pages"].clear()
    forget_read_versions()


@pytest.fixture(autouse=True)
def _library_search_vectors(request):
    """The library's sentence model is off in tests (config/settings/test.py: it is slow);
    tests marked ``search_vectors`` have it on, for the whole test and its fixtures."""
    if request.node.get_closest_marker("search_vectors") is None:
        yield
        return
    from django.test import override_settings

    from safeguarding.library.search_catalogue import clear_caches

    clear_caches()  # a catalogue cached without vectors must not be reused
    with override_settings(LIBRARY_SEARCH_VECTORS=True):
        yield
    clear_caches()
