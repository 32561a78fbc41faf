"""Reading an agency's chronology from a CSV or Excel file made from the service's template
(docs/rules.md §chronology), and checking every row.

Pure apart from reading the file: ``parse_upload`` gives the rows and every error found, each
with its spreadsheet row number and column; nothing here writes to the database. A problem
with the file as a whole (too big, not a real workbook, not UTF-8, columns missing, too many
rows) raises ``ChronologyFileError`` with one plain message instead.

A name in "People involved" that is not one of the case's pseudonyms is not an error: the row
keeps it as a proposed person, for the business unit to confirm (issue 13). A row whose first
cell starts with "#" is a note (the CSV template lists the pseudonyms that way) and is skipped.
``row_fingerprint`` is what makes two rows "the same row" (issue 12 item 10).
"""

import csv
import datetime
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from safeguarding.core.text import printable
from safeguarding.core.uploads import (
    XLSX,
    ParseBudget,
    UnpackLimitExceeded,
    check_archive,
    detect_kind,
)

MAX_ROWS = 5_000
MAX_EVENT_CHARS = 5_000
MAX_SOURCE_CHARS = 300
MAX_ROLE_CHARS = 200
MAX_PSEUDONYM_CHARS = 60  # Person.pseudonym
NOTE_MARK = "#"
EARLIEST_DATE = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    hint: str
    required: bool = False


COLUMNS = (
    Column("date", "Date", "DD/MM/YYYY or YYYY-MM-DD", required=True),
    Column("time", "Time", "HH:MM, 24-hour clock; leave blank if not known"),
    Column("approximate", "Date is approximate", "yes or no; blank means no"),
    Column(
        "people",
        "People involved",
        "pseudonyms, separated by ; (a name not yet in the case is sent to the business unit "
        "to confirm)",
    ),
    Column("event", "Event or contact", "what happened (up to 5,000 characters)", required=True),
    Column("source", "Source record", "where it is recorded, e.g. case note reference"),
    Column("role", "Practitioner role", "e.g. health visitor"),
    Column("significance", "Significance", "key, significant or routine", required=True),
)
HEADINGS = [column.heading for column in COLUMNS]
HEADING_FOR = {column.key: column.heading for column in COLUMNS}

SIGNIFICANCE_VALUES = {
    "key": "key",
    "key event": "key",
    "significant": "significant",
    "routine": "routine",
    "routine contact": "routine",
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}

CSV_ENCODING_MESSAGE = "The file must be saved as CSV UTF-8"
NOT_A_WORKBOOK_MESSAGE = (
    "The selected file is not a real Excel workbook. Open it in Excel, save it as an Excel "
    "Workbook (.xlsx) and upload it again"
)
WRONG_TYPE_MESSAGE = "The selected file must be a CSV file or an Excel workbook (.xlsx)"


class ChronologyFileError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int | None  # the spreadsheet row (the headings are row 1); None: the whole file
    column: str  # the column heading, or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        if self.column:
            where += f", column “{self.column}”"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ChronologyRow:
    """One checked row, ready for the service. ``pseudonyms``: people in the case (spelt as
    the case spells them); ``proposed``: other names given, as written (not yet people in the
    case: the service records them as proposed people)."""

    occurred_on: datetime.date
    occurred_at: datetime.time | None
    date_is_approximate: bool
    pseudonyms: tuple[str, ...]
    event: str
    source_record: str = ""
    practitioner_role: str = ""
    significance: str = "routine"
    row: int | None = None
    proposed: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return self.pseudonyms + self.proposed

    def fingerprint(self, agency_id: int) -> str:
        return row_fingerprint(
            agency_id=agency_id,
            occurred_on=self.occurred_on,
            occurred_at=self.occurred_at,
            event=self.event,
            source_record=self.source_record,
        )


