"""Find leaked identities in files before they are published.

Publication rules R15-R17 (CSPR) and R34-R35 (DHR: publish the *anonymised* report) in
docs/rules.md, and the design rule "no real identities leaked", mean that a
report must not name or otherwise identify the people in the case. This module reads the text of
a PDF or Word (.docx) file and reports every place where an identifier recorded for the people in
the case appears, plus anything that looks like a phone number, email address, NHS number or UK
postcode whatever the recorded list says.

Pure Python, no database:

* ``read_document(path_or_bytes)`` -> ``ExtractedDocument`` (pages, properties, image-only pages)
* ``extract_pages(path_or_bytes)`` -> ``list[str]`` (one string per page)
* ``Identifiers.from_json(data)`` -> validated identifiers (``IdentifiersError`` if bad)
* ``find_identifiers(pages, identifiers)`` -> ``list[Finding]``
* ``check_file(path_or_bytes, identifiers)`` -> ``list[Finding]`` (all of the above)

See docs/publication-check.md for the contract and the known limits.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

CONTEXT_CHARS = 60

# Page number used for findings in document properties (title, author, ...), not on a page.
PROPERTIES_PAGE = 0


class UnreadableFile(Exception):
    """The file cannot be read, so it cannot be checked (and must not be published unchecked)."""


class IdentifiersError(ValueError):
    """The identifiers given to the check are not in the expected form."""


# --------------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------------

IDENTIFIER_KEYS = ("names", "dates_of_birth", "addresses", "other")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Identifiers:
    """Identifiers recorded for the people in the case."""

    names: tuple[str, ...] = ()
    dates_of_birth: tuple[datetime.date, ...] = ()
    addresses: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> Identifiers:
        """Build from the parsed JSON object; raise IdentifiersError with a clear message."""
        if not isinstance(data, dict):
            raise IdentifiersError(
                "identifiers must be a JSON object with the keys " + ", ".join(IDENTIFIER_KEYS)
            )
        unknown = sorted(set(data) - set(IDENTIFIER_KEYS))
        if unknown:
            raise IdentifiersError(
                f"unknown identifiers key(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(IDENTIFIER_KEYS)}"
            )
        values: dict[str, tuple] = {}
        for key in IDENTIFIER_KEYS:
            items = data.get(key, [])
            if not isinstance(items, list):
                raise IdentifiersError(f"identifiers {key!r} must be a list of strings")
            for index, item in enumerate(items):
                if not isinstance(item, str) or not item.strip():
                    raise IdentifiersError(
                        f"identifiers {key!r} item {index} must be a non-empty string"
                    )
            values[key] = tuple(item.strip() for item in items)
        dates = []
        for text in values["dates_of_birth"]:
            try:
                if not _ISO_DATE.fullmatch(text):
                    raise ValueError
                dates.append(datetime.date.fromisoformat(text))
            except ValueError:
                raise IdentifiersError(
                    f"date of birth {text!r} is not a valid date in the form YYYY-MM-DD"
                ) from None
        return cls(
            names=values["names"],
            dates_of_birth=tuple(dates),
            addresses=values["addresses"],
            other=values["other"],
        )

    @classmethod
    def from_json_file(cls, path: str | Path) -> Identifiers:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise IdentifiersError(
                f"cannot read identifiers file {str(path)!r}: {error.strerror}"
            ) from None
        except UnicodeDecodeError:
            raise IdentifiersError(f"identifiers file {str(path)!r} is not UTF-8 text") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise IdentifiersError(
                f"identifiers file {str(path)!r} is not valid JSON: {error.msg} "
                f"(line {error.lineno}, column {error.colno})"
            ) from None
        return cls.from_json(data)


# --------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    page: int
    context: str
    position: int = field(default=0, compare=False)

    def as_dict(self, file: str | None = None) -> dict:
        data = asdict(self)
        del data["position"]
        if file is not None:
            data = {"file": file, **data}
        return data


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


@dataclass
class ExtractedDocument:
    pages: list[str]
    properties: str = ""
    # 1-based numbers of PDF pages with images but no extractable text (e.g. scanned pages).
    image_only_pages: list[int] = field(default_factory=list)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_PART_BYTES = 100 * 1024 * 1024


def _as_bytes(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "file"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except IsADirectoryError:
        raise UnreadableFile(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise UnreadableFile(f"{path}: cannot be opened ({error.strerror})") from None


def read_document(source: str | Path | bytes) -> ExtractedDocument:
    """Read the text of a PDF or Word .docx file, detected by content (not by file name)."""
    data, name = _as_bytes(source)
    if not data:
        raise UnreadableFile(f"{name}: the file is empty")
    if b"%PDF-" in data[:1024]:
        return _read_pdf(data, name)
    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            f"{name}: is a password-protected Office file or an old-style .doc; "
            "remove the password and save it as .docx or PDF"
        )
    if data.startswith(b"PK"):
        return _read_zip(data, name)
    raise UnreadableFile(f"{name}: not a PDF or Word .docx file")


def extract_pages(source: str | Path | bytes) -> list[str]:
    """The text of each page (DOCX: pages split at page breaks; headers, footers, notes and
    comments are added to page 1)."""
    return read_document(source).pages


# ---- PDF ------------------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str) -> ExtractedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Files with only an owner password (print/copy restrictions) open with "".
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise UnreadableFile(
                    f"{name}: is an encrypted PDF that cannot be opened here; "
                    "remove the encryption and try again"
                ) from None
            if not opened:
                raise UnreadableFile(
                    f"{name}: is a password-protected PDF; remove the password and try again"
                )
        pages = []
        image_only = []
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            pages.append(text)
            if not text.strip() and _has_images(page):
                image_only.append(number)
        properties = _pdf_properties(reader)
    except UnreadableFile:
        raise
    except FileNotDecryptedError:
        raise UnreadableFile(
            f"{name}: is a password-protected PDF; remove the password and try again"
        ) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise UnreadableFile(f"{name}: is a damaged PDF and cannot be read ({error})") from None
    except Exception as error:  # pypdf raises many kinds of error on broken files
        raise UnreadableFile(f"{name}: is a damaged PDF and cannot be read ({error})") from None
    if not pages:
        raise UnreadableFile(f"{name}: the PDF has no pages")
    return ExtractedDocument(pages=pages, properties=properties, image_only_pages=image_only)


def _has_images(page) -> bool:
    try:
        return len(page.images) > 0
    except Exception:
        # Cannot tell: treat as an image so that the page is looked at by a person.
        return True


def _pdf_properties(reader) -> str:
    try:
        metadata = reader.metadata or {}
    except Exception:
        return ""
    parts = []
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator"):
        value = metadata.get(key)
        if value:
            parts.append(str(value))
    return "\n".join(parts)


# ---- DOCX -----------------------------------------------------------------------------------


def _read_zip(data: bytes, name: str) -> ExtractedDocument:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(f"{name}: is a damaged zip/Word file and cannot be read") from None
    if "word/document.xml" not in names:
        if "content.xml" in names:
            raise UnreadableFile(
                f"{name}: OpenDocument files are not supported; save it as .docx or PDF"
            )
        raise UnreadableFile(f"{name}: not a PDF or Word .docx file")
    try:
        return _read_docx(archive, names)
    except UnreadableFile:
        raise
    except Exception as error:
        raise UnreadableFile(
            f"{name}: is a damaged Word file and cannot be read ({error})"
        ) from None


def _xml(archive: zipfile.ZipFile, part: str):
    from lxml import etree

    info = archive.getinfo(part)
    if info.file_size > _MAX_PART_BYTES:
        raise UnreadableFile(f"{part} is too large to check")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(archive.read(part), parser=parser)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _DocxText:
    """Walk WordprocessingML, collecting text and splitting pages at page breaks."""

    def __init__(self, rendered_breaks: bool):
        # If Word recorded where it rendered page breaks, use those (they include explicit
        # breaks); otherwise split at explicit page breaks.
        self.rendered_breaks = rendered_breaks
        self.pages: list[list[str]] = [[]]

    def new_page(self) -> None:
        self.pages.append([])

    def walk(self, element) -> None:
        name = _local(element.tag)
        if name == "Fallback":  # mc:Fallback repeats text boxes as VML: skip the duplicate
            return
        if name in ("t", "delText", "instrText"):
            self.pages[-1].append(element.text or "")
        elif name in ("tab", "ptab"):
            self.pages[-1].append("\t")
        elif name == "cr":
            self.pages[-1].append("\n")
        elif name == "br":
            kind = next((v for k, v in element.attrib.items() if _local(k) == "type"), "")
            if kind == "page" and not self.rendered_breaks:
                self.new_page()
            else:
                self.pages[-1].append("\n")
        elif name == "lastRenderedPageBreak" and self.rendered_breaks:
            if "".join(self.pages[-1]).strip():
                self.new_page()
        elif name == "pageBreakBefore" and not self.rendered_breaks:
            value = next((v for k, v in element.attrib.items() if _local(k) == "val"), "true")
            if value not in ("0", "false", "off") and "".join(self.pages[-1]).strip():
                self.new_page()
        for child in element:
            self.walk(child)
        if name in ("p", "tc"):
            self.pages[-1].append("\n")

    def text_pages(self) -> list[str]:
        return ["".join(parts) for parts in self.pages]


def _read_docx(archive: zipfile.ZipFile, names: set[str]) -> ExtractedDocument:
    body = _xml(archive, "word/document.xml")
    rendered = any(_local(el.tag) == "lastRenderedPageBreak" for el in body.iter())
    walker = _DocxText(rendered_breaks=rendered)
    walker.walk(body)
    pages = walker.text_pages()

    extra = []
    patterns = (r"word/(header|footer)\d*\.xml", r"word/(footnotes|endnotes|comments)\.xml")
    for part in sorted(names):
        if any(re.fullmatch(pattern, part) for pattern in patterns):
            part_walker = _DocxText(rendered_breaks=True)
            part_walker.walk(_xml(archive, part))
            extra.append("\n".join(part_walker.text_pages()))
    if extra:
        pages[0] = pages[0] + "\n" + "\n".join(extra)

    properties = []
    for part in ("docProps/core.xml", "docProps/app.xml"):
        if part in names:
            root = _xml(archive, part)
            for element in root.iter():
                if (
                    _local(element.tag)
                    in (
                        "title",
                        "subject",
                        "creator",
                        "keywords",
                        "description",
                        "lastModifiedBy",
                        "category",
                        "Company",
                        "Manager",
                    )
                    and (element.text or "").strip()
                ):
                    properties.append(element.text.strip())
    # External link targets (mailto: addresses and the like).
    for part in sorted(names):
        if re.fullmatch(r"word/_rels/[^/]+\.rels", part):
            for element in _xml(archive, part).iter():
                if element.get("TargetMode") == "External" and element.get("Target"):
                    properties.append(element.get("Target"))
    return ExtractedDocument(pages=pages, properties="\n".join(properties))


# --------------------------------------------------------------------------------------------
# Normalising text
# --------------------------------------------------------------------------------------------

SOFT_BREAK = "\u00ad"  # stands for a word hyphenated across a line break
_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u201b\u02bc\u2032\u0060\u00b4"), "'")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_LINE_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, straight apostrophes and dashes, hyphenated line breaks marked, whitespace collapsed.

    A word hyphenated across a line ("Mar-\\nchbank") becomes "Mar\\u00adchbank": the patterns
    accept the soft break inside a word, while a real hyphen (double-barrelled names) stays
    a word boundary.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_APOSTROPHES).translate(_DASHES).translate(_INVISIBLE)
    text = _LINE_HYPHEN.sub(SOFT_BREAK, text)
    return _SPACES.sub(" ", text)


def _fold_char(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    """Remove accents character by character, keeping the length (so positions still match)."""
    if text.isascii():
        return text
    return "".join(_fold_char(char) for char in text)


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

_SB = SOFT_BREAK
_BEFORE = r"(?<![^\W_])"  # not preceded by a letter or digit
_AFTER = r"(?![^\W_])"  # not followed by a letter or digit
_POSSESSIVE = r"(?i:'s|s'|'|s)?"

# Name parts that are also ordinary words: matched only as "May" or "MAY", not "may".
_COMMON_WORDS_TEXT = """
    amber april art august bell bill black bob brown child dawn don drew earl faith frank
    grace green guy hall hill holly hope ivy jack joy june king lane lily little long mark may
    miles olive page park pat rich river rose ruby sky summer sunny violet white will wood
    young day field ford hunter mason porter price rice
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


