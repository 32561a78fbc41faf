"""Real identities are encrypted at rest (issue 12, item 6).

The identity of a person referred (``ReferralIdentity``) and of a person in a case
(``PersonIdentity``) are written through the services; the database then holds ciphertext only:

- SQLite: the bytes of the database file and of its write-ahead log, written by the service's own
  SQLite settings (WAL), do not contain the name, date of birth or address (a control: text that
  is not encrypted, the case's pseudonym, is found in the same bytes);
- SQLite and PostgreSQL: a raw ``SELECT`` of the columns returns Fernet tokens, which decrypt to
  the values given.

The pages still show the identity to the business unit after "show identity" and not to others,
the database refuses to filter by an encrypted column, a referral draft in the session holds no
plaintext. The migration that encrypts rows written before it (and decrypts them backwards) is
tested in tests/test_migration_round_trip.py, in the same round trip as the reminder engine's.
"""

import datetime
import json

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import FieldError
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Partnership, Role
from safeguarding.core.encryption import decrypt_text
from safeguarding.core.tests.sqlite_files import RouteEverythingTo, sqlite_file, sqlite_settings
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.models import ReferralIdentity
from safeguarding.referrals.tests.staff_support import ANSWERS
from safeguarding.reviews.models import PersonIdentity, Review
from safeguarding.reviews.running import services as review_services
from safeguarding.reviews.tests.review_support import make_lcspr

REFERRED = {
    "first_name": "Zephyrine",
    "last_name": "Quarterbridge",
    "other_names": "Zeffie Marchbanks",
    "date_of_birth": datetime.date(2013, 7, 21),
    "address": "17 Honeysuckle Wharf, Testshire",
}
IN_CASE = {
    "full_name": "Barnabus Wolfenden-Pike",
    "date_of_birth": datetime.date(1987, 11, 3),
    "address": "42 Larkspur Mews, Testshire",
}
OTHER_IDENTIFIERS = "NHS number 943 476 5919"
PSEUDONYM = "Child Quokka-Seven"

# What must never be in the database as plaintext, in the forms a date is written.
NEEDLES = [
    "Zephyrine",
    "Quarterbridge",
    "Marchbanks",
    "Honeysuckle Wharf",
    "2013-07-21",
    "21/07/2013",
    "Barnabus",
    "Wolfenden-Pike",
    "Larkspur Mews",
    "1987-11-03",
    "943 476 5919",
]


def _referral_with_identity(partnership: Partnership):
    referral, _ = referral_services.referral_submit(
        partnership=partnership, review_type="cspr", answers=ANSWERS, identity=REFERRED
    )
    return referral


def _person_with_identity(review: Review, actor):
    person = review_services.person_add(
        review=review,
        actor=actor,
        pseudonym="Adult Q",
        role_in_case="parent",
        **IN_CASE,
    )
    identity = person.identity
    identity.other_identifiers = OTHER_IDENTIFIERS
    identity.save()
    return person


def _found(data: bytes) -> list[str]:
    found = []
    for needle in NEEDLES:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            if needle.encode(encoding) in data:
                found.append(f"{needle} ({encoding})")
    return found


# The SQLite file --------------------------------------------------------------------------------


