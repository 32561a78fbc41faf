"""Reading library records from CSV or JSON files (the schema: docs/library-schema.md).

``parse_library_file(source, partnership=...)`` reads and checks the whole file first and returns
every row it could read and every error it found (row, field, message). Nothing is written here:
``services.library_import`` imports the rows only when there is no error at all.

``check_record_values(values)`` holds the rules every library record meets, whoever writes it
(an import, the add and edit pages, the sync of published reviews): the services use it too.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from safeguarding.actions.models import Theme
from safeguarding.core.text import printable

from .models import AgeGroup, LibraryRecord, ReviewType

FIELDS = (
    "external_id",
    "title",
    "review_type",
    "publisher",
    "year",
    "published_on",
    "age_group",
    "themes",
    "summary",
    "learning",
    "recommendations",
    "full_text",
    "url",
    "is_public",
)
REQUIRED_COLUMNS = ("external_id", "title", "review_type", "publisher")
TEXT_LIMITS = {
    "external_id": 100,
    "title": 300,
    "publisher": 200,
    "summary": 20_000,
    "learning": 50_000,
    "recommendations": 50_000,
    "full_text": 2_000_000,
    "url": 500,
}
THEME_SEPARATOR = ";"
MAX_BYTES = 500 * 1024 * 1024
MAX_ROWS = 20_000
FIRST_YEAR = 1900
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` is the spreadsheet row for CSV (the header is row 1, so the first
    record is row 2) and the record's position for JSON (the first record is record 1); 0 for
    the file as a whole. ``field`` is the column, or "" for the whole row or file."""

    row: int
    field: str
    message: str
    unit: str = "Row"

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        where = f"{self.unit} {self.row}"
        if self.field:
            return f"{where}, {self.field}: {self.message}"
        return f"{where}: {self.message}"


@dataclass
class ImportRow:
    row: int
    external_id: str
    values: dict  # model field -> cleaned value (without themes)
    themes: list[Theme]
    existing: LibraryRecord | None = None  # the record this row updates


@dataclass
class ParsedLibraryFile:
    format: str  # "csv" or "json"
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


# The rules every record meets ------------------------------------------------------------------


def _choice(value: str, choices) -> str | None:
    """A choice given as its code or its label, in any case."""
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in (code.lower(), str(label).lower()):
            return code
    return None


FIELD_LABELS = {
    "external_id": "The id",
    "title": "The title",
    "review_type": "The review type",
    "publisher": "The publisher",
    "year": "The year",
    "published_on": "The date published",
    "age_group": "The age group",
    "summary": "The summary",
    "learning": "The learning",
    "recommendations": "The recommendations",
    "full_text": "The full text",
    "url": "The web address",
}


def as_sentence(field_name: str, message: str) -> str:
    """A problem from ``check_record_values`` as a sentence for a form: "The year must be..."."""
    if message[:1].islower():
        return f"{FIELD_LABELS.get(field_name, field_name)} {message}"
    return message


def check_record_values(values: dict, *, today: datetime.date | None = None) -> list[tuple]:
    """Check (and tidy, in place) a record's values; return the problems as (field, message).

    ``values`` holds any of: title, review_type, publisher, year, published_on, age_group,
    summary, learning, recommendations, full_text, url, is_public. Text is stripped and loses
    its control characters; a missing year is taken from ``published_on``; with neither, the
    year is not known (None), which is allowed."""
    today = today or timezone.localdate()
    problems: list[tuple[str, str]] = []
    for name, limit in TEXT_LIMITS.items():
        if name in values:
            # No control characters: imports and pages alike (core.text).
            values[name] = printable(values[name] or "").strip()
            if len(values[name]) > limit:
                problems.append((name, f"must be {limit:,} characters or fewer"))
    for name, what in (("title", "the title"), ("publisher", "who published the review")):
        if name in values and not values[name]:
            problems.append((name, f"Enter {what}"))
    if "review_type" in values:
        code = _choice(values["review_type"] or "", ReviewType.choices)
        if code is None:
            problems.append(("review_type", "must be one of " + ", ".join(ReviewType.values)))
        else:
            values["review_type"] = code
    if "age_group" in values:
        given = (values["age_group"] or "").strip()
        code = _choice(given, AgeGroup.choices) if given else AgeGroup.NOT_KNOWN
        if code is None:
            problems.append(("age_group", "must be one of " + ", ".join(AgeGroup.values)))
        else:
            values["age_group"] = code
    published_on = values.get("published_on")
    if published_on is not None and published_on > today:
        problems.append(("published_on", "must be today or in the past"))
    if "year" in values:
        # A year is optional: many published reviews carry no date ("Year not known").
        year = values["year"]
        if year is None and published_on is not None:
            values["year"] = year = published_on.year
        if year is not None and not FIRST_YEAR <= year <= today.year:
            problems.append(("year", f"must be between {FIRST_YEAR} and {today.year}"))
        elif year is not None and published_on is not None and published_on.year != year:
            problems.append(("year", f"must be the year of published_on ({published_on.year})"))
    url = values.get("url")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            problems.append(("url", "must be a web address starting https:// or http://"))
    return problems