def _flex(literal: str) -> str:
    """A regex for a literal, tolerant of case (by flag), spacing, soft breaks and punctuation."""
    tokens = [token for token in re.split(r"[\s\-]+", fold(literal)) if token]
    out = []
    for index, token in enumerate(tokens):
        if index:
            previous, current = tokens[index - 1][-1], token[0]
            if previous.isdigit() and current.isdigit():
                out.append(rf"[\s\-{_SB}]?")
            else:
                out.append(rf"[\s\-{_SB}]+")
        pieces = []
        for char in token:
            if char == "'":
                pieces.append("'?")
            elif char == ".":
                pieces.append(r"\.?")
            elif char == ",":
                pieces.append(",?")
            else:
                pieces.append(re.escape(char))
        out.append(f"{_SB}?".join(pieces))
    return "".join(out)


def _bounded(body: str, possessive: bool = True) -> str:
    return _BEFORE + "(?:" + body + ")" + (_POSSESSIVE if possessive else "") + _AFTER


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regex: re.Pattern
    validate: object = None  # optional callable(match) -> bool


def _word(word: str) -> str:
    """A name part: any case, unless it is also an ordinary word ("May", "MAY", not "may")."""
    if word.lower() in COMMON_WORDS:
        variants = {word[:1].upper() + word[1:].lower(), word.upper()}
        return "(?:" + "|".join(_flex(v) for v in sorted(variants)) + ")"
    return f"(?i:{_flex(word)})"


