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

from django.conf import settings
from django.core.exceptions import ValidationError

from safeguarding.core.uploads import (
    BoundedPart,
    ParseBudget,
    UnpackLimitExceeded,
    check_archive,
)

CONTEXT_CHARS = 60

# Page number used for findings in document properties (title, author, ...), not on a page.
PROPERTIES_PAGE = 0


class UnreadableFile(Exception):
    """The file cannot be read, so it cannot be checked (and must not be published unchecked)."""


class TooLargeToRead(UnreadableFile):
    """The file would unpack to too much, or takes too long to read (a decompression bomb):
    ``message`` is the sentence to show the person who uploaded it."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.message = message


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
# pypdf unpacks no stream beyond this, and parses no content stream longer than this many
# operators and operands: a real page needs a small part of either.
PDF_MAX_STREAM_BYTES = 10 * 1024 * 1024
PDF_MAX_STREAM_TOKENS = 300_000
# pypdf's text extraction takes about 0.3 ms for each operator that shows text, more on a long
# page, and cannot be stopped once started: a page that would show more than this many (its
# own, and those of the forms it draws, times the times it draws them) is refused before it is
# read. A dense page of a real report shows a few hundred.
PDF_MAX_TEXT_OPERATIONS_PER_PAGE = 5_000
_SHOW_TEXT = re.compile(rb"[)>\]]\s*(?:Tj|TJ|'|\")")  # after a string or an array: Tj TJ ' "
_DRAW_FORM = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![A-Za-z])")


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
    """Read the text of a PDF or Word .docx file, detected by content (not by file name).

    Within the limits of ``core.uploads`` (TooLargeToRead past them): a .docx that would unpack
    to too much is refused before it is read, its XML is read as a stream, and the time taken,
    the characters kept and a PDF's pages are bounded."""
    data, name = _as_bytes(source)
    if not data:
        raise UnreadableFile(f"{name}: the file is empty")
    if b"%PDF-" in data[:1024]:
        return _read_pdf(data, name, ParseBudget())
    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            f"{name}: is a password-protected Office file or an old-style .doc; "
            "remove the password and save it as .docx or PDF"
        )
    if data.startswith(b"PK"):
        return _read_zip(data, name, ParseBudget())
    raise UnreadableFile(f"{name}: not a PDF or Word .docx file")


def extract_pages(source: str | Path | bytes) -> list[str]:
    """The text of each page (DOCX: pages split at page breaks; headers, footers, notes and
    comments are added to page 1)."""
    return read_document(source).pages


# ---- PDF ------------------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str, budget: ParseBudget) -> ExtractedDocument:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import (
        DependencyError,
        FileNotDecryptedError,
        LimitReachedError,
        PdfReadError,
    )

    limits = dict.fromkeys(
        (
            "maximum_declared_stream_length",
            "array_based_stream_maximum_output_length",
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
        ),
        PDF_MAX_STREAM_BYTES,
    )
    limits["stream_parsing_work_maximum_count"] = PDF_MAX_STREAM_TOKENS
    limits["xform_maximum_invocations_per_extraction"] = 200
    max_pages = settings.UPLOAD_MAX_PDF_PAGES
    try:
        with apply_configuration(**limits):
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
            declared = reader.root_object["/Pages"].get_object().get("/Count", 0)
            # The count the file declares first (flattening a long page tree takes a while),
            # then the pages there really are.
            count = declared if isinstance(declared, int) and declared > max_pages else 0
            count = count or len(reader.pages)
            if count > max_pages:
                raise TooLargeToRead(
                    name,
                    f"The file is too large to check: it has {count:,} pages and the most "
                    f"that can be checked is {max_pages:,}. Split it into smaller files and "
                    "upload each one",
                )
            pages = []
            image_only = []
            for number, page in enumerate(reader.pages, start=1):
                if number > max_pages:  # the page tree holds more pages than it says
                    break
                budget.tick()
                if _text_operations(page) > PDF_MAX_TEXT_OPERATIONS_PER_PAGE:
                    raise TooLargeToRead(
                        name,
                        f"The file is too large to check: page {number} holds far more text "
                        "than a real page does. Save it again as a PDF and upload it again",
                    )
                text = page.extract_text() or ""
                budget.take(len(text))
                pages.append(text)
                if not text.strip() and _has_images(page):
                    image_only.append(number)
            properties = _pdf_properties(reader)
    except UnreadableFile:
        raise
    except UnpackLimitExceeded as error:
        raise TooLargeToRead(name, error.messages[0]) from None
    except LimitReachedError:
        raise TooLargeToRead(
            name,
            "The file is too large when unpacked: a page holds far more than a real document "
            "does. Save it again as a PDF and upload it again",
        ) from None
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


def _text_operations(page) -> int:
    """How many text-showing operators extracting the page's text would run, at most: those of
    its content, plus, for each form it draws, the form's own times the times it is drawn."""
    contents = page.get_contents()
    if contents is None:
        return 0
    return _stream_text_operations(contents.get_data(), page.get("/Resources"), depth=0)


def _stream_text_operations(data: bytes, resources, *, depth: int) -> int:
    count = len(_SHOW_TEXT.findall(data))
    drawn = _DRAW_FORM.findall(data)
    if not drawn:
        return count
    if depth >= 3:  # forms inside forms inside forms: count as too much to read
        return PDF_MAX_TEXT_OPERATIONS_PER_PAGE + 1
    forms = {}
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    for key, value in (xobjects.get_object() if xobjects is not None else {}).items():
        form = value.get_object()
        if form.get("/Subtype") == "/Form":
            forms[key.lstrip("/").encode()] = form
    heaviest = {}
    for name in drawn:
        form = forms.get(name)
        if form is not None and name not in heaviest:
            heaviest[name] = _stream_text_operations(
                form.get_data(), form.get("/Resources", resources), depth=depth + 1
            )
        count += heaviest.get(name, 0)
        if count > PDF_MAX_TEXT_OPERATIONS_PER_PAGE:
            break
    return count


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


