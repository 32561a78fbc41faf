"""Reading chronology files: every row checked, every problem listed with its row and column,
nothing imported when anything is wrong (web upload and manage.py import_chronology)."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from safeguarding.audit.models import AuditEvent
from safeguarding.reviews.chronology import parser
from safeguarding.reviews.models import ChronologyEntry

from .chronology_support import (  # noqa: F401 (fixtures)
    GOOD_ROWS,
    HEADINGS,
    chronology_request_fixture,
    contributor_fixture,
    csv_bytes,
    health_fixture,
    review_fixture,
    xlsx_bytes,
)

PEOPLE = ["Child A", "Mother B"]
TODAY = datetime.date(2026, 11, 26)


def parse(data: bytes, name: str = "chronology.csv"):
    return parser.parse_upload(SimpleUploadedFile(name, data), known_people=PEOPLE, today=TODAY)


def file_error(data: bytes, name: str = "chronology.csv") -> str:
    with pytest.raises(parser.ChronologyFileError) as raised:
        parse(data, name)
    return raised.value.message


# The parser ----------------------------------------------------------------------------------


def test_a_good_csv_with_a_byte_order_mark_gives_every_row_checked():
    parsed = parse(csv_bytes(GOOD_ROWS))
    assert parsed.ok
    first, second, third = parsed.rows
    assert first.occurred_on == datetime.date(2025, 3, 14)
    assert first.occurred_at == datetime.time(9, 30)
    assert first.pseudonyms == ("Child A", "Mother B")
    assert second.occurred_on == datetime.date(2025, 4, 2)
    assert second.date_is_approximate is True
    assert second.significance == "key"
    assert third.significance == "significant"
    assert third.occurred_at == datetime.time(16, 5)


def test_a_csv_without_a_byte_order_mark_and_with_semicolons_is_read_too():
    # Excel in some locales separates cells with ";" (the people column quotes its own).
    text = "\n".join(";".join(f'"{cell}"' for cell in row) for row in [HEADINGS, *GOOD_ROWS])
    parsed = parse(text.encode())
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].pseudonyms == ("Child A", "Mother B")


def test_pseudonyms_are_matched_without_regard_to_case():
    rows = [["14/03/2025", "", "", "child a;  MOTHER B ;", "Visit", "", "", "routine"]]
    assert parse(csv_bytes(rows)).rows[0].pseudonyms == ("Child A", "Mother B")


def test_every_error_is_listed_with_its_row_and_column():
    rows = [
        ["31/02/2025", "25:00", "maybe", "Child Z; " + "Z" * 61, "", "", "", "urgent"],
        ["14/03/2025", "", "", "", "Fine row", "", "", "routine"],
        ["01/01/2030", "9.30", "", "", "x" * 5001, "", "", ""],
    ]
    parsed = parse(csv_bytes(rows))
    assert parsed.rows[0].event == "Fine row"
    found = {(error.row, error.column) for error in parsed.errors}
    assert found == {
        (2, "Date"),
        (2, "Time"),
        (2, "Date is approximate"),
        (2, "People involved"),
        (2, "Event or contact"),
        (2, "Significance"),
        (4, "Date"),
        (4, "Time"),
        (4, "Event or contact"),
        (4, "Significance"),
    }
    messages = {(e.row, e.column): e.message for e in parsed.errors}
    assert "not a real date" in messages[(2, "Date")]
    assert "too long for a pseudonym" in messages[(2, "People involved")]
    assert messages[(4, "Date")] == "The date must be today or in the past"
    assert "5,000 characters" in messages[(4, "Event or contact")]
    assert str(parsed.errors[0]).startswith("Row 2, column “Date”:")


def test_a_date_in_neither_format_is_refused():
    rows = [["March 2025", "", "", "", "Visit", "", "", "routine"]]
    (error,) = parse(csv_bytes(rows)).errors
    assert "DD/MM/YYYY or YYYY-MM-DD" in error.message


def test_missing_columns_are_named_in_one_error():
    message = file_error(csv_bytes([["14/03/2025", "Visit"]], headings=["Date", "Event"]))
    assert "Missing:" in message
    for heading in ("Event or contact", "Significance", "People involved"):
        assert f"“{heading}”" in message


def test_a_csv_not_saved_as_utf8_is_refused():
    rows = [["14/03/2025", "", "", "", "Visit to café", "", "", "routine"]]
    assert file_error(csv_bytes(rows, encoding="cp1252")) == "The file must be saved as CSV UTF-8"
    assert file_error(csv_bytes(rows, encoding="utf-16")) == "The file must be saved as CSV UTF-8"


def test_an_xlsx_that_is_a_zip_of_something_else_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    assert file_error(buffer.getvalue(), "chronology.xlsx") == parser.NOT_A_WORKBOOK_MESSAGE


def test_a_word_document_renamed_to_xlsx_is_refused(sample_docx):
    assert file_error(sample_docx, "chronology.xlsx") == parser.NOT_A_WORKBOOK_MESSAGE


def test_a_pdf_is_refused_as_the_wrong_kind_of_file(sample_pdf):
    assert file_error(sample_pdf, "chronology.pdf") == parser.WRONG_TYPE_MESSAGE


def test_fifty_thousand_rows_are_refused_with_the_row_limit():
    rows = [["14/03/2025", "", "", "", "Visit", "", "", "routine"]] * 50_000
    message = file_error(csv_bytes(rows))
    assert "more than 5,000 rows" in message


def test_a_file_over_the_size_limit_is_refused_with_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    rows = [["14/03/2025", "", "", "", "x" * 200, "", "", "routine"]] * 10
    assert "must be smaller than 1.0\xa0KB" in file_error(csv_bytes(rows))


def test_an_empty_file_and_a_file_with_only_headings_are_refused():
    assert file_error(b"") == "The selected file is empty"
    assert "no chronology rows" in file_error(csv_bytes([]))


def test_a_workbook_is_read_with_date_and_time_cells():
    rows = [
        [datetime.datetime(2025, 3, 14), datetime.time(9, 30), "no", "Child A", "Visit", "", "",
         "Routine contact"],
        ["2025-04-02", None, None, None, "Call", None, None, "key"],
    ]  # fmt: skip
    parsed = parse(xlsx_bytes(rows), "chronology.xlsx")
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].occurred_on == datetime.date(2025, 3, 14)
    assert parsed.rows[0].occurred_at == datetime.time(9, 30)
    assert parsed.rows[1].significance == "key"


def test_the_templates_read_back_with_their_example_row():
    for data, name in (
        (parser.template_csv(PEOPLE), "t.csv"),
        (parser.template_xlsx(PEOPLE), "t.xlsx"),
    ):
        parsed = parse(data, name)
        assert parsed.ok, parsed.errors
        assert parsed.rows[0].pseudonyms == ("Child A",)


# The upload page -----------------------------------------------------------------------------


def upload_url(review):
    return reverse("reviews:chronology_upload", args=[review.partnership.slug, review.pk])


def post_file(client, review, agency, data, name="chronology.csv"):
    return client.post(
        upload_url(review),
        {"agency": str(agency.pk), "file": SimpleUploadedFile(name, data)},
    )


def test_business_unit_imports_a_good_file_for_an_agency_on_the_review(bu_client, review, health):
    response = post_file(bu_client, review, health, csv_bytes(GOOD_ROWS))
    assert response.status_code == 302
    entries = ChronologyEntry.objects.filter(review=review, agency=health)
    assert entries.count() == 3
    first = entries.get(occurred_on=datetime.date(2025, 3, 14))
    assert sorted(first.people.values_list("pseudonym", flat=True)) == ["Child A", "Mother B"]
    assert len({e.import_batch for e in entries}) == 1
    event = AuditEvent.objects.get(action="chronology.imported")
    assert event.payload["rows"] == 3 and event.payload["agency"] == "testshire-health"


def test_an_excel_file_is_imported_too(bu_client, review, agency):
    rows = [["14/03/2025", "", "no", "Child A", "Visit", "", "", "routine"]]
    response = post_file(bu_client, review, agency, xlsx_bytes(rows), "c.xlsx")
    assert response.status_code == 302
    assert ChronologyEntry.objects.filter(review=review).count() == 1


def test_a_file_with_errors_imports_nothing_and_lists_every_error(bu_client, review, agency):
    rows = [*GOOD_ROWS, ["31/02/2025", "", "", "Z" * 61, "Visit", "", "", "routine"]]
    response = post_file(bu_client, review, agency, csv_bytes(rows))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "nothing was imported" in page
    assert "Row 5, column “Date”" in page
    assert "Row 5, column “People involved”" in page
    assert 'id="row-error-1"' in page and 'id="row-error-2"' in page
    assert not ChronologyEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="chronology.imported").exists()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("c.csv", b"Date,Event\n1/1/2025,x\n", "Missing:"),
        ("c.csv", "Date\n".encode("utf-16"), "The file must be saved as CSV UTF-8"),
        ("c.xlsx", b"PK\x03\x04not really a zip", "not a real Excel workbook"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(
    bu_client, review, agency, name, data, message
):
    response = post_file(bu_client, review, agency, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(bu_client, review, agency, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = post_file(bu_client, review, agency, csv_bytes(GOOD_ROWS))
    assert "must be smaller than 100\xa0bytes" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_an_upload_without_agency_or_file_shows_both_errors(bu_client, review):
    response = bu_client.post(upload_url(review), {})
    page = response.content.decode()
    assert "Select the agency the chronology is from" in page
    assert "Select a chronology file" in page


def test_a_contributor_is_offered_only_their_own_agency(client, contributor, review, health):
    client.force_login(contributor)
    page = client.get(upload_url(review)).content.decode()
    assert "Testshire Police" in page
    assert "Testshire Health Trust" not in page
    response = post_file(client, review, health, csv_bytes(GOOD_ROWS))
    assert response.status_code == 200
    assert "Select the agency the chronology is from" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


def test_a_contributor_imports_for_their_own_agency(client, contributor, review, agency):
    client.force_login(contributor)
    response = post_file(client, review, agency, csv_bytes(GOOD_ROWS))
    assert response.status_code == 302
    assert ChronologyEntry.objects.filter(agency=agency, entered_by=contributor).count() == 3


def test_a_contributor_whose_agency_was_not_asked_cannot_upload(client, user_for_role, review):
    client.force_login(user_for_role("agency_contributor"))  # no chronology request
    assert client.get(upload_url(review)).status_code == 404  # not theirs (ADR 0010)


def test_nothing_can_be_uploaded_to_a_signed_off_review(bu_client, review, agency):
    review.stage = review.Stage.SIGNED_OFF
    review.signed_off_at = timezone.now()
    review.save()
    assert bu_client.get(upload_url(review)).status_code == 403


# The command ---------------------------------------------------------------------------------


def write(tmp_path, data: bytes, name="chronology.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_command_imports_a_good_file(tmp_path, review, agency, capsys):
    call_command(
        "import_chronology",
        write(tmp_path, csv_bytes(GOOD_ROWS)),
        review=review.reference,
        agency=agency.slug,
    )
    assert "Imported 3 chronology entries" in capsys.readouterr().out
    assert ChronologyEntry.objects.filter(review=review, agency=agency).count() == 3
    assert AuditEvent.objects.get(action="chronology.imported").payload["by_command"] is True


@pytest.mark.parametrize(
    "rows_or_bytes, name, expected",
    [
        ([["31/02/2025", "", "", "", "Visit", "", "", "routine"]], "c.csv", "Row 2, column “Date”"),
        (b"Date,Event\n1/1/2025,x\n", "c.csv", "Missing:"),
        ("Date\n".encode("utf-16"), "c.csv", "CSV UTF-8"),
        (b"PK\x03\x04junk", "c.xlsx", "not a real Excel workbook"),
        ([["14/03/2025", "", "", "", "Visit", "", "", "routine"]] * 50_000, "c.csv", "5,000 rows"),
    ],
)
def test_the_command_refuses_bad_files_with_exit_status_1(
    tmp_path, review, agency, capsys, rows_or_bytes, name, expected
):
    data = rows_or_bytes if isinstance(rows_or_bytes, bytes) else csv_bytes(rows_or_bytes)
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_chronology",
            write(tmp_path, data, name),
            review=review.reference,
            agency=agency.slug,
        )
    assert raised.value.returncode == 1
    assert expected in str(raised.value) + capsys.readouterr().err
    assert not ChronologyEntry.objects.exists()


def test_the_command_refuses_an_agency_not_on_the_review(tmp_path, review):
    from safeguarding.accounts.tests.factories import AgencyFactory

    stranger = AgencyFactory(slug="elsewhere-police")
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_chronology",
            write(tmp_path, csv_bytes(GOOD_ROWS)),
            review=review.reference,
            agency=stranger.slug,
        )
    assert raised.value.returncode == 1
    assert "not an agency on review" in str(raised.value)
    assert not ChronologyEntry.objects.exists()


def test_the_command_exits_1_through_manage_py(tmp_path):
    """The real process (on the development database, so only a check made before any
    query): a missing file gives exit status 1 and a message."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [
            sys.executable,
            str(root / "manage.py"),
            "import_chronology",
            "--review",
            "NO-SUCH",
            "--agency",
            "x",
            str(tmp_path / "missing.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "No such file" in result.stderr


def test_importing_rows_marks_the_agencys_chronology_request_returned(
    db, partnership, business_unit_user, agency
):
    import datetime

    from django.utils import timezone

    from safeguarding.reviews.chronology import services as chronology_services
    from safeguarding.reviews.chronology.parser import ChronologyRow
    from safeguarding.reviews.models import AgencyRequest
    from safeguarding.reviews.tests.review_support import make_lcspr

    review, _ = make_lcspr(partnership, business_unit_user)
    review.agencies.add(agency)
    request = AgencyRequest.objects.create(
        review=review,
        agency=agency,
        kind="chronology",
        due_on=timezone.localdate(),
        requested_by=business_unit_user,
    )
    row = ChronologyRow(
        occurred_on=datetime.date(2025, 3, 1),
        occurred_at=None,
        date_is_approximate=False,
        pseudonyms=(),
        event="A fictional home visit.",
    )
    chronology_services.chronology_import(
        review=review, agency=agency, rows=[row], actor=business_unit_user
    )
    request.refresh_from_db()
    assert request.returned_at is not None