def _name_patterns(name: str) -> list[_Pattern]:
    parts = [p for p in re.split(r"\s+", fold(name).replace(".", ". ").strip()) if p.strip(".")]
    words = [p.strip(".") for p in parts]
    patterns: list[_Pattern] = []
    if not words:
        return patterns

    def add(kind: str, body: str, possessive: bool = True) -> None:
        patterns.append(_Pattern(kind, re.compile(_bounded(body, possessive))))

    if len(words) >= 2:
        add("name", f"(?i:{_flex(' '.join(words))})")

    # Each part of the name alone (and each half of a double-barrelled part).
    single = set()
    for word in (w for w in words if len(w) >= 2):
        single.add(word)
        single.update(piece for piece in word.split("-") if len(piece) >= 2)
    for word in sorted(single):
        add("name", _word(word))

    initials = [w[0].upper() for w in words if w[0].isalpha()]
    if len(words) >= 2 and len(words[-1]) >= 2:
        given, surname = words[:-1], words[-1]
        # "Q. Marchbank", "Q Marchbank", "Q.J. Marchbank" (initials in capitals)
        given_initials = r"\s?".join(rf"{re.escape(w[0].upper())}\.?" for w in given)
        add("name", rf"{given_initials}\s?{_word(surname)}")
        # "Quentin M.", "Quentin M"
        if len(given[0]) >= 2:
            add("name", rf"{_word(given[0])}\s{re.escape(surname[0].upper())}\.?", False)
    if len(initials) >= 2:
        # "Q.M.", "Q. M.", "Q.J.M." (dotted, any length) and "QJM" (three or more letters).
        for letters in sorted({(initials[0], initials[-1]), tuple(initials)}):
            dotted = r"\s?".join(rf"{re.escape(letter)}\." for letter in letters[:-1])
            add("initials", rf"{dotted}\s?{re.escape(letters[-1])}\.?", False)
            if len(letters) >= 3:
                add("initials", re.escape("".join(letters)), False)
    return patterns


