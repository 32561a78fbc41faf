"""Word referral forms: the .docx a partnership offers for download, and reading one back.

The document is built from the same question pages as the online form (``public_forms``): one
two-column table per page, the question in the left column and an empty cell for the answer on
the right. A marker in the document's core properties (and, in case an editor drops those, in
its last paragraph) says which form it is, so an upload can be recognised.

Reading an uploaded form turns each answer into the data a browser would post, and the SAME page
forms then check it: the rules are identical whichever way a referral arrives.
"""

import datetime
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from safeguarding.accounts.models import Partnership, ReviewType
from safeguarding.core import documents
from safeguarding.core.forms import GovukDateField, GovukForm
from safeguarding.core.uploads import (
    DOCX,
    ParseBudget,
    UnpackLimitExceeded,
    check_archive,
    validate_upload,
)

from .public_forms import (
    FORM_TITLES,
    CheckedPage,
    YesNoField,
    page_form,
    pages_for,
)

MARKER_PREFIX = "manage-safeguarding-reviews:referral-form:"
MARKER_VERSION = "v1"
_MARKER_PATTERN = re.compile(r"manage-safeguarding-reviews:referral-form:([a-z]+):v1")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted Office files and old .doc files
# python-docx holds the whole form in memory, about ten times its unpacked size: a completed
# form is a few pages of answers, far below this.
MAX_UNPACKED_BYTES = 10 * 1024 * 1024

_DATE_EXAMPLE_PATTERN = re.compile(r"\s*For example, \d+ \d+ \d{4}\.?")
_DATE_PATTERN = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,4})$")
_NOT_KNOWN_WORDS = {"not known", "not_known", "unknown", "don't know", "dont know", "n/k", "nk"}


def form_marker(review_type: str) -> str:
    return f"{MARKER_PREFIX}{review_type}:{MARKER_VERSION}"


def _normalise(text: str) -> str:
    """Labels and answers compared as Word may have retyped them (curly quotes, spaces)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\xa0", " ")
    text = re.sub(r"\s+", " ", text).strip().casefold()
    text = re.sub(r"\s*\(optional\)$", "", text)
    return text.rstrip(" :.")


# Questions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    page_title: str
    name: str
    field: forms.Field


def questions_for(*, partnership: Partnership, review_type: str) -> list[tuple[str, list]]:
    """Each page's title and its questions, in the order of the online form."""
    sections = []
    for page in pages_for(review_type):
        form = page_form(page, partnership=partnership, review_type=review_type)
        title = page.title(review_type)
        sections.append(
            (title, [Question(title, name, field) for name, field in form.fields.items()])
        )
    return sections


def _hint(field: forms.Field, partnership: Partnership) -> str:
    """How to answer in Word: the question's hint, then the format the answer must take."""
    help_text = _DATE_EXAMPLE_PATTERN.sub("", str(field.help_text or "")).strip()
    parts = [] if field.required else ["Optional."]
    if help_text:
        parts.append(help_text if help_text.endswith(".") else help_text + ".")
    if isinstance(field, GovukDateField):
        parts.append("Write the date as DD/MM/YYYY, for example 27/03/2025.")
    elif isinstance(field, YesNoField):
        labels = [label for _, label in field.choices]
        parts.append("Write " + ", ".join(labels[:-1]) + " or " + labels[-1] + ".")
    elif isinstance(field, forms.ModelMultipleChoiceField):
        parts = ["Optional. Write each agency on its own line."]
        names = [agency.name for agency in field.queryset]
        if names:
            parts.append("Agencies that work with " + partnership.name + ": " + "; ".join(names))
    elif isinstance(field, forms.ChoiceField):
        parts.append("Write one of: " + "; ".join(label for _, label in field.choices) + ".")
    return " ".join(parts)


# Making the form -------------------------------------------------------------------------------


def _question_cell(field: forms.Field, partnership: Partnership) -> documents.Cell:
    """The question in bold (what an upload is read by), then how to answer it."""
    paragraphs: list[documents.Content] = [documents.Span(str(field.label), bold=True)]
    hint = _hint(field, partnership)
    if hint:
        paragraphs.append(documents.Span(hint, italic=True, small=True))
    return documents.Cell(paragraphs)


