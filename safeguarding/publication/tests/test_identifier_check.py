"""The publication check finds leaked identities in real PDF and DOCX files (R15-R17, R34-R35;
DESIGN: "no real identities leaked")."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.publication.identifier_check import (
    Identifiers,
    IdentifiersError,
    UnreadableFile,
    check_file,
    extract_pages,
    find_identifiers,
    nhs_number_is_valid,
    normalise,
)

PROJECT = Path(__file__).resolve().parents[3]

IDS = {
    "names": ["Quentin Marchbank", "Ann Brown"],
    "dates_of_birth": ["2019-04-02"],
    "addresses": ["1 Fictional Row, Testtown, TS1 2AB"],
    "other": ["St Mary's Primary School", "Acme Widgets Ltd"],
}
IDENTIFIERS = Identifiers.from_json(IDS)

VALID_NHS = "943 476 5919"  # check digit 9 is right
INVALID_NHS = "943 476 5910"  # same number, wrong check digit

DATE_FORMS = [
    "02/04/2019",
    "2/4/2019",
    "02-04-2019",
    "02.04.19",
    "2 April 2019",
    "2nd April 2019",
    "2 Apr 2019",
    "April 2, 2019",
    "2019-04-02",
    "2nd of April 2019",
]

CLEAN_TEXT = [
    "Child Q lived with their mother and an older sibling in the north of the area.",
    "The Annual review met on 3 May 2023; the panel agreed twelve recommendations.",
    "Agencies should share information promptly, as set out in Working Together 2018.",
    "Practitioners may find the brown folder of guidance helpful; we will publish it.",
    "Reference 943 476 5910 is a case number, not an NHS number. The QA panel agreed.",
]


def _pdf(html_body: str) -> bytes:
    from weasyprint import HTML

    html = (
        '<html lang="en"><head><title>Review</title><style>'
        "@page{size:A5;margin:1.5cm} body{font-family:sans-serif;font-size:11pt}"
        ".narrow{width:5.5em} .hyph{width:2.8em;hyphens:auto} .page{break-before:page}"
        f"</style></head><body>{html_body}</body></html>"
    )
    return HTML(string=html).write_pdf()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def planted_pdf() -> bytes:
    dates = "".join(f"<p>Born {form}.</p>" for form in DATE_FORMS)
    return _pdf(
        # Page 1: names in tricky forms.
        '<p class="narrow">Seen by Quentin Marchbank today.</p>'
        "<p>It was Marchbank’s view. THE MARCHBANKS' HOUSE.</p>"
        '<p class="hyph">Marchbank</p>'
        "<p>Notes: Mar-<br>chbank again.</p>"
        "<p>Letters from Q. Marchbank and from Quentin M. were signed Q.M. only.</p>"
        "<p>Ann said little in the Annual meeting.</p>"
        # Page 2: dates of birth in every common form.
        f'<div class="page">{dates}</div>'
        # Page 3: addresses, school and the kind-level patterns.
        '<div class="page"><p>Home: 1 Fictional Row; post code ts12ab.</p>'
        "<p>Also seen at ST MARY'S PRIMARY SCHOOL.</p>"
        "<p>Mobile 07700 900123, office +44 (0)20 7946 0958, email quentin.m@example.org.</p>"
        f"<p>NHS number {VALID_NHS}. Case reference {INVALID_NHS}.</p>"
        "<p>Postcode elsewhere: SW1A 1AA.</p></div>"
    )


@pytest.fixture(scope="module")
def planted_pdf_findings(planted_pdf):
    return check_file(planted_pdf, IDENTIFIERS)


def _found(findings, kind, text, page=None):
    wanted = " ".join(text.split()).casefold()
    return [
        f
        for f in findings
        if f.kind == kind
        and " ".join(f.text.split()).casefold() == wanted
        and (page is None or f.page == page)
    ]


# ---- reading files ---------------------------------------------------------------------------


def test_pdf_text_really_has_the_tricky_line_breaks(planted_pdf):
    pages = extract_pages(planted_pdf)
    assert len(pages) == 3
    assert "Quentin\nMarchbank" in pages[0]  # split across a line in the narrow column
    assert "Mar-\nchbank" in pages[0]
    assert "March\u2010\nbank" in pages[0] or "March-\nbank" in pages[0]  # auto hyphenation


def test_normalise_joins_hyphenated_line_breaks_and_straightens_apostrophes():
    text = normalise("Mar-\n  chbank’s\n\nhouse  was\tTS1 2AB")
    assert text == "Mar\u00adchbank's house was TS1 2AB"


# ---- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("name", "Quentin Marchbank"),  # split across a line in the PDF
        ("name", "Marchbank's"),  # curly apostrophe in the PDF
        ("name", "MARCHBANKS'"),
        ("name", "Marchbank"),  # hyphenated across a line, by hand and by auto hyphenation
        ("name", "Q. Marchbank"),
        ("name", "Quentin M."),
        ("initials", "Q.M."),
        ("name", "Ann"),
    ],
)
def test_names_in_tricky_forms_are_found_on_page_1(planted_pdf_findings, kind, text):
    assert _found(planted_pdf_findings, kind, text, page=1), text


def test_hyphenated_surname_found_for_both_breaks(planted_pdf_findings):
    # "Mar-\nchbank" by hand and "March-\nbank" from auto hyphenation (plus the plain ones).
    contexts = [f.context for f in _found(planted_pdf_findings, "name", "Marchbank", page=1)]
    assert any("Mar-chbank" in c for c in contexts)
    assert any("March-bank" in c for c in contexts)


def test_name_does_not_match_inside_other_words(planted_pdf_findings):
    assert not [f for f in planted_pdf_findings if "Annual" in f.text]
    findings = find_identifiers(["The Annual report; Annex B; Joanna; Brownie"], IDENTIFIERS)
    assert findings == []


def test_common_word_name_part_only_matches_as_a_name():
    findings = find_identifiers(["a brown folder, Brown said, BROWN wrote"], IDENTIFIERS)
    assert [f.text for f in findings] == ["Brown", "BROWN"]


def test_longer_name_match_absorbs_its_parts():
    findings = find_identifiers(["Quentin Marchbank attended."], IDENTIFIERS)
    assert [(f.kind, f.text) for f in findings] == [("name", "Quentin Marchbank")]


def test_accents_and_upper_case_full_name():
    ids = Identifiers.from_json({"names": ["Zoë O'Neill"]})
    findings = find_identifiers(["ZOE O’NEILL'S school; Zoë; ONeill"], ids)
    assert [f.text for f in findings] == ["ZOE O'NEILL'S", "Zoë", "ONeill"]


def test_context_is_one_line_around_the_match(planted_pdf_findings):
    finding = _found(planted_pdf_findings, "name", "Quentin Marchbank", page=1)[0]
    assert "\n" not in finding.context
    assert "Seen by Quentin Marchbank today." in finding.context
    assert len(finding.context) <= len(finding.text) + 2 * 60 + 6


# ---- dates of birth -------------------------------------------------------------------------


@pytest.mark.parametrize("form", DATE_FORMS)
def test_date_of_birth_forms_are_found_on_page_2(planted_pdf_findings, form):
    assert _found(planted_pdf_findings, "date_of_birth", form, page=2)


@pytest.mark.parametrize(
    "form", ["April the 2nd 2019", "2 April '19", "2019/04/02", "20190402", "02 04 2019"]
)
def test_more_date_of_birth_forms(form):
    findings = find_identifiers([f"Born {form}, seen later"], IDENTIFIERS)
    assert [(f.kind, f.text) for f in findings] == [("date_of_birth", form)]


def test_other_dates_are_not_dates_of_birth():
    findings = find_identifiers(["03/04/2019, 2 April 2018, 12/4/2019, 2019-04-021"], IDENTIFIERS)
    assert [f for f in findings if f.kind == "date_of_birth"] == []


# ---- addresses, other, kind-level patterns ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("address", "1 Fictional Row"),
        ("postcode", "ts12ab"),
        ("other", "ST MARY'S PRIMARY SCHOOL"),
        ("phone", "07700 900123"),
        ("phone", "+44 (0)20 7946 0958"),
        ("email", "quentin.m@example.org"),
        ("nhs_number", VALID_NHS),
        ("postcode", "SW1A 1AA"),
    ],
)
def test_addresses_and_contact_details_are_found_on_page_3(planted_pdf_findings, kind, text):
    assert _found(planted_pdf_findings, kind, text, page=3), text


def test_invalid_check_digit_is_not_an_nhs_number(planted_pdf_findings):
    assert not [f for f in planted_pdf_findings if "5910" in f.text]
    assert not nhs_number_is_valid(INVALID_NHS.replace(" ", ""))


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_check_digit_property(first_nine):
    valid = [d for d in "0123456789" if nhs_number_is_valid(first_nine + d)]
    assert len(valid) <= 1  # at most one check digit fits (none when the remainder is 10)
    for digit in valid:
        (finding,) = find_identifiers([f"NHS {first_nine}{digit} seen"], Identifiers())
        assert finding.kind == "nhs_number"


@pytest.mark.parametrize(
    "phone",
    [
        "07700-900-123",
        "+447700900123",
        "0044 7700 900123",
        "(01632) 960123",
        "0161 496 0000",
        "0800 123 456",
    ],
)
def test_phone_number_forms(phone):
    findings = find_identifiers([f"Call {phone} today"], Identifiers())
    assert [(f.kind, f.text) for f in findings] == [("phone", phone)]


def test_not_phone_numbers():
    findings = find_identifiers(["On 02/04/2020 at 10.30; 0.5 mg; 123 456"], Identifiers())
    assert findings == []


# ---- clean files --------------------------------------------------------------------------


def test_clean_pdf_and_docx_have_no_findings():
    from safeguarding.workspace.documents import docx_bytes

    pdf = _pdf("".join(f"<p>{text}</p>" for text in CLEAN_TEXT))
    assert check_file(pdf, IDENTIFIERS) == []
    assert check_file(docx_bytes("Learning review", CLEAN_TEXT), IDENTIFIERS) == []


# ---- DOCX -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted_docx() -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    document.core_properties.author = "Ann Brown"
    document.sections[0].header.paragraphs[0].text = "Report about Quentin Marchbank"
    document.sections[0].footer.paragraphs[0].text = f"NHS {VALID_NHS}"
    document.add_paragraph("Child Q and their family.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "School"
    table.cell(0, 1).text = "St Mary’s Primary\nSchool"
    table.cell(1, 0).text = "Employer"
    table.cell(1, 1).text = "ACME WIDGETS LTD"
    document.add_paragraph("Last paragraph on page one.").add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Page two: born 2nd of April 2019, lives at TS1 2AB.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "text", "page"),
    [
        ("name", "Quentin Marchbank", 1),  # header
        ("nhs_number", VALID_NHS, 1),  # footer
        ("other", "St Mary's Primary School", 1),  # table cell, split across a line
        ("other", "ACME WIDGETS LTD", 1),  # table cell
        ("date_of_birth", "2nd of April 2019", 2),  # after an explicit page break
        ("postcode", "TS1 2AB", 2),
        ("name", "Ann Brown", 0),  # document properties (author)
    ],
)
def test_docx_findings(planted_docx, kind, text, page):
    assert _found(check_file(planted_docx, IDENTIFIERS), kind, text, page=page), text


def test_docx_pages_split_at_page_breaks(planted_docx):
    pages = extract_pages(planted_docx)
    assert len(pages) == 2
    assert "Page two" in pages[1] and "Page two" not in pages[0]


# ---- unreadable files and identifiers ------------------------------------------------------


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(_pdf("<p>Secret</p>")))
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text", "not a PDF or Word .docx file"),
        (b"", "empty"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "damaged PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected Office"),
        (b"PK\x03\x04 not really a zip", "damaged"),
    ],
)
def test_unreadable_files(data, message):
    with pytest.raises(UnreadableFile, match=message):
        extract_pages(data)


def test_password_protected_pdf_is_unreadable():
    with pytest.raises(UnreadableFile, match="password-protected PDF"):
        extract_pages(_encrypted_pdf())


def test_image_only_page_is_reported():
    import base64

    image = base64.b64encode(_png()).decode()
    pdf = _pdf(
        f'<p>Some text.</p><div class="page"><img src="data:image/png;base64,{image}"></div>'
    )
    findings = check_file(pdf, IDENTIFIERS)
    assert [(f.kind, f.page) for f in findings] == [("image_only_page", 2)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"nmes": []}, "unknown identifiers key"),
        ({"names": "Quentin"}, "must be a list of strings"),
        ({"names": [3]}, "must be a non-empty string"),
        ({"dates_of_birth": ["2019-02-30"]}, "not a valid date"),
        ({"dates_of_birth": ["02/04/2019"]}, "YYYY-MM-DD"),
    ],
)
def test_bad_identifiers(data, message):
    with pytest.raises(IdentifiersError, match=message):
        Identifiers.from_json(data)


# ---- the command, run as a real process ------------------------------------------------------


def _run(*args):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check_publication", *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def command_files(tmp_path_factory, planted_pdf, planted_docx):
    from safeguarding.workspace.documents import docx_bytes

    folder = tmp_path_factory.mktemp("publication")
    (folder / "ids.json").write_text(json.dumps(IDS))
    (folder / "bad-ids.json").write_text('{"names": ["x"], "phones": []}')
    (folder / "planted.pdf").write_bytes(planted_pdf)
    (folder / "planted.docx").write_bytes(planted_docx)
    (folder / "clean.docx").write_bytes(docx_bytes("Learning review", CLEAN_TEXT))
    (folder / "notes.txt").write_text("Quentin Marchbank")
    return folder


def test_command_exit_1_and_json_findings(command_files):
    result = _run(
        command_files / "planted.pdf",
        command_files / "planted.docx",
        "--identifiers",
        command_files / "ids.json",
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    assert {"file", "kind", "text", "page", "context"} <= set(findings[0])
    assert {Path(f["file"]).name for f in findings} == {"planted.pdf", "planted.docx"}
    pdf_findings = [f for f in findings if f["file"].endswith(".pdf")]
    assert [f["page"] for f in pdf_findings] == sorted(f["page"] for f in pdf_findings)
    assert any(f["kind"] == "nhs_number" and f["page"] == 3 for f in pdf_findings)


def test_command_exit_0_for_clean_file(command_files):
    result = _run(command_files / "clean.docx", "--identifiers", command_files / "ids.json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("file", "ids", "message"),
    [
        ("notes.txt", "ids.json", "not a PDF or Word .docx file"),
        ("missing.pdf", "ids.json", "cannot be opened"),
        ("clean.docx", "bad-ids.json", "unknown identifiers key(s) 'phones'"),
        ("clean.docx", "missing.json", "cannot read identifiers file"),
    ],
)
def test_command_exit_2_with_clear_message(command_files, file, ids, message):
    result = _run(command_files / file, "--identifiers", command_files / ids)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