_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def _date_patterns(date: datetime.date) -> list[_Pattern]:
    day, month, year = date.day, date.month, date.year
    d = rf"0?{day}" if day < 10 else str(day)
    m = rf"0?{month}" if month < 10 else str(month)
    mm = f"{month:02d}"
    dd = f"{day:02d}"
    yyyy = str(year)
    yy = f"{year % 100:02d}"
    name = _MONTHS[month - 1]
    month_names = [name, name[:3]] + (["sept"] if month == 9 else [])
    month_word = "(?:" + "|".join(sorted(month_names, key=len, reverse=True)) + r")\.?"
    ordinal = rf"{d}(?:st|nd|rd|th)?"
    textual_year = rf"(?:{yyyy}|'{yy}|{yy})"
    forms = [
        # 02/04/2019, 2/4/2019, 02-04-2019, 02.04.19, 02 04 2019
        rf"{d}(?P<s>\s?[/.\-]\s?|\s){m}(?P=s)(?:{yyyy}|{yy})",
        # 2019-04-02, 2019/04/02, 20190402
        rf"{yyyy}(?P<s>[/.\-]){m}(?P=s){d}",
        rf"{yyyy}{mm}{dd}",
        # 2 April 2019, 2nd April 2019, 2 Apr 2019, 2nd of April, 2019, the 2nd of April '19
        rf"{ordinal}\s?(?:of\s)?{month_word},?\s?{textual_year}",
        # April 2, 2019, April 2nd 2019, April the 2nd, 2019
        rf"{month_word}\s?(?:the\s)?{ordinal},?\s?{textual_year}",
    ]
    return [
        _Pattern("date_of_birth", re.compile(_BEFORE + f"(?:{form})" + _AFTER, re.IGNORECASE))
        for form in forms
    ]