def referral_form_docx(
    *, partnership: Partnership, review_type: str, online_url: str = ""
) -> bytes:
    """The Word form: a two-column table per page of the online form (the question on the left,
    an empty cell for the answer on the right), and the form's marker in the document's core
    properties and its last paragraph."""
    blocks: list[documents.Block] = [
        documents.Paragraph(
            documents.Span("If someone is in immediate danger, call 999.", bold=True)
        ),
        documents.Paragraph(
            "Use this form to refer a case to the partnership. Answer each question in the "
            "right-hand column. Do not change the questions in the left-hand column: the "
            "partnership's system reads them."
        ),
    ]
    if online_url:
        blocks.append(
            documents.Paragraph(f"You can also refer online, which is quicker: {online_url}")
        )
    if partnership.contact_email:
        blocks.append(
            documents.Paragraph(
                f"Send the completed form by secure email to {partnership.contact_email}."
            )
        )
    for section_title, questions in questions_for(partnership=partnership, review_type=review_type):
        blocks.append(documents.Heading(section_title))
        blocks.append(
            documents.SummaryList(
                [(_question_cell(q.field, partnership), "") for q in questions],
                widths=(7.5, 9),
            )
        )
    blocks.append(
        documents.Paragraph(
            documents.Span(f"Form reference: {form_marker(review_type)}", small=True)
        )
    )
    return documents.docx_bytes(
        documents.Document(
            title=f"{FORM_TITLES[review_type]}: {partnership.name}",
            blocks=blocks,
            author=partnership.name,
            subject=ReviewType(review_type).label,
            keywords="referral form",
            identifier=form_marker(review_type),
        )
    )


# Reading a completed form -------------------------------------------------------------------


def _date_data(name: str, text: str) -> dict:
    parts = ["", "", ""]
    if text:
        match = _DATE_PATTERN.match(text)
        if match:
            parts = list(match.groups())
        else:
            for pattern in ("%d %B %Y", "%d %b %Y", "%d %B, %Y", "%Y-%m-%d"):
                try:
                    date = datetime.datetime.strptime(text, pattern).date()
                except ValueError:
                    continue
                parts = [str(date.day), str(date.month), str(date.year)]
                break
            else:
                parts = [text, "", ""]  # "must include a day, month and year"
    return {f"{name}_{index}": part for index, part in enumerate(parts)}


def _choice_value(field: forms.ChoiceField, text: str) -> str:
    wanted = _normalise(text)
    if isinstance(field, YesNoField):
        if wanted in ("y", "yes"):
            return "yes"
        if wanted in ("n", "no"):
            return "no"
        if wanted in _NOT_KNOWN_WORDS and any(value == "not_known" for value, _ in field.choices):
            return "not_known"
    for value, label in field.choices:
        if wanted in (_normalise(str(label)), _normalise(str(value)), str(value).replace("_", " ")):
            return str(value)
    return text  # not one of the choices: the page form says what to do


def _agency_data(field: forms.ModelMultipleChoiceField, text: str) -> tuple[list[str], list[str]]:
    by_name = {}
    for agency in field.queryset:
        by_name[_normalise(agency.name)] = str(agency.pk)
        by_name[_normalise(agency.slug)] = str(agency.pk)
    chosen, others = [], []
    for line in re.split(r"[\n;]+", text):
        line = line.strip(" -•\t")
        if not line:
            continue
        pk = by_name.get(_normalise(line))
        if pk is None:
            others.append(line)
        elif pk not in chosen:
            chosen.append(pk)
    return chosen, others


def answers_as_data(answers: dict[str, str], questions: list[Question]) -> dict:
    """Word answers (question name → text) as the data a browser would post."""
    data: dict = {}
    other_agencies: list[str] = []
    for question in questions:
        text = answers.get(question.name, "").strip()
        field = question.field
        if isinstance(field, GovukDateField):
            data.update(_date_data(question.name, text))
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[question.name], other_agencies = _agency_data(field, text)
        elif isinstance(field, forms.ChoiceField):
            data[question.name] = _choice_value(field, text) if text else ""
        elif isinstance(field, forms.IntegerField):
            match = re.match(r"^(\d+)(\s*years?( old)?)?$", text, re.IGNORECASE)
            data[question.name] = match.group(1) if match else text
        else:
            data[question.name] = text
    if other_agencies and "other_agencies" in data:
        data["other_agencies"] = "; ".join(
            part for part in [data["other_agencies"], *other_agencies] if part
        )
    return data


@dataclass
class WordReferral:
    review_type: str
    data: dict
    submission_key: uuid.UUID


class WordFormError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


DAMAGED = (
    "The selected file is damaged and cannot be opened. Open it in Word, save it as a Word "
    "document (.docx) and upload it again"
)
ENCRYPTED_OR_OLD_FORMAT = (
    "The file is password-protected or in the old Word format (.doc). Remove the password, "
    "save it as a .docx and upload it again"
)