def test_the_sqlite_database_file_and_its_log_hold_no_name_date_of_birth_or_address(
    tmp_path, django_db_setup, django_db_blocker
):
    if connection.vendor != "sqlite":
        pytest.skip("reads a SQLite database file; PostgreSQL is checked by the raw SELECT test")
    # A database file with every model's table, written to by the services through the
    # service's own SQLite settings (WAL journal, IMMEDIATE transactions); the test database is
    # left alone.
    path = tmp_path / "reviews.sqlite3"
    alias = "identities_file"
    with (
        django_db_blocker.unblock(),
        sqlite_file(alias, sqlite_settings(path), apps.get_models()),
        override_settings(DATABASE_ROUTERS=[RouteEverythingTo(alias)]),
    ):
        partnership = Partnership.objects.create(
            name="Filetown Safeguarding Partnership",
            slug="filetown",
            kind="children",
            runs_cspr=True,
            area_name="Filetown",
        )
        actor = get_user_model().objects.create_user(
            "bu@filetown.example", None, full_name="Business Unit"
        )
        case = referral_services.case_open(
            referral=_referral_with_identity(partnership), pseudonym=PSEUDONYM, actor=actor
        )
        review = Review.objects.create(
            partnership=partnership,
            case=case,
            kind=Review.Kind.LCSPR,
            stage=Review.Stage.COMMISSIONING,
            reference="LCSPR-FILE-1",
            title=PSEUDONYM,
            started_on=timezone.localdate(),
        )
        _person_with_identity(review, actor)
        assert ReferralIdentity.objects.get().first_name == "Zephyrine"  # through the router
        with connections[alias].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA wal_checkpoint(FULL)")
        # Read while the connection is open: SQLite removes the log when the last one closes.
        log = path.with_name(path.name + "-wal").read_bytes()
        data = path.read_bytes() + log

    assert len(log) > 0  # the write-ahead log was there, and is scanned too
    assert PSEUDONYM.encode() in data  # the control: text that is not encrypted is found
    assert _found(data) == []


# A raw SELECT (SQLite and PostgreSQL) -----------------------------------------------------------


@pytest.fixture
def identities(partnership, business_unit_user):
    """A commissioned review whose case holds a second referral, with the identity given above,
    and a person in the case with theirs."""
    review, _makers = make_lcspr(partnership, business_unit_user)
    referral = _referral_with_identity(partnership)
    referral_services.referral_link_to_case(
        referral=referral, case=review.case, actor=business_unit_user
    )
    person = _person_with_identity(review, business_unit_user)
    return referral, person, review


@pytest.mark.django_db
def test_a_raw_select_returns_tokens_that_decrypt_to_the_identity(identities):
    referral, person, _review = identities
    columns = {
        "referrals_referralidentity": (
            "referral_id",
            referral.pk,
            ["first_name", "last_name", "other_names", "date_of_birth", "address"],
            {**REFERRED, "date_of_birth": "2013-07-21"},
        ),
        "reviews_personidentity": (
            "person_id",
            person.pk,
            ["full_name", "date_of_birth", "address", "other_identifiers"],
            {**IN_CASE, "date_of_birth": "1987-11-03", "other_identifiers": OTHER_IDENTIFIERS},
        ),
    }
    with connection.cursor() as cursor:
        for table, (key, pk, names, expected) in columns.items():
            cursor.execute(f"SELECT {', '.join(names)} FROM {table} WHERE {key} = %s", [pk])  # noqa: S608
            row = cursor.fetchone()
            for name, stored in zip(names, row, strict=True):
                assert stored.startswith("gAAAAA"), (table, name)
                assert _found(stored.encode()) == [], (table, name)
                assert decrypt_text(stored) == expected[name]
            if connection.vendor == "postgresql":
                # The whole row as PostgreSQL prints it.
                cursor.execute(f"SELECT t::text FROM {table} t WHERE {key} = %s", [pk])  # noqa: S608
                assert _found(cursor.fetchone()[0].encode()) == []


@pytest.mark.django_db
def test_the_models_read_the_identity_back(identities):
    referral, person, _review = identities
    identity = ReferralIdentity.objects.get(referral=referral)
    assert (identity.first_name, identity.last_name) == ("Zephyrine", "Quarterbridge")
    assert identity.date_of_birth == datetime.date(2013, 7, 21)
    assert identity.address == REFERRED["address"]
    stored = PersonIdentity.objects.get(person=person)
    assert stored.full_name == IN_CASE["full_name"]
    assert stored.date_of_birth == datetime.date(1987, 11, 3)
    assert stored.other_identifiers == OTHER_IDENTIFIERS