POSTCODE = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)" + r"\s?" + r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE_RE = re.compile(_BEFORE + POSTCODE + _AFTER)
_POSTCODE_ANYCASE = re.compile(_BEFORE + POSTCODE + _AFTER, re.IGNORECASE)


def _address_patterns(address: str) -> list[_Pattern]:
    patterns = []
    text = fold(address)
    for postcode in _POSTCODE_ANYCASE.findall(text):
        compact = re.sub(r"\s", "", postcode).upper()
        body = re.escape(compact[:-3]) + r"\s?" + re.escape(compact[-3:])
        patterns.append(_Pattern("postcode", re.compile(_bounded(body, False), re.IGNORECASE)))
    text = _POSTCODE_ANYCASE.sub(",", text)
    lines = {line.strip(" .") for line in re.split(r"[,\n;]+", text)}
    if len([line for line in lines if line]) > 1:
        lines.add(", ".join(line.strip(" .") for line in re.split(r"[,\n;]+", text) if line))
    for line in sorted(lines):
        if sum(char.isalpha() for char in line) < 3:
            continue
        patterns.append(_Pattern("address", re.compile(_bounded(_flex(line)), re.IGNORECASE)))
        numbered = re.fullmatch(r"(?:flat|apartment|unit)?\s*\d+[a-z]?\s+(.+)", line, re.I)
        if numbered and sum(char.isalpha() for char in numbered.group(1)) >= 5:
            # The street without the house number ("Fictional Row").
            street = _flex(numbered.group(1))
            patterns.append(_Pattern("address", re.compile(_bounded(street), re.IGNORECASE)))
    return patterns


def _other_patterns(text: str) -> list[_Pattern]:
    if sum(char.isalnum() for char in text) < 2:
        return []
    return [_Pattern("other", re.compile(_bounded(_flex(text)), re.IGNORECASE))]


# ---- identifiers whatever the list says ----------------------------------------------------


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus 11 check digit of a 10-digit NHS (or CHI) number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_NHS_RE = re.compile(r"(?<![\d\w])\d{3}(?P<s>[ \-]?)\d{3}(?P=s)\d{4}(?![\d\w])")
_NHS_6_4_RE = re.compile(r"(?<![\d\w])\d{6}[ \-]\d{4}(?![\d\w])")
_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w])"
)
# A UK phone number starts with +44, 0044 or 0 and then groups of digits.
_PHONE_START_RE = re.compile(r"(?<![\w+])(?:\+\s?44|0044|\(?0)")
_PHONE_TOKEN_RE = re.compile(r"\s?(?:\(0\)\s?)?\)?[\s\-.]?(\d+)")


def _nhs_valid(match: re.Match) -> bool:
    return nhs_number_is_valid(re.sub(r"\D", "", match.group(0)))


def _find_phones(text: str) -> list[tuple[int, int]]:
    """UK phone numbers: +44 / 0044 / 0, then 9 or 10 digits of national number in groups."""
    spans = []
    for start_match in _PHONE_START_RE.finditer(text):
        international = not start_match.group(0).lstrip("(").startswith("0") or (
            start_match.group(0).startswith("0044")
        )
        position = start_match.end()
        digits = ""
        best = None
        for _ in range(6):
            token = _PHONE_TOKEN_RE.match(text, position)
            if not token:
                break
            if not digits and not international and token.start(1) != position:
                break  # the leading "0" must be followed directly by the area code
            digits += token.group(1)
            position = token.end()
            national = digits.lstrip("0") if international else digits
            if national[:1] in ("1", "2", "3", "7", "8") and (
                len(national) == 10 or (len(national) == 9 and national.startswith(("1", "800")))
            ):
                best = position
            if len(national) >= 10:
                break
        if best is not None and not re.match(r"\w", text[best : best + 1]):
            spans.append((start_match.start(), best))
    return spans