@dataclass
class Parsed:
    rows: list[ChronologyRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def proposed_names(self) -> list[str]:
        """The names given that are not people in the case, each once, as first written."""
        seen: dict[str, str] = {}
        for row in self.rows:
            for name in row.proposed:
                seen.setdefault(name.lower(), name)
        return sorted(seen.values(), key=str.lower)


@dataclass(frozen=True)
class AllowedPseudonym:
    """A pseudonym an agency may use in "People involved", and who it is in the case (the role,
    never an identity)."""

    pseudonym: str
    description: str = ""


def normalised(text: str) -> str:
    """Text as compared for duplicates: control characters removed, Unicode compatibility
    forms folded, case ignored, runs of spaces and line breaks made one space."""
    return " ".join(unicodedata.normalize("NFKC", printable(text or "")).casefold().split())


def row_fingerprint(
    *,
    agency_id: int,
    occurred_on: datetime.date,
    occurred_at: datetime.time | None,
    event: str,
    source_record: str,
) -> str:
    """The same row given twice has the same fingerprint: the agency, the date and time, the
    event and the source record, normalised (SHA-256, hex). The 0008 migration holds a copy."""
    parts = [
        str(agency_id),
        occurred_on.isoformat(),
        occurred_at.strftime("%H:%M") if occurred_at else "",
        normalised(event),
        normalised(source_record),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# Single values --------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_date(value, *, today: datetime.date | None = None) -> datetime.date:
    """A date from DD/MM/YYYY, YYYY-MM-DD or an Excel date cell; ValueError with the message."""
    today = today or datetime.date.today()
    if isinstance(value, datetime.datetime):
        parsed = value.date()
    elif isinstance(value, datetime.date):
        parsed = value
    else:
        text = _text(value)
        if not text:
            raise ValueError("Enter the date")
        if text.endswith(" 00:00:00"):  # a date cell read as text
            text = text[: -len(" 00:00:00")]
        match = _ISO.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
        else:
            match = _UK.match(text)
            if not match:
                raise ValueError(f"“{text}” is not a date: write it as DD/MM/YYYY or YYYY-MM-DD")
            day, month, year = (int(part) for part in match.groups())
        try:
            parsed = datetime.date(year, month, day)
        except ValueError:
            raise ValueError(f"“{text}” is not a real date") from None
    if parsed > today:
        raise ValueError("The date must be today or in the past")
    if parsed < EARLIEST_DATE:
        raise ValueError("The date must be after 1 January 1900")
    return parsed


def parse_time(value) -> datetime.time | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    text = _text(value)
    if not text:
        return None
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"“{text}” is not a time: write it as HH:MM, for example 14:30")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"“{text}” is not a real time")
    return datetime.time(hour, minute)


def parse_yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"Write yes or no, not “{_text(value)}”")


def parse_significance(value) -> str:
    text = _text(value)
    if not text:
        raise ValueError("Enter the significance: key, significant or routine")
    found = SIGNIFICANCE_VALUES.get(" ".join(text.lower().split()))
    if found is None:
        raise ValueError(f"“{text}” is not a significance: write key, significant or routine")
    return found