@pytest.mark.django_db
def test_the_database_refuses_to_filter_or_sort_by_an_encrypted_column(identities):
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(PersonIdentity.objects.filter(full_name="Barnabus Wolfenden-Pike"))
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(ReferralIdentity.objects.filter(last_name__icontains="quarter"))
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(ReferralIdentity.objects.filter(date_of_birth__year=2013))
    # Whether a value is held is not secret: isnull works.
    assert ReferralIdentity.objects.filter(date_of_birth__isnull=True).count() == 0
    assert ReferralIdentity.objects.filter(date_of_birth__isnull=False).count() == 2


# The pages --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_business_unit_sees_the_identities_and_an_agency_contributor_does_not(
    identities, bu_client, client_for, partnership
):
    referral, person, review = identities
    referral_page = reverse("referrals:identity", args=[partnership.slug, referral.pk])
    person_page = reverse(
        "reviews:person_identity",
        kwargs={"slug": partnership.slug, "pk": review.pk, "person_pk": person.pk},
    )
    shown = bu_client.post(referral_page).content.decode()  # "Show real name and details"
    assert "Zephyrine" in shown and "Quarterbridge" in shown and "21 July 2013" in shown
    shown = bu_client.post(person_page).content.decode()
    assert "Barnabus Wolfenden-Pike" in shown and "3 November 1987" in shown
    bu_client.logout()
    contributor = client_for(Role.AGENCY_CONTRIBUTOR)
    for url in (referral_page, person_page):
        response = contributor.post(url)
        assert response.status_code in (403, 404)
        assert "Zephyrine" not in response.content.decode()
        assert "Barnabus" not in response.content.decode()


@pytest.mark.django_db
def test_the_publication_identity_check_still_collects_the_names(identities):
    from safeguarding.publication.models import Publication
    from safeguarding.publication.publishing import identifiers_for

    _referral, _person, review = identities
    found = identifiers_for(Publication(review=review))
    assert "Zephyrine Quarterbridge" in found.names
    assert "Zeffie Marchbanks" in found.names
    assert "Barnabus Wolfenden-Pike" in found.names
    assert set(found.dates_of_birth) >= {datetime.date(2013, 7, 21), datetime.date(1987, 11, 3)}
    assert REFERRED["address"] in found.addresses
    assert OTHER_IDENTIFIERS in found.other


# A referral in progress -------------------------------------------------------------------------


ABOUT_THE_PERSON = {
    "first_name": "Zephyrine",
    "last_name": "Quarterbridge",
    "other_names": "",
    "date_of_birth_0": "21",
    "date_of_birth_1": "7",
    "date_of_birth_2": "2013",
    "age_years": "",
    "address": "17 Honeysuckle Wharf, Testshire",
}


@pytest.mark.django_db
def test_a_referral_draft_in_the_session_holds_no_plaintext_identity(client, partnership):
    page = reverse("refer:page", args=[partnership.slug, "cspr", "about-the-person"])
    response = client.post(page, ABOUT_THE_PERSON)
    assert response.status_code == 302
    session = Session.objects.get()
    decoded = SessionStore().decode(session.session_data)
    draft = decoded[f"referral_draft:{partnership.pk}:cspr"]
    assert draft["pages"]["about-the-person"].startswith("gAAAAA")
    assert _found(json.dumps(decoded).encode()) == []
    assert _found(session.session_data.encode()) == []
    # Going back to the page shows the answers.
    html = client.get(page).content.decode()
    assert 'value="Zephyrine"' in html and "Honeysuckle Wharf" in html


@pytest.mark.django_db
def test_a_draft_page_sealed_with_a_removed_key_is_asked_again(client, partnership):
    page = reverse("refer:page", args=[partnership.slug, "cspr", "about-the-person"])
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[old]):
        assert client.post(page, ABOUT_THE_PERSON).status_code == 302
        assert 'value="Zephyrine"' in client.get(page).content.decode()
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[new]):
        response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zephyrine" not in html and "There is a problem" not in html