# Reading a file --------------------------------------------------------------------------------


def _read(source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        return path.read_bytes(), name or path.name
    if isinstance(source, bytes):
        return source, name or ""
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    return data, name or getattr(source, "name", "") or ""


def _format(data: bytes, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".json"):
        return suffix[1:]
    start = data.lstrip()[:1]
    return "json" if start in (b"[", b"{") else "csv"


def parse_library_file(
    source, *, partnership=None, name: str | None = None, today: datetime.date | None = None
) -> ParsedLibraryFile:
    """Read a CSV or JSON library file (a path, bytes, or an uploaded file) and check every row.

    Themes are matched by name against the partnership's themes (the shared vocabulary and its
    own); without a partnership, against the shared vocabulary only. With a partnership, a row
    whose external_id is already in its library updates that record; external ids of the
    partnership's own published reviews and national reviews cannot be imported over."""
    data, name = _read(source, name)
    fmt = _format(data, name)
    parsed = ParsedLibraryFile(format=fmt)
    unit = "Record" if fmt == "json" else "Row"

    def file_error(message: str, column: str = "") -> ParsedLibraryFile:
        parsed.errors.append(RowError(0 if not column else 1, column, message, unit))
        return parsed

    if not data:
        return file_error("The file is empty")
    if len(data) > MAX_BYTES:
        return file_error(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return file_error("The file must be saved as UTF-8 text (‘CSV UTF-8’ or JSON)")

    raw_rows = _csv_rows(text, parsed) if fmt == "csv" else _json_rows(text, parsed)
    raw_rows = printable(raw_rows)  # every id, text and theme name, without control characters
    if parsed.errors:
        return parsed
    if not raw_rows:
        return file_error("The file has no records")
    if len(raw_rows) > MAX_ROWS:
        return file_error(f"The file has {len(raw_rows):,} records: import {MAX_ROWS:,} or fewer")

    themes_by_name = _themes_by_name(partnership)
    existing = {}
    if partnership is not None:
        ids = [str(raw.get("external_id") or "").strip() for _, raw in raw_rows]
        existing = {
            record.external_id: record
            for record in LibraryRecord.objects.filter(
                partnership=partnership, external_id__in=[i for i in ids if i]
            )
        }
    seen: dict[str, int] = {}
    for row_number, raw in raw_rows:
        _check_row(row_number, raw, parsed, unit, themes_by_name, existing, seen, today)
    return parsed


def _csv_rows(text: str, parsed: ParsedLibraryFile) -> list[tuple[int, dict]]:
    csv.field_size_limit(max(csv.field_size_limit(), TEXT_LIMITS["full_text"] * 4))
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        parsed.errors.append(RowError(0, "", f"The file cannot be read as CSV ({error})"))
        return []
    if not lines:
        return []
    header = [column.strip().lower().replace(" ", "_") for column in lines[0]]
    for column in header:
        if column not in FIELDS:
            parsed.errors.append(
                RowError(1, column or "(blank)", "is not a column of the library schema")
            )
    for column in sorted({c for c in header if header.count(c) > 1}):
        parsed.errors.append(RowError(1, column, "appears more than once in the header"))
    for column in REQUIRED_COLUMNS:
        if column not in header:
            parsed.errors.append(RowError(1, column, "the file has no such column"))
    if parsed.errors:
        return []
    rows = []
    for index, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            parsed.errors.append(
                RowError(index, "", f"has {len(cells)} cells but the header has {len(header)}")
            )
            continue
        raw = dict(zip(header, cells, strict=False))
        raw["themes"] = [
            name.strip() for name in raw.get("themes", "").split(THEME_SEPARATOR) if name.strip()
        ]
        rows.append((index, raw))
    return rows


def _json_rows(text: str, parsed: ParsedLibraryFile) -> list[tuple[int, dict]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        parsed.errors.append(
            RowError(0, "", f"The file is not valid JSON (line {error.lineno}: {error.msg})")
        )
        return []
    records = document.get("records") if isinstance(document, dict) else document
    if not isinstance(records, list):
        parsed.errors.append(
            RowError(0, "", "The file must hold a list of records, or an object with ‘records’")
        )
        return []
    rows = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            parsed.errors.append(RowError(index, "", "must be an object", "Record"))
            continue
        unknown = [key for key in record if key not in FIELDS]
        for key in unknown:
            parsed.errors.append(
                RowError(index, key, "is not a field of the library schema", "Record")
            )
        problems = _json_types(record)
        for key, message in problems:
            parsed.errors.append(RowError(index, key, message, "Record"))
        if not unknown and not problems:
            rows.append((index, record))
    return rows


def _json_types(record: dict) -> list[tuple[str, str]]:
    """JSON values must have the schema's types; the values themselves are checked later."""
    problems = []
    for key in FIELDS:
        value = record.get(key)
        if value is None:
            continue
        if key == "year":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append((key, "must be a whole number, for example 2024"))
        elif key == "themes":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append((key, "must be a list of theme names"))
        elif key == "is_public":
            if not isinstance(value, bool):
                problems.append((key, "must be true or false"))
        elif not isinstance(value, str):
            problems.append((key, "must be text"))
    return problems


def _themes_by_name(partnership) -> dict[str, list[Theme]]:
    from safeguarding.actions.services import themes_available

    themes = (
        themes_available(partnership)
        if partnership is not None
        else Theme.objects.filter(partnership__isnull=True, archived_at__isnull=True)
    )
    by_name: dict[str, list[Theme]] = {}
    for theme in themes:
        by_name.setdefault(theme.name.strip().lower(), []).append(theme)
    return by_name


def _parse_date(value) -> datetime.date | str | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return "invalid"


def _parse_year(value) -> int | str | None:
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    # ASCII digits only ("²" is a digit to isdigit but not to int), and not absurdly long.
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 6 else "invalid"


def _parse_bool(value) -> bool | str:
    if value in (None, ""):
        return True
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return "invalid"


def _check_row(row_number, raw, parsed, unit, themes_by_name, existing, seen, today) -> None:
    errors = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(row_number, column, message, unit))

    external_id = str(raw.get("external_id") or "").strip()
    if not external_id:
        error("external_id", "Enter the record's id in its source")
    elif external_id in seen:
        error("external_id", f"is the same as {unit.lower()} {seen[external_id]}")
    else:
        seen[external_id] = row_number
    record = existing.get(external_id)
    if record is not None and record.source in (
        LibraryRecord.Source.OWN,
        LibraryRecord.Source.NATIONAL,
    ):
        error(
            "external_id",
            f"belongs to ‘{record.title}’ ({record.get_source_display().lower()}), "
            "which an import cannot change",
        )

    values = {
        name: raw.get(name) or ""
        for name in (
            "title",
            "review_type",
            "publisher",
            "age_group",
            "summary",
            "learning",
            "recommendations",
            "full_text",
            "url",
        )
    }
    values["external_id"] = external_id
    published_on = _parse_date(raw.get("published_on"))
    if published_on == "invalid":
        error("published_on", "must be a date written as YYYY-MM-DD, for example 2024-03-27")
        published_on = None
    values["published_on"] = published_on
    year = _parse_year(raw.get("year"))
    if year == "invalid":
        error("year", "must be a year written as 4 digits, for example 2024")
    else:
        values["year"] = year
    is_public = _parse_bool(raw.get("is_public"))
    if is_public == "invalid":
        error("is_public", "must be true or false (or yes or no)")
    values["is_public"] = is_public is not False
    for column, message in check_record_values(values, today=today):
        error(column, message)

    themes: list[Theme] = []
    for theme_name in raw.get("themes") or []:
        matches = themes_by_name.get(theme_name.strip().lower(), [])
        if not matches:
            error("themes", f"‘{theme_name}’ is not a theme in the library's list")
        elif len(matches) > 1:
            error("themes", f"‘{theme_name}’ is the name of more than one theme")
        elif matches[0] not in themes:
            themes.append(matches[0])

    if errors:
        parsed.errors.extend(errors)
        return
    del values["external_id"]
    parsed.rows.append(
        ImportRow(
            row=row_number,
            external_id=external_id,
            values=values,
            themes=themes,
            existing=record,
        )
    )