def _read_zip(data: bytes, name: str, budget: ParseBudget) -> ExtractedDocument:
    try:
        check_archive(io.BytesIO(data))
    except UnpackLimitExceeded as error:
        raise TooLargeToRead(name, error.messages[0]) from None
    except ValidationError:
        raise UnreadableFile(f"{name}: is a damaged zip/Word file and cannot be read") from None
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
        return _read_docx(archive, names, budget)
    except UnreadableFile:
        raise
    except UnpackLimitExceeded as error:
        raise TooLargeToRead(name, error.messages[0]) from None
    except Exception as error:
        raise UnreadableFile(
            f"{name}: is a damaged Word file and cannot be read ({error})"
        ) from None


def _events(archive: zipfile.ZipFile, part: str, budget: ParseBudget):
    """(event, local name, element) for the start and end of each element of ``part``, read
    as a stream: never more than the unpacked limit, within the time budget, and each element
    dropped once its end has been seen, so memory stays small however long the part is."""
    from lxml import etree

    limit = settings.UPLOAD_MAX_UNPACKED_BYTES
    with BoundedPart(archive, part, max_bytes=limit, budget=budget) as stream:
        for event, element in etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
        ):
            yield event, _local(element.tag), element
            if event == "end":
                element.clear(keep_tail=True)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# In ``_DocxText.parts``: a page break that is only a line break when pages follow the breaks
# Word rendered (with explicit breaks it starts a new page instead).
_RENDERED_NEWLINE = object()


class _DocxText:
    """Collect the text of WordprocessingML from parse events, and where its pages break both
    ways: where Word rendered its page breaks (used if it recorded any; they include explicit
    breaks) and at explicit page breaks."""

    def __init__(self, budget: ParseBudget):
        self.budget = budget
        self.parts: list = []
        self.breaks: dict[bool, list[int]] = {True: [], False: []}  # rendered? -> part indexes
        self.page_has_text = {True: False, False: False}
        self.rendered_seen = False

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.budget.take(len(text))
            if not text.isspace():
                self.page_has_text[True] = self.page_has_text[False] = True

    def new_page(self, rendered: bool) -> None:
        self.breaks[rendered].append(len(self.parts))
        self.page_has_text[rendered] = False

    def read(self, events) -> _DocxText:
        skipping = 0  # inside mc:Fallback, which repeats text boxes as VML: skip the duplicate
        for event, name, element in events:
            if event == "start":
                if skipping or name == "Fallback":
                    skipping += 1
                else:
                    self.start(name, element)
            elif skipping:
                skipping -= 1
            elif name in ("t", "delText", "instrText"):
                self.add(element.text or "")
            elif name in ("p", "tc"):
                self.add("\n")
        return self

    def start(self, name: str, element) -> None:
        if name in ("tab", "ptab"):
            self.add("\t")
        elif name == "cr":
            self.add("\n")
        elif name == "br":
            kind = next((v for k, v in element.attrib.items() if _local(k) == "type"), "")
            if kind == "page":
                self.new_page(rendered=False)
                self.parts.append(_RENDERED_NEWLINE)
            else:
                self.add("\n")
        elif name == "lastRenderedPageBreak":
            self.rendered_seen = True
            if self.page_has_text[True]:
                self.new_page(rendered=True)
        elif name == "pageBreakBefore":
            value = next((v for k, v in element.attrib.items() if _local(k) == "val"), "true")
            if value not in ("0", "false", "off") and self.page_has_text[False]:
                self.new_page(rendered=False)

    def text_pages(self, rendered: bool | None = None) -> list[str]:
        if rendered is None:
            rendered = self.rendered_seen
        pages, start = [], 0
        for end in [*self.breaks[rendered], len(self.parts)]:
            pages.append(
                "".join(
                    ("\n" if rendered else "") if part is _RENDERED_NEWLINE else part
                    for part in self.parts[start:end]
                )
            )
            start = end
        return pages


_PROPERTY_NAMES = {
    "title",
    "subject",
    "creator",
    "keywords",
    "description",
    "lastModifiedBy",
    "category",
    "Company",
    "Manager",
}


def _read_docx(archive: zipfile.ZipFile, names: set[str], budget: ParseBudget) -> ExtractedDocument:
    pages = _DocxText(budget).read(_events(archive, "word/document.xml", budget)).text_pages()

    extra = []
    patterns = (r"word/(header|footer)\d*\.xml", r"word/(footnotes|endnotes|comments)\.xml")
    for part in sorted(names):
        if any(re.fullmatch(pattern, part) for pattern in patterns):
            walker = _DocxText(budget).read(_events(archive, part, budget))
            extra.append("\n".join(walker.text_pages(rendered=True)))
    if extra:
        pages[0] = pages[0] + "\n" + "\n".join(extra)

    properties = []
    for part in ("docProps/core.xml", "docProps/app.xml"):
        if part in names:
            for event, name, element in _events(archive, part, budget):
                if event == "end" and name in _PROPERTY_NAMES and (element.text or "").strip():
                    properties.append(element.text.strip())
                    budget.take(len(properties[-1]))
    # External link targets (mailto: addresses and the like).
    for part in sorted(names):
        if re.fullmatch(r"word/_rels/[^/]+\.rels", part):
            for event, _name, element in _events(archive, part, budget):
                if (
                    event == "start"
                    and element.get("TargetMode") == "External"
                    and element.get("Target")
                ):
                    properties.append(element.get("Target"))
                    budget.take(len(properties[-1]))
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