def parse_people(value, known: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names separated by ';': (the people in the case, spelt as the case spells them; the
    other names, as written). ``known`` maps a lower-case pseudonym to its spelling. A name
    that is not known is proposed, not refused; one too long for a pseudonym is refused."""
    names = [" ".join(part.split()) for part in _text(value).split(";")]
    found: list[str] = []
    proposed: list[str] = []
    too_long = []
    for name in names:
        if not name:
            continue
        canonical = known.get(name.lower())
        if canonical is not None:
            if canonical not in found:
                found.append(canonical)
        elif len(name) > MAX_PSEUDONYM_CHARS:
            too_long.append(name)
        elif name.lower() not in {other.lower() for other in proposed}:
            proposed.append(name)
    if too_long:
        listed = ", ".join(f"“{name[:30]}…”" for name in too_long)
        raise ValueError(
            f"{listed} {'is' if len(too_long) == 1 else 'are'} too long for a pseudonym: use "
            f"{MAX_PSEUDONYM_CHARS} characters or fewer and separate people with ;"
        )
    return tuple(found), tuple(proposed)


def _text(value) -> str:
    """A cell as text, without control characters (a bell pasted from a case system)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return printable(str(value)).strip()


# Rows ----------------------------------------------------------------------------------------


def check_row(
    values: dict, *, row: int | None, known_people: dict[str, str], today=None
) -> tuple[ChronologyRow | None, list[RowError]]:
    """Check one row (``values`` keyed by column key). Gives the row, or every error in it."""
    errors: list[RowError] = []
    cleaned = {}

    def attempt(key: str, function, *args, **kwargs):
        try:
            cleaned[key] = function(values.get(key), *args, **kwargs)
        except ValueError as error:
            errors.append(RowError(row, HEADING_FOR[key], str(error)))

    attempt("date", parse_date, today=today)
    attempt("time", parse_time)
    attempt("approximate", parse_yes_no)
    attempt("people", parse_people, known_people)
    attempt("significance", parse_significance)
    event = _text(values.get("event"))
    if not event:
        errors.append(RowError(row, HEADING_FOR["event"], "Enter what happened"))
    elif len(event) > MAX_EVENT_CHARS:
        errors.append(
            RowError(
                row,
                HEADING_FOR["event"],
                f"The event must be {MAX_EVENT_CHARS:,} characters or fewer "
                f"(it has {len(event):,})",
            )
        )
    source = _text(values.get("source"))
    if len(source) > MAX_SOURCE_CHARS:
        errors.append(
            RowError(
                row,
                HEADING_FOR["source"],
                f"The source record must be {MAX_SOURCE_CHARS} characters or fewer",
            )
        )
    role = _text(values.get("role"))
    if len(role) > MAX_ROLE_CHARS:
        errors.append(
            RowError(
                row,
                HEADING_FOR["role"],
                f"The practitioner role must be {MAX_ROLE_CHARS} characters or fewer",
            )
        )
    if errors:
        return None, errors
    pseudonyms, proposed = cleaned["people"]
    return (
        ChronologyRow(
            occurred_on=cleaned["date"],
            occurred_at=cleaned["time"],
            date_is_approximate=cleaned["approximate"],
            pseudonyms=pseudonyms,
            event=event,
            source_record=source,
            practitioner_role=role,
            significance=cleaned["significance"],
            row=row,
            proposed=proposed,
        ),
        [],
    )


def check_rows(table, *, known_people, today=None) -> Parsed:
    """``table``: an iterable of rows (lists of cell values), the first being the headings."""
    result = Parsed()
    rows = iter(table)
    try:
        headings = next(rows)
    except StopIteration:
        raise ChronologyFileError("The selected file is empty") from None
    positions = _positions(headings)
    counted = 0
    for number, cells in enumerate(rows, start=2):
        cells = list(cells)
        if not any(_text(cell) for cell in cells):
            continue  # a blank line
        if cells and _text(cells[0]).startswith(NOTE_MARK):
            continue  # a note, such as the template's list of pseudonyms
        counted += 1
        if counted > MAX_ROWS:
            raise ChronologyFileError(too_many_rows_message())
        values = {
            key: (cells[index] if index < len(cells) else None) for key, index in positions.items()
        }
        row, errors = check_row(values, row=number, known_people=known_people, today=today)
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(row)
    if not result.rows and not result.errors:
        raise ChronologyFileError("The file has no chronology rows under its headings")
    return result


def too_many_rows_message() -> str:
    return (
        f"The file has more than {MAX_ROWS:,} rows. Split it into files of {MAX_ROWS:,} rows "
        "or fewer and upload each one"
    )


def _positions(headings) -> dict[str, int]:
    wanted = {" ".join(heading.lower().split()): key for key, heading in HEADING_FOR.items()}
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = wanted.get(" ".join(_text(heading).lower().split()))
        if key is not None and key not in positions:
            positions[key] = index
    missing = [HEADING_FOR[column.key] for column in COLUMNS if column.key not in positions]
    if missing:
        listed = ", ".join(f"“{heading}”" for heading in missing)
        raise ChronologyFileError(
            f"The first row of the file must have the template's column headings. Missing: "
            f"{listed}. Download the template and copy your rows into it"
        )
    return positions


# Files ---------------------------------------------------------------------------------------


def parse_upload(uploaded, *, known_people, today=None) -> Parsed:
    """Check an uploaded CSV or .xlsx file (Django UploadedFile or any file object with
    ``name`` and ``size``). ``known_people``: the case's pseudonyms (any iterable)."""
    known = {name.lower(): name for name in known_people}
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, io.SEEK_END)
        size = uploaded.tell()
        uploaded.seek(0)
    if size == 0:
        raise ChronologyFileError("The selected file is empty")
    max_bytes = settings.UPLOAD_MAX_BYTES
    if size > max_bytes:
        raise ChronologyFileError(
            f"The selected file must be smaller than {filesizeformat(max_bytes)}. Split the "
            "chronology into smaller files and upload each one"
        )
    name = (getattr(uploaded, "name", "") or "").lower()
    uploaded.seek(0)
    head = uploaded.read(4)
    uploaded.seek(0)
    if name.endswith(".xlsx") or head.startswith(b"PK\x03\x04"):
        return check_rows(_xlsx_rows(uploaded), known_people=known, today=today)
    if name.endswith((".csv", ".txt")) or not name:
        return check_rows(_csv_rows(uploaded), known_people=known, today=today)
    raise ChronologyFileError(WRONG_TYPE_MESSAGE)


