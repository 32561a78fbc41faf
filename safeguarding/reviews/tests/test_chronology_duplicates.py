"""A chronology file, or rows, given twice (issue 12 item 10): found by the file's SHA-256 and by
each row's fingerprint, refused until the user chooses to replace the earlier rows (archived,
never deleted), add only the new rows, or cancel; nothing changes before the choice; the choice
is audited. The same through the upload page, manage.py import_chronology and one entry typed in
the browser. Real CSV and Excel files, through the real parser."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from safeguarding.audit.models import AuditEvent
from safeguarding.core.errors import ServiceError
from safeguarding.reviews.chronology import parser, selectors, services, staging
from safeguarding.reviews.chronology.parser import ChronologyRow
from safeguarding.reviews.models import AgencyReturn, ChronologyEntry, ChronologyUpload

from .chronology_support import (  # noqa: F401 (fixtures)
    GOOD_ROWS,
    chronology_request_fixture,
    contributor_fixture,
    csv_bytes,
    entry,
    health_fixture,
    review_fixture,
    xlsx_bytes,
)

NEW_ROW = [
    "20/06/2025",
    "11:00",
    "no",
    "Mother B",
    "Telephone call to the mother",
    "T-9",
    "",
    "routine",
]


def parse(data: bytes, name: str = "chronology.csv", known=("Child A", "Mother B")):
    parsed = parser.parse_upload(SimpleUploadedFile(name, data), known_people=list(known))
    assert parsed.ok, parsed.errors
    return parsed


def import_file(review, agency, actor, data: bytes, name="chronology.csv", **options):
    uploaded = SimpleUploadedFile(name, data)
    parsed = parse(data, name)
    return services.chronology_import(
        review=review,
        agency=agency,
        rows=parsed.rows,
        actor=actor,
        file=uploaded,
        file_name=name,
        **options,
    )


def state(review) -> dict:
    """Everything an import could change."""
    return {
        "entries": ChronologyEntry.objects.filter(review=review).count(),
        "active": ChronologyEntry.objects.filter(review=review).active().count(),
        "uploads": ChronologyUpload.objects.filter(review=review).count(),
        "returns": AgencyReturn.objects.count(),
        "events": AuditEvent.objects.count(),
        "files": stored_files("chronology-uploads"),
    }


def stored_files(area: str) -> int:
    root = Path(settings.MEDIA_ROOT) / area
    return sum(len(files) for _, _, files in os.walk(root)) if root.exists() else 0


# The service, with real files --------------------------------------------------------------------


def test_the_same_csv_file_twice_is_refused_and_nothing_changes(review, agency, business_unit_user):
    data = csv_bytes(GOOD_ROWS)
    first = import_file(review, agency, business_unit_user, data)
    assert first.content_hash and first.rows_added == 3 and first.file
    before = state(review)
    with pytest.raises(services.DuplicatesFound) as raised:
        import_file(review, agency, business_unit_user, data)
    found = raised.value.duplicates
    assert found.same_file == first
    assert len(found.repeated_rows) == 3 and found.new_rows == 0
    message = raised.value.message
    assert message.startswith("This file was already uploaded on ")
    assert business_unit_user.full_name in message
    assert "3 of the 3 rows are already in the chronology for Testshire Police" in message
    assert state(review) == before


def test_an_excel_file_with_the_same_rows_is_found_by_its_rows(review, agency, business_unit_user):
    import_file(review, agency, business_unit_user, csv_bytes(GOOD_ROWS))
    workbook = xlsx_bytes([*GOOD_ROWS[:2], NEW_ROW])
    with pytest.raises(services.DuplicatesFound) as raised:
        import_file(review, agency, business_unit_user, workbook, "chronology.xlsx")
    found = raised.value.duplicates
    assert found.same_file is None  # other bytes
    assert [row.event for row in found.repeated_rows] == ["Home visit", "Seen at A&E with a bruise"]
    assert found.new_rows == 1
    assert raised.value.message == (
        "2 of the 3 rows are already in the chronology for Testshire Police"
    )


def test_rows_are_the_same_whatever_the_case_and_spacing_of_their_text(
    review, agency, business_unit_user
):
    import_file(review, agency, business_unit_user, csv_bytes(GOOD_ROWS[:1]))
    same = [["2025-03-14", "09:30", "yes", "", "  home   VISIT ", "cn-1", "Other role", "key"]]
    with pytest.raises(services.DuplicatesFound):
        import_file(review, agency, business_unit_user, csv_bytes(same))
    other_source = [["14/03/2025", "09:30", "", "", "Home visit", "CN-2", "", "routine"]]
    other_time = [["14/03/2025", "09:31", "", "", "Home visit", "CN-1", "", "routine"]]
    for rows in (other_source, other_time):
        assert import_file(review, agency, business_unit_user, csv_bytes(rows)).rows_added == 1


def test_the_same_rows_from_another_agency_are_not_duplicates(
    review, agency, health, business_unit_user
):
    import_file(review, agency, business_unit_user, csv_bytes(GOOD_ROWS))
    upload = import_file(review, health, business_unit_user, csv_bytes(GOOD_ROWS))
    assert upload.rows_added == 3 and upload.outcome == "added"


def test_replace_archives_the_earlier_file_and_adds_every_row(review, agency, business_unit_user):
    earlier = import_file(review, agency, business_unit_user, csv_bytes(GOOD_ROWS))
    later = import_file(
        review,
        agency,
        business_unit_user,
        csv_bytes([*GOOD_ROWS[:2], NEW_ROW]),
        on_duplicates=services.REPLACE,
    )
    assert later.outcome == ChronologyUpload.Outcome.REPLACED_EARLIER
    assert later.rows_added == 3 and later.rows_archived == 3
    earlier.refresh_from_db()
    assert earlier.replaced_by == later and earlier.replaced_at is not None
    archived = ChronologyEntry.objects.filter(upload=earlier)
    assert archived.count() == 3  # kept, not deleted
    assert {(e.archived_by, e.archived_for) for e in archived} == {(business_unit_user, later)}
    shown = selectors.entries(review=review, scope=None, filters=selectors.Filters())
    assert sorted(shown.values_list("event", flat=True)) == [
        "Home visit",
        "Seen at A&E with a bruise",
        "Telephone call to the mother",
    ]
    event = AuditEvent.objects.filter(action="chronology.imported").latest("pk")
    assert event.payload["outcome"] == "replaced_earlier"
    assert event.payload["rows_archived"] == 3 and event.payload["rows_repeated"] == 2


def test_new_only_adds_only_the_rows_not_already_there(review, agency, business_unit_user):
    import_file(review, agency, business_unit_user, csv_bytes(GOOD_ROWS))
    upload = import_file(
        review,
        agency,
        business_unit_user,
        xlsx_bytes([*GOOD_ROWS[:2], NEW_ROW]),
        "more.xlsx",
        on_duplicates=services.NEW_ONLY,
    )
    assert (upload.rows_in_file, upload.rows_added, upload.rows_not_added) == (3, 1, 2)
    assert upload.file_kind == "xlsx"
    assert list(upload.entries.values_list("event", flat=True)) == ["Telephone call to the mother"]
    assert ChronologyEntry.objects.filter(review=review).active().count() == 4


def test_new_only_with_nothing_new_is_refused_and_nothing_changes(
    review, agency, business_unit_user
):
    data = csv_bytes(GOOD_ROWS)
    import_file(review, agency, business_unit_user, data)
    before = state(review)
    with pytest.raises(ServiceError, match="there is nothing to add"):
        import_file(review, agency, business_unit_user, data, on_duplicates=services.NEW_ONLY)
    assert state(review) == before


def test_rows_typed_in_the_browser_count_and_replace_archives_only_those_repeated(
    review, agency, business_unit_user
):
    typed = entry(
        review, agency, datetime.date(2025, 3, 14), business_unit_user, "Home visit",
        occurred_at=datetime.time(9, 30), source_record="CN-1",
        fingerprint=parser.row_fingerprint(
            agency_id=agency.pk, occurred_on=datetime.date(2025, 3, 14),
            occurred_at=datetime.time(9, 30), event="Home visit", source_record="CN-1",
        ),
    )  # fmt: skip
    other = entry(review, agency, datetime.date(2025, 1, 2), business_unit_user, "Other")
    with pytest.raises(services.DuplicatesFound) as raised:
        import_file(review, agency, business_unit_user, csv_bytes(GOOD_ROWS))
    assert raised.value.duplicates.repeated_by_hand == 1
    assert raised.value.duplicates.rows_to_archive == 1
    upload = import_file(
        review, agency, business_unit_user, csv_bytes(GOOD_ROWS), on_duplicates=services.REPLACE
    )
    typed.refresh_from_db()
    other.refresh_from_db()
    assert typed.archived_for == upload and other.archived_at is None
    assert upload.rows_archived == 1


def test_an_import_that_fails_leaves_no_rows_no_record_and_no_file(
    review, agency, business_unit_user
):
    """Files and rows are one all-or-nothing step: a row the database refuses (no date) after
    the file was stored rolls everything back and removes the stored file."""
    good = parse(csv_bytes(GOOD_ROWS)).rows
    broken = ChronologyRow(
        occurred_on=None, occurred_at=None, date_is_approximate=False, pseudonyms=(), event="x"
    )
    before = state(review)
    with pytest.raises(Exception):  # noqa: B017 (the database's own integrity error)
        services.chronology_import(
            review=review,
            agency=agency,
            rows=[*good, broken],
            actor=business_unit_user,
            file=SimpleUploadedFile("chronology.csv", csv_bytes(GOOD_ROWS)),
        )
    assert state(review) == before


# The upload page ----------------------------------------------------------------------------------


def upload_url(review):
    return reverse("reviews:chronology_upload", args=[review.partnership.slug, review.pk])


def post_file(client, review, agency, data, name="chronology.csv"):
    return client.post(
        upload_url(review), {"agency": str(agency.pk), "file": SimpleUploadedFile(name, data)}
    )


def staged_token(response) -> str:
    import re

    match = re.search(r'name="staged" value="([^"]+)"', response.content.decode())
    assert match, "no staged file on the page"
    return match.group(1)


@pytest.fixture(autouse=True)
def empty_media():
    """Each test counts its own stored and staged files."""
    import shutil

    for area in (staging.AREA, "chronology-uploads"):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / area, ignore_errors=True)


@pytest.fixture
def repeated_upload(bu_client, review, agency):
    """The business unit uploads a file, then the same file again: the choice page."""
    assert post_file(bu_client, review, agency, csv_bytes(GOOD_ROWS)).status_code == 302
    before = state(review)
    response = post_file(bu_client, review, agency, csv_bytes(GOOD_ROWS))
    return response, before


def test_the_same_file_again_shows_the_choice_page_before_anything_is_saved(
    bu_client, review, agency, repeated_upload
):
    response, before = repeated_upload
    assert response.status_code == 200
    page = response.content.decode()
    assert "This file was already uploaded</h1>" in page
    assert "This file (chronology.csv) was already uploaded on" in page
    assert "3 of the 3 rows in this file are already in the chronology for Testshire Police" in page
    assert "Nothing has been saved yet" in page
    assert "Replace the earlier rows with this file" in page
    assert "Cancel: import nothing from this file" in page
    assert "Add only" not in page  # no new rows to add
    assert state(review) == before
    assert stored_files(staging.AREA) == 1


def test_choosing_to_replace_on_the_page(bu_client, review, agency, repeated_upload):
    response, _before = repeated_upload
    response = bu_client.post(
        upload_url(review), {"staged": staged_token(response), "choice": "replace"}
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        "3 chronology entries imported for Testshire Police. 3 earlier rows were replaced and "
        "archived"
    ]
    assert ChronologyEntry.objects.filter(review=review).count() == 6
    assert ChronologyEntry.objects.filter(review=review).active().count() == 3
    assert stored_files(staging.AREA) == 0
    assert AuditEvent.objects.filter(action="chronology.imported").latest("pk").payload[
        "outcome"
    ] == ("replaced_earlier")


def test_choosing_to_add_only_the_new_rows_on_the_page(bu_client, review, agency):
    post_file(bu_client, review, agency, csv_bytes(GOOD_ROWS))
    response = post_file(bu_client, review, agency, xlsx_bytes([GOOD_ROWS[0], NEW_ROW]), "c.xlsx")
    page = response.content.decode()
    assert "Some rows are already in the chronology</h1>" in page
    assert "1 of the 2 rows in this file is already in the chronology" in page
    assert "Add only the 1 new row" in page
    response = bu_client.post(
        upload_url(review), {"staged": staged_token(response), "choice": "new_only"}
    )
    assert response.status_code == 302
    assert ChronologyEntry.objects.filter(review=review).active().count() == 4


def test_cancelling_imports_nothing_and_is_audited(bu_client, review, agency, repeated_upload):
    response, before = repeated_upload
    response = bu_client.post(
        upload_url(review), {"staged": staged_token(response), "choice": "cancel"}
    )
    assert response.status_code == 302
    after = state(review)
    assert after.pop("events") == before.pop("events") + 1
    assert after == before
    event = AuditEvent.objects.get(action="chronology.import_cancelled")
    assert event.payload["rows_repeated"] == 3 and event.payload["same_file_as"]
    assert stored_files(staging.AREA) == 0


def test_no_choice_shows_the_govuk_error_summary_and_changes_nothing(
    bu_client, review, agency, repeated_upload
):
    response, before = repeated_upload
    token = staged_token(response)
    response = bu_client.post(upload_url(review), {"staged": token, "choice": "delete"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Select what to do with the file" in page
    assert state(review) == before
    assert staged_token(response) == token  # still there to choose


def test_a_staged_file_is_only_for_the_user_who_uploaded_it(
    client, bu_client, contributor, review, agency, repeated_upload
):
    token = staged_token(repeated_upload[0])
    client.force_login(contributor)  # may upload for the same agency, but did not upload this
    before = state(review)
    for forged in (token, token[:-2] + "xx"):
        response = client.post(upload_url(review), {"staged": forged, "choice": "replace"})
        assert response.status_code == 200
        assert "The file you uploaded is no longer available" in response.content.decode()
    assert state(review) == before


def test_staged_files_left_behind_are_swept_after_a_day(bu_client, review, agency, repeated_upload):
    from django.utils import timezone

    assert staging.sweep() == 0
    assert staging.sweep(now=timezone.now() + datetime.timedelta(hours=25)) == 1
    assert stored_files(staging.AREA) == 0


def test_the_choice_page_costs_a_fixed_number_of_queries(
    bu_client, review, agency, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    many = [[f"{day:02d}/01/2025", "", "", "Child A", f"Visit {day}", "", "", "routine"]
            for day in range(1, 29)]  # fmt: skip
    post_file(bu_client, review, agency, csv_bytes(many[:1]))
    with CaptureQueriesContext(connection) as small:  # 1 row repeated, from 1 earlier file
        response = post_file(bu_client, review, agency, csv_bytes(many[:2]))
    queries = len(small.captured_queries)  # now: the next request clears the log
    assert "Some rows are already in the chronology" in response.content.decode()
    for start in range(1, 25, 4):  # six more files of four rows each
        post_file(bu_client, review, agency, xlsx_bytes(many[start : start + 4]), "part.xlsx")
    with django_assert_max_num_queries(queries):
        response = post_file(bu_client, review, agency, csv_bytes(many))  # 25 rows, 7 files
    page = response.content.decode()
    assert "25 of the 28 rows in this file are already in the chronology" in page


# One entry typed in the browser ------------------------------------------------------------------


def entry_data(agency, **overrides):
    data = {
        "agency": str(agency.pk),
        "occurred_on_0": "14",
        "occurred_on_1": "3",
        "occurred_on_2": "2025",
        "occurred_at": "09:30",
        "event": "Home visit",
        "source_record": "CN-1",
        "significance": "routine",
    }
    return {**data, **overrides}


def test_an_entry_already_in_the_chronology_is_warned_and_added_only_when_confirmed(
    bu_client, review, agency
):
    add_url = reverse("reviews:chronology_add", args=[review.partnership.slug, review.pk])
    assert bu_client.post(add_url, entry_data(agency)).status_code == 302
    response = bu_client.post(add_url, entry_data(agency, event=" home visit "))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "This entry is already in the chronology for Testshire Police" in page
    assert 'name="add_duplicate"' in page
    assert ChronologyEntry.objects.filter(review=review).count() == 1
    response = bu_client.post(add_url, entry_data(agency, add_duplicate="on"))
    assert response.status_code == 302
    assert ChronologyEntry.objects.filter(review=review).count() == 2
    event = AuditEvent.objects.filter(action="chronology.entry_added").latest("pk")
    assert event.payload["repeats_an_entry"] is True


# The command --------------------------------------------------------------------------------------


def write(tmp_path, data: bytes, name="chronology.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def run(path, review, agency, **flags):
    call_command("import_chronology", path, review=review.reference, agency=agency.slug, **flags)


def test_the_command_refuses_a_repeated_file_with_exit_status_1(tmp_path, review, agency):
    path = write(tmp_path, csv_bytes(GOOD_ROWS))
    run(path, review, agency)
    before = state(review)
    with pytest.raises(CommandError) as raised:
        run(path, review, agency)
    assert raised.value.returncode == 1
    message = str(raised.value)
    assert "This file was already uploaded on" in message
    assert "3 of the 3 rows are already in the chronology for Testshire Police" in message
    assert "Nothing was imported" in message and "--replace" in message
    assert "(every row of the file is already there)" in message
    assert state(review) == before


def test_the_command_replaces_or_skips_duplicates_when_told(tmp_path, review, agency, capsys):
    run(write(tmp_path, csv_bytes(GOOD_ROWS)), review, agency)
    more = write(tmp_path, xlsx_bytes([*GOOD_ROWS[:2], NEW_ROW]), "more.xlsx")
    with pytest.raises(CommandError, match="--skip-duplicates to import only the 1 new row"):
        run(more, review, agency)
    run(more, review, agency, skip_duplicates=True)
    assert "Imported 1 chronology entry" in capsys.readouterr().out
    run(more, review, agency, replace=True)
    out = capsys.readouterr().out
    assert "Imported 3 chronology entries" in out and "4 earlier rows replaced" in out
    # Replacing: the earlier files this one repeats (the first, and this same file's new row)
    # are archived, all of them; this file's three rows are the agency's chronology now.
    assert ChronologyEntry.objects.filter(review=review).active().count() == 3
    assert ChronologyEntry.objects.filter(review=review).count() == 7


def test_the_command_takes_one_of_replace_and_skip(tmp_path, review, agency):
    with pytest.raises(CommandError, match="not both"):
        run(write(tmp_path, csv_bytes(GOOD_ROWS)), review, agency, replace=True,
            skip_duplicates=True)  # fmt: skip