def _check_file(uploaded) -> None:
    """Refuse, with a message that says what to do, anything that is not a readable .docx."""
    if uploaded.size == 0:
        raise WordFormError("The selected file is empty")
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(OLE_MAGIC):
        raise WordFormError(ENCRYPTED_OR_OLD_FORMAT)
    if head.startswith(b"PK"):
        try:
            check_archive(uploaded, max_unpacked_bytes=MAX_UNPACKED_BYTES)
        except UnpackLimitExceeded as error:
            raise WordFormError(error.messages[0]) from None
        except ValidationError:
            raise WordFormError(DAMAGED) from None
        try:
            with zipfile.ZipFile(uploaded) as archive:
                broken = archive.testzip()
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
            raise WordFormError(DAMAGED) from None
        finally:
            uploaded.seek(0)
        if broken is not None:
            raise WordFormError(DAMAGED)
    try:
        validate_upload(uploaded, allowed=(DOCX,), max_unpacked_bytes=MAX_UNPACKED_BYTES)
    except ValidationError as error:
        raise WordFormError(error.messages[0]) from None


def referral_form_read(uploaded, *, partnership: Partnership) -> WordReferral:
    """The answers of a completed referral form, or WordFormError saying why it cannot be read.

    Nothing is checked against the referral rules here: the page forms do that.
    """
    from docx import Document

    _check_file(uploaded)
    content = uploaded.read()
    uploaded.seek(0)
    try:
        document = Document(io.BytesIO(content))
    except Exception:  # python-docx raises many kinds for a broken package
        raise WordFormError(DAMAGED) from None

    marker = document.core_properties.identifier or ""
    match = _MARKER_PATTERN.fullmatch(marker.strip())
    if match is None:
        for paragraph in reversed(document.paragraphs):
            match = _MARKER_PATTERN.search(paragraph.text)
            if match:
                break
    if match is None or match.group(1) not in {t.value for t in ReviewType}:
        raise WordFormError(
            f"This is not one of {partnership.name}'s referral forms. Download the form from "
            "the public Reviews page"
        )
    review_type = match.group(1)
    if review_type not in {t.value for t in partnership.review_types}:
        raise WordFormError(
            f"This form is for a {ReviewType(review_type).label}, which {partnership.name} "
            "does not run"
        )

    questions = [
        question
        for _, section in questions_for(partnership=partnership, review_type=review_type)
        for question in section
    ]
    by_label = {_normalise(str(q.field.label)): q.name for q in questions}
    answers: dict[str, str] = {}
    budget = ParseBudget()
    try:
        for table in document.tables:
            for row in table.rows:
                budget.tick()
                cells = row.cells
                if len(cells) < 2 or not cells[0].paragraphs:
                    continue
                name = by_label.get(_normalise(cells[0].paragraphs[0].text))
                if name is None or name in answers:
                    continue
                answer = "\n".join(p.text for p in cells[1].paragraphs).strip()
                budget.take(len(answer))
                answers[name] = answer
    except UnpackLimitExceeded as error:
        raise WordFormError(error.messages[0]) from None

    # The same file uploaded twice gives the same referral (services.referral_submit).
    digest = hashlib.sha256(content).hexdigest()
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"referral-word-form:{partnership.pk}:{digest}")
    return WordReferral(
        review_type=review_type, data=answers_as_data(answers, questions), submission_key=key
    )


# The upload form and the problems found -----------------------------------------------------


class ReferralWordUploadForm(GovukForm):
    file = forms.FileField(
        label="Upload a completed referral form",
        help_text="A Word document (.docx) made from one of the partnership's referral forms",
        error_messages={"required": "Select a completed referral form"},
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.referral: WordReferral | None = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.referral = referral_form_read(uploaded, partnership=self.partnership)
        except WordFormError as error:
            raise ValidationError(error.message) from None
        return uploaded


@dataclass(frozen=True)
class Problem:
    section: str
    question: str
    message: str


def problems_in(checked: list[CheckedPage]) -> list[Problem]:
    """Every answer that the page forms refused, with its section and question."""
    problems = []
    for item in checked:
        title = item.page.title(item.form.review_type)
        for name, messages in item.form.errors.items():
            field = item.form.fields.get(name)
            question = str(field.label) if field is not None else ""
            for message in messages:
                problems.append(Problem(title, question, message))
    return problems