def _csv_rows(uploaded):
    uploaded.seek(0)
    data = uploaded.read()
    if isinstance(data, str):
        text = data
    else:
        if b"\x00" in data:
            raise ChronologyFileError(CSV_ENCODING_MESSAGE)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ChronologyFileError(CSV_ENCODING_MESSAGE) from None
    # The separator is the one the headings use (Excel writes ";" in some locales): a
    # guess from the whole text could be misled by a note or a cell full of ";".
    headings = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=headings.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise ChronologyFileError(
            f"The file is not a well-formed CSV file (line {reader.line_num}: {error})"
        ) from None


def _xlsx_rows(uploaded):
    """The first sheet's rows, read as a stream (openpyxl read-only) once ``check_archive`` has
    refused a workbook that would unpack to too much; within the time budget."""
    if detect_kind(uploaded) is not XLSX:
        raise ChronologyFileError(NOT_A_WORKBOOK_MESSAGE)
    try:
        check_archive(uploaded)
    except UnpackLimitExceeded as error:
        raise ChronologyFileError(error.messages[0]) from None
    except ValidationError:
        raise ChronologyFileError(NOT_A_WORKBOOK_MESSAGE) from None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise ChronologyFileError(NOT_A_WORKBOOK_MESSAGE) from None
    budget = ParseBudget()
    try:
        for row in sheet.iter_rows(values_only=True):
            budget.tick()
            yield row
    except UnpackLimitExceeded as error:
        raise ChronologyFileError(error.messages[0]) from None
    finally:
        workbook.close()


# The template --------------------------------------------------------------------------------

EXAMPLE_ROW = {
    "date": "14/03/2025",
    "time": "09:30",
    "approximate": "no",
    "people": "",
    "event": "Home visit by the health visitor. Example row: replace or delete it.",
    "source": "Case note 1234",
    "role": "Health visitor",
    "significance": "routine",
}


def _allowed(pseudonyms) -> list[AllowedPseudonym]:
    """``AllowedPseudonym``s, or plain pseudonyms, as ``AllowedPseudonym``s (cleaned)."""
    return [
        printable(item) if isinstance(item, AllowedPseudonym) else AllowedPseudonym(printable(item))
        for item in pseudonyms
    ]