# --------------------------------------------------------------------------------------------
# Finding
# --------------------------------------------------------------------------------------------

_FAMILY = {"initials": "name", "postcode": "address"}
_PRIORITY = ["name", "initials", "date_of_birth", "address", "postcode", "other"]


def _compile(identifiers: Identifiers) -> list[_Pattern]:
    patterns: list[_Pattern] = []
    for name in identifiers.names:
        patterns += _name_patterns(name)
    for date in identifiers.dates_of_birth:
        patterns += _date_patterns(date)
    for address in identifiers.addresses:
        patterns += _address_patterns(address)
    for text in identifiers.other:
        patterns += _other_patterns(text)
    patterns.append(_Pattern("postcode", _POSTCODE_RE))
    patterns.append(_Pattern("email", _EMAIL_RE))
    patterns.append(_Pattern("nhs_number", _NHS_RE, _nhs_valid))
    patterns.append(_Pattern("nhs_number", _NHS_6_4_RE, _nhs_valid))
    return patterns


def _context(display: str, start: int, end: int) -> str:
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(display), end + CONTEXT_CHARS)
    text = display[left:right].replace(SOFT_BREAK, "-").strip()
    return ("..." if left else "") + text + ("..." if right < len(display) else "")


def _find_in_text(text: str, page: int, patterns: list[_Pattern]) -> list[Finding]:
    display = normalise(text)
    folded = fold(display)
    spans: dict[tuple[int, int], str] = {}

    def add(start: int, end: int, kind: str) -> None:
        if end <= start:
            return
        current = spans.get((start, end))
        if current is None or _rank(kind) < _rank(current):
            spans[(start, end)] = kind

    for pattern in patterns:
        for match in pattern.regex.finditer(folded):
            if pattern.validate and not pattern.validate(match):
                continue
            add(match.start(), match.end(), pattern.kind)
    for start, end in _find_phones(folded):
        add(start, end, "phone")

    # Drop a finding inside a longer one of the same family ("Marchbank" in "Q. Marchbank").
    items = sorted(spans.items(), key=lambda item: (item[0][0], -item[0][1]))
    kept: list[tuple[tuple[int, int], str]] = []
    for (start, end), kind in items:
        family = _FAMILY.get(kind, kind)
        contained = any(
            s <= start and end <= e and (s, e) != (start, end) and _FAMILY.get(k, k) == family
            for (s, e), k in items
        )
        if not contained:
            kept.append(((start, end), kind))
    return [
        Finding(
            kind=kind,
            text=display[start:end].replace(SOFT_BREAK, ""),
            page=page,
            context=_context(display, start, end),
            position=start,
        )
        for (start, end), kind in kept
    ]


def _rank(kind: str) -> int:
    return _PRIORITY.index(kind) if kind in _PRIORITY else len(_PRIORITY)


def find_identifiers(
    pages: list[str], identifiers: Identifiers, *, properties: str = ""
) -> list[Finding]:
    """Every identifier found in the pages (page 1 is pages[0]), sorted by page and position.

    Text in ``properties`` (document title, author, ...) is reported as page 0.
    """
    patterns = _compile(identifiers)
    findings: list[Finding] = []
    if properties.strip():
        findings += _find_in_text(properties, PROPERTIES_PAGE, patterns)
    for number, text in enumerate(pages, start=1):
        findings += _find_in_text(text, number, patterns)
    return sorted(findings, key=lambda finding: (finding.page, finding.position))


def check_file(source: str | Path | bytes, identifiers: Identifiers) -> list[Finding]:
    """Read a PDF or DOCX and find identifiers; pages that are only images are reported too."""
    document = read_document(source)
    findings = find_identifiers(document.pages, identifiers, properties=document.properties)
    findings += [
        Finding(
            kind="image_only_page",
            text="",
            page=number,
            context="page has images but no text that can be read; check it by eye",
            position=-1,
        )
        for number in document.image_only_pages
    ]
    return sorted(findings, key=lambda finding: (finding.page, finding.position))
