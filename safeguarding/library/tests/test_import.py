"""Importing library records from CSV and JSON (docs/library-schema.md): all or nothing, every
error named by row and field, the same external_id updates, and the import_library command's
output and exit status."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguarding.audit.models import AuditEvent
from safeguarding.library import services
from safeguarding.library.importing import RowError, parse_library_file
from safeguarding.library.models import LibraryRecord

from .pages_support import add_record

pytestmark = pytest.mark.django_db

GOOD = [
    {
        "external_id": "nw-2023-04",
        "title": "Child Q: a baby and the sofa",
        "review_type": "cspr",
        "publisher": "Northwold Safeguarding Children Partnership",
        "year": 2023,
        "published_on": "2023-05-12",
        "age_group": "infant",
        "themes": ["Sudden unexpected death in infancy (SUDI)", "parental substance misuse"],
        "summary": "A baby died after sleeping on a sofa with a parent who had been drinking.",
        "learning": "Safe sleep advice must be revisited.",
        "recommendations": "1. Revisit safe sleep at every contact.",
        "full_text": "The full text of a fictional report.",
        "url": "https://example.org/child-q",
        "is_public": True,
    },
    {
        "external_id": "sb-2021-01",
        "title": "Mr D: self-neglect in a tower block",
        "review_type": "Safeguarding adults review",
        "publisher": "Southbeck Safeguarding Adults Board",
        "year": 2021,
        "themes": ["Self-neglect and hoarding"],
        "is_public": False,
    },
]


def as_json(records) -> bytes:
    return json.dumps({"records": records}).encode()


def as_csv(records) -> bytes:
    columns = list(dict.fromkeys(key for record in records for key in record))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = dict(record)
        if isinstance(row.get("themes"), list):
            row["themes"] = "; ".join(row["themes"])
        if isinstance(row.get("is_public"), bool):
            row["is_public"] = "yes" if row["is_public"] else "no"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


ENCODERS = {"csv": as_csv, "json": as_json}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_good_file_imports_every_record(partnership, business_unit_user, fmt):
    result = services.library_import(
        partnership=partnership,
        actor=business_unit_user,
        source=ENCODERS[fmt](GOOD),
        name=f"library.{fmt}",
    )
    assert (result.created, result.updated) == (2, 0)
    child_q = LibraryRecord.objects.get(external_id="nw-2023-04")
    assert child_q.source == "imported"
    assert child_q.published_on.isoformat() == "2023-05-12"
    assert child_q.age_group == "infant"
    assert child_q.themes.count() == 2
    assert child_q.is_public
    mr_d = LibraryRecord.objects.get(external_id="sb-2021-01")
    assert (mr_d.review_type, mr_d.is_public, mr_d.age_group) == ("sar", False, "not_known")
    event = AuditEvent.objects.get(action="library.imported")
    assert event.payload == {
        "format": fmt,
        "file": f"library.{fmt}",
        "created": 2,
        "updated": 0,
    }


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_same_external_id_again_updates_the_record(partnership, business_unit_user, fmt):
    services.library_import(partnership=partnership, actor=business_unit_user, source=as_json(GOOD))
    changed = [dict(GOOD[0], title="Child Q: a new title", themes=[])]
    result = services.library_import(
        partnership=partnership,
        actor=business_unit_user,
        source=ENCODERS[fmt](changed),
        name=f"x.{fmt}",
    )
    assert (result.created, result.updated) == (0, 1)
    record = LibraryRecord.objects.get(external_id="nw-2023-04")
    assert record.title == "Child Q: a new title"
    assert not record.themes.exists()
    assert LibraryRecord.objects.count() == 2


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_record_without_a_year_is_imported_as_year_not_known(
    partnership, business_unit_user, fmt
):
    undated = [
        {
            "external_id": "undated-1",
            "title": "Adult R: a review with no date on it",
            "review_type": "sar",
            "publisher": "Southbeck Safeguarding Adults Board",
            "year": None if fmt == "json" else "",
        },
        {
            "external_id": "undated-2",
            "title": "Child S",
            "review_type": "cspr",
            "publisher": "Northwold Safeguarding Children Partnership",
        },
    ]
    result = services.library_import(
        partnership=partnership,
        actor=business_unit_user,
        source=ENCODERS[fmt](undated),
        name=f"undated.{fmt}",
    )
    assert result.created == 2
    assert set(LibraryRecord.objects.values_list("year", flat=True)) == {None}


def test_a_csv_file_needs_no_year_column():
    data = b"external_id,title,review_type,publisher\nx,Child T,cspr,Someone\n"
    parsed = parse_library_file(data, name="no-year.csv")
    assert not parsed.errors
    assert parsed.rows[0].values["year"] is None


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("cpr", "cpr"),
        ("Child practice review (Wales)", "cpr"),
        ("apr", "apr"),
        ("ADULT PRACTICE REVIEW (WALES)", "apr"),
        ("susr", "susr"),
        ("Single unified safeguarding review (Wales)", "susr"),
    ],
)
def test_welsh_review_types_are_imported(partnership, business_unit_user, given, code):
    record = dict(GOOD[1], external_id="wales-1", review_type=given)
    services.library_import(
        partnership=partnership, actor=business_unit_user, source=as_json([record])
    )
    assert LibraryRecord.objects.get(external_id="wales-1").review_type == code


BAD = [
    dict(GOOD[0], themes=["Nelgect"]),  # row 2 / record 1
    dict(GOOD[1], year=1850),  # row 3 / record 2
    dict(GOOD[1], external_id="sb-2021-02", title="", review_type="inquest"),  # row 4 / 3
    dict(GOOD[0], external_id="nw-2023-04"),  # row 5 / record 4: the same id twice
]


@pytest.mark.parametrize(("fmt", "unit", "first"), [("csv", "Row", 2), ("json", "Record", 1)])
def test_a_file_with_bad_rows_imports_nothing_and_names_every_error(
    partnership, business_unit_user, fmt, unit, first
):
    add_record(partnership, business_unit_user)  # already in the library: must stay as it is
    with pytest.raises(services.ImportRefused) as refused:
        services.library_import(
            partnership=partnership,
            actor=business_unit_user,
            source=ENCODERS[fmt](BAD),
            name=f"bad.{fmt}",
        )
    found = {(e.row, e.field) for e in refused.value.errors}
    assert found == {
        (first, "themes"),
        (first + 1, "year"),
        (first + 2, "title"),
        (first + 2, "review_type"),
        (first + 3, "external_id"),
    }
    messages = [str(e) for e in refused.value.errors]
    assert f"{unit} {first}, themes: ‘Nelgect’ is not a theme in the library's list" in messages
    assert refused.value.message == "The file has 5 errors, so nothing was imported"
    assert LibraryRecord.objects.count() == 1
    assert not AuditEvent.objects.filter(action="library.imported").exists()


def test_csv_header_problems_are_errors_of_row_1():
    data = b"external_id,title,theme,publisher\nx,Title,Neglect,Someone\n"
    parsed = parse_library_file(data, name="bad.csv")
    assert {(e.row, e.field) for e in parsed.errors} == {(1, "theme"), (1, "review_type")}
    assert not parsed.rows


def test_json_type_problems_are_errors_of_their_record():
    data = json.dumps(
        [dict(GOOD[0], year="2023", themes="Neglect", is_public="yes", colour="blue")]
    ).encode()
    parsed = parse_library_file(data, name="bad.json")
    assert {(e.row, e.field) for e in parsed.errors} == {
        (1, "year"),
        (1, "themes"),
        (1, "is_public"),
        (1, "colour"),
    }


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty"),
        (b"\xff\xfe\x00bad", "bad.csv", "UTF-8"),
        (b"{not json", "bad.json", "not valid JSON"),
        (b'{"items": []}', "bad.json", "list of records"),
        (b"external_id,title,review_type,publisher,year\n", "none.csv", "no records"),
    ],
)
def test_unreadable_files_are_one_error_of_the_file(data, name, message):
    parsed = parse_library_file(data, name=name)
    assert len(parsed.errors) == 1
    assert parsed.errors[0].row == 0
    assert message in str(parsed.errors[0])


def test_own_and_national_records_cannot_be_imported_over(partnership, business_unit_user):
    national = services.national_review_add(
        partnership=partnership,
        actor=business_unit_user,
        title="It was hard to escape",
        published_on=datetime.date(2020, 3, 1),
        url="https://example.org/hard-to-escape",
    )
    data = as_json([dict(GOOD[0], external_id=national.external_id)])
    with pytest.raises(services.ImportRefused) as refused:
        services.library_import(partnership=partnership, actor=business_unit_user, source=data)
    assert refused.value.errors[0].field == "external_id"
    assert "which an import cannot change" in refused.value.errors[0].message
    national.refresh_from_db()
    assert national.title == "It was hard to escape"


def test_the_endpoint_document_imports_as_it_is(partnership, business_unit_user, client):
    services.library_import(partnership=partnership, actor=business_unit_user, source=as_json(GOOD))
    document = client.get(f"/{partnership.slug}/library.json").content
    parsed = parse_library_file(document, name="library.json")
    assert parsed.errors == []
    assert [row.external_id for row in parsed.rows] == ["nw-2023-04"]  # the public one


# The command -----------------------------------------------------------------------------------


def test_import_library_prints_a_summary(partnership, tmp_path):
    path = tmp_path / "library.csv"
    path.write_bytes(as_csv(GOOD))
    out = io.StringIO()
    call_command("import_library", str(path), "--partnership", "testshire", stdout=out)
    assert (
        "Imported 2 records into the library of Testshire Safeguarding Partnership: 2 new, "
        "0 updated."
    ) in out.getvalue()
    assert LibraryRecord.objects.count() == 2
    event = AuditEvent.objects.get(action="library.imported")
    assert event.actor is None and event.actor_label == "import_library command"


def test_import_library_exits_with_status_1_and_every_error(partnership, tmp_path):
    # run_from_argv turns a CommandError into exit status error.returncode (1); it also closes
    # the database connections, which would end the test's transaction, so call_command is used.
    path = tmp_path / "library.json"
    path.write_bytes(as_json(BAD))
    stderr = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_library", str(path), "--partnership", "testshire", stderr=stderr)
    assert raised.value.returncode == 1
    err = stderr.getvalue() + str(raised.value)
    assert "Record 1, themes: ‘Nelgect’ is not a theme in the library's list" in err
    assert "Record 4, external_id: is the same as record 1" in err
    assert "The file has 5 errors, so nothing was imported" in err
    assert not LibraryRecord.objects.exists()


def test_import_library_exits_with_status_0_on_success(partnership, tmp_path):
    path = tmp_path / "library.json"
    path.write_bytes(as_json(GOOD))
    stdout = io.StringIO()
    call_command("import_library", str(path), "--partnership", "testshire", stdout=stdout)
    assert "Imported 2 records" in stdout.getvalue()
    assert LibraryRecord.objects.count() == 2


def test_import_library_refuses_an_unknown_partnership(tmp_path):
    path = tmp_path / "library.json"
    path.write_bytes(as_json(GOOD))
    with pytest.raises(CommandError, match="No partnership"):
        call_command("import_library", str(path), "--partnership", "nowhere")


def test_row_errors_read_as_sentences():
    assert str(RowError(3, "year", "must be a year")) == "Row 3, year: must be a year"
    assert str(RowError(0, "", "The file is empty")) == "The file is empty"
    assert str(RowError(2, "", "must be an object", "Record")) == "Record 2: must be an object"