def pseudonyms_note(allowed: list[AllowedPseudonym]) -> str:
    if not allowed:
        return (
            "No pseudonyms are recorded for this case yet. Write the names you use: the business "
            "unit confirms each new person"
        )
    listed = ", ".join(
        f"{item.pseudonym} ({item.description})" if item.description else item.pseudonym
        for item in allowed
    )
    return (
        f"Pseudonyms you can use in “People involved”: {listed}. Separate several with ;. "
        "A name not in this list is sent to the business unit to confirm as a new person"
    )


def template_csv(pseudonyms=()) -> bytes:
    """The CSV template: the headings, an example row, and notes (rows starting with "#", which
    are not imported) naming the pseudonyms allowed. ``pseudonyms``: ``AllowedPseudonym``s or
    plain pseudonyms."""
    allowed = _allowed(pseudonyms)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADINGS)
    example = dict(EXAMPLE_ROW, people="; ".join(item.pseudonym for item in allowed[:1]))
    writer.writerow([example[column.key] for column in COLUMNS])
    writer.writerow([f"{NOTE_MARK} {pseudonyms_note(allowed)}"])
    writer.writerow(
        [f"{NOTE_MARK} Rows starting with {NOTE_MARK} are notes: they are not imported"]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(pseudonyms=()) -> bytes:
    """The Excel template: the chronology sheet (first, the one read back), with drop-down
    lists for significance, "approximate" and the people (a suggestion only: several names, and
    new ones, can still be typed), a sheet of the pseudonyms allowed, and a guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    allowed = _allowed(pseudonyms)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Chronology"
    sheet.append(HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = dict(EXAMPLE_ROW, people="; ".join(item.pseudonym for item in allowed[:1]))
    sheet.append([example[column.key] for column in COLUMNS])
    widths = [14, 8, 12, 30, 60, 24, 24, 14]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(65 + index)].width = width
    for letter in ("A", "B"):  # keep dates and times as typed text
        for row in range(2, MAX_ROWS + 2):
            sheet[f"{letter}{row}"].number_format = "@"
    significance = DataValidation(
        type="list", formula1='"key,significant,routine"', allow_blank=True
    )
    approximate = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    sheet.add_data_validation(significance)
    sheet.add_data_validation(approximate)
    significance.add(f"H2:H{MAX_ROWS + 1}")
    approximate.add(f"C2:C{MAX_ROWS + 1}")
    sheet.freeze_panes = "A2"

    people = workbook.create_sheet("People")
    people.append(["Pseudonym", "Who they are in the case"])
    for cell in people[1]:
        cell.font = Font(bold=True)
    for item in allowed:
        people.append([item.pseudonym, item.description])
    if not allowed:
        people.append(["", "No pseudonyms are recorded for this case yet"])
    people.column_dimensions["A"].width = 30
    people.column_dimensions["B"].width = 40
    if allowed:
        # A suggestion, not a rule: several names separated by ; and new names are allowed.
        listed = DataValidation(
            type="list",
            formula1=f"=People!$A$2:$A${len(allowed) + 1}",
            allow_blank=True,
            showErrorMessage=False,
            showInputMessage=True,
            promptTitle="People involved",
            prompt="Choose a pseudonym, or type several separated by ;",
        )
        sheet.add_data_validation(listed)
        listed.add(f"D2:D{MAX_ROWS + 1}")

    guide = workbook.create_sheet("How to fill it in")
    guide.append(["Column", "Required", "What to write"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guide.append([column.heading, "yes" if column.required else "no", column.hint])
    guide.append([])
    guide.append(["Pseudonyms in this case", "", pseudonyms_note(allowed)])
    guide.append(["Rows per file", "", f"up to {MAX_ROWS:,}"])
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
