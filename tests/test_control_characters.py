"""Control characters in stored text do not break any export (issue 12, item 3).

One bell (``\\x07``) in a chronology row made the merged chronology's Excel and Word files and
the rapid review report fail with a 500 for everyone. Here every C0 control character (except
tab, line feed and carriage return), DEL and every C1 control character is put into the stored
data behind each export, as data saved before the input rule would hold it, and each file is
downloaded through its page as a signed-in user: it must open (python-docx, openpyxl, pypdf,
csv, json, XML) and hold the text without the control characters.
"""

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from safeguarding.accounts.models import Agency, Partnership
from safeguarding.actions.models import Action, Recommendation
from safeguarding.actions.tests import tracker_support as actions
from safeguarding.digests import services as digest_services
from safeguarding.digests.models import DigestIssue
from safeguarding.library.models import LibraryRecord
from safeguarding.library.tests.pages_support import add_record, published_review
from safeguarding.publication.models import Publication, Revision
from safeguarding.referrals import services as referral_services
from safeguarding.referrals.tests.staff_support import make_case
from safeguarding.reviews.models import ChronologyEntry, Person, Review
from safeguarding.reviews.rapid_review import services as rapid_review_services
from safeguarding.reviews.requests import services as requests_services
from safeguarding.reviews.tests.review_support import make_lcspr
from safeguarding.reviews.tests.rr_support import contributor_for

pytestmark = pytest.mark.django_db

CONTROLS = "".join(
    chr(code) for code in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(code) not in "\t\n\r"
)
CLEAN = "Seen at home by the nurse"


def dirty(text: str = CLEAN, max_length: int | None = None) -> str:
    """``text`` with every control character in its middle, as far as the database can hold
    them (PostgreSQL refuses NUL in text: such data cannot be stored there). A column of
    ``max_length`` gets as many as fit (PostgreSQL checks the length; SQLite does not)."""
    controls = CONTROLS.replace("\x00", "") if connection.vendor == "postgresql" else CONTROLS
    if max_length is not None:
        controls = controls[: max(1, max_length - len(text))]
    middle = text.index(" at ") + 3
    return text[:middle] + controls + text[middle:]


# Reading the files back -------------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    properties = document.core_properties
    parts += [properties.title or "", properties.author or ""]
    return "\n".join(parts)


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def csv_text(data: bytes) -> str:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return "\n".join(cell for row in rows for cell in row)


def zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        metadata = json.loads(archive.read("metadata.json"))
        return json.dumps(metadata, ensure_ascii=False) + "\n".join(archive.namelist())


def json_text(data: bytes) -> str:
    return json.dumps(json.loads(data), ensure_ascii=False)


def atom_text(data: bytes) -> str:
    root = ElementTree.fromstring(data)  # noqa: S314 - the service's own feed
    return "\n".join(root.itertext())


READERS = {
    "docx": docx_text,
    "xlsx": xlsx_text,
    "pdf": pdf_text,
    "csv": csv_text,
    "zip": zip_text,
    "json": json_text,
    "atom": atom_text,
}


# The stored data behind each export -------------------------------------------------------------


@dataclass
class World:
    partnership: Partnership
    agency: Agency
    user: object
    sample_pdf: bytes


def chronology_review(world: World) -> Review:
    case = make_case(world.partnership, world.user)
    review = Review.objects.create(
        partnership=world.partnership,
        case=case,
        kind=Review.Kind.LCSPR,
        stage=Review.Stage.AGENCY_REPORTS,
        reference="RV2026-00042",
        title="Child A",
        started_on=timezone.localdate(),
        created_by=world.user,
    )
    review.agencies.set([world.agency])
    person = Person.objects.create(
        case=case, pseudonym=dirty("Child at home", max_length=60), role_in_case="x"
    )
    entry = ChronologyEntry.objects.create(
        review=review,
        agency=world.agency,
        occurred_on=datetime.date(2025, 3, 14),
        event=dirty(),
        source_record=dirty("Note at 9"),
        practitioner_role=dirty("Nurse at clinic"),
        significance="key",
        entered_by=world.user,
    )
    entry.people.set([person])
    Agency.objects.filter(pk=world.agency.pk).update(name=dirty("Police at Testshire"))
    return review


def chronology_export(fmt):
    def make(world):
        review = chronology_review(world)
        return reverse("reviews:chronology_export", args=["testshire", review.pk]) + (
            f"?format={fmt}"
        )

    return make


def chronology_template(fmt):
    def make(world):
        review = chronology_review(world)
        return reverse("reviews:chronology_template", args=["testshire", review.pk]) + (
            f"?format={fmt}"
        )

    return make


def rapid_review_report(fmt):
    def make(world):
        world.partnership.agencies.add(world.agency)
        case = make_case(world.partnership, world.user, pseudonym="Child Q", agencies=[])
        referral_services.case_send_for_decision(case=case, review_types=["cspr"], actor=world.user)
        review = rapid_review_services.rapid_review_start(case=case, actor=world.user)
        (request,) = requests_services.agency_requests_send(
            review=review,
            agencies=[world.agency],
            kind="agency_summary",
            due_on=requests_services.rapid_review_deadline(review),
            instructions="",
            actor=world.user,
        )
        contributor = contributor_for(world.partnership, world.agency, "police@example.org")
        requests_services.agency_return_submit(
            request=request, user=contributor, fields={"involvement": dirty()}
        )
        Review.objects.filter(pk=review.pk).update(facts_summary=dirty("Facts at the time"))
        return reverse("reviews:rapid_review_report", args=["testshire", review.pk]) + (
            f"?format={fmt}"
        )

    return make


def terms_document(fmt):
    def make(world):
        review, _ = make_lcspr(world.partnership, world.user)
        Review.objects.filter(pk=review.pk).update(key_lines_of_enquiry=dirty())
        return reverse("reviews:terms_document", args=["testshire", review.pk]) + (f"?format={fmt}")

    return make


def _plan(world) -> Review:
    """A signed-off review's recommendation and an action not implemented in this financial
    year, all their text with control characters."""
    today = timezone.localdate()
    review = actions.review_for(
        world.partnership,
        title="Child P",
        started_on=today - datetime.timedelta(days=30),
        signed_off_at=timezone.now(),
    )
    finding = actions.finding_for(review, 1, dirty("Found at home"))
    recommendation = actions.recommendation_for(review, 1, [finding], agencies=[world.agency])
    action = actions.action_for(
        recommendation, 1, world.agency, target_date=today + datetime.timedelta(days=30)
    )
    actions.not_implemented(action, world.user, dirty("Reason at last"), actions.at(today))
    Recommendation.objects.update(text=dirty("Share at once"))
    Action.objects.update(text=dirty())
    return review


def action_plan(fmt):
    def make(world):
        review = _plan(world)
        return reverse(f"actions:plan_{fmt}", args=["testshire", review.pk])

    return make


def tracker(world):
    _plan(world)
    return reverse("actions:tracker_xlsx", args=["testshire"]) + "?view=all"


def annual_figures(world):
    _plan(world)
    today = timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    return reverse("reports:annual_xlsx", args=["testshire"]) + f"?year={year}"


def digest(fmt):
    def make(world):
        issue = digest_services.issue_start(
            partnership=world.partnership,
            actor=world.user,
            number=1,
            title="Spring learning",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 3, 31),
        )
        digest_services.item_add(
            issue=issue, actor=world.user, heading=dirty("Heard at school"), text=dirty()
        )
        DigestIssue.objects.filter(pk=issue.pk).update(introduction=dirty("Learning at last"))
        digest_services.issue_publish(issue=issue, actor=world.user)
        return reverse(f"digests_public:{fmt}", args=["testshire", 1])

    return make


def word_referral_form(world):
    world.partnership.agencies.add(world.agency)
    Partnership.objects.filter(pk=world.partnership.pk).update(name=dirty("Partnership at work"))
    Agency.objects.filter(pk=world.agency.pk).update(name=dirty())
    return reverse("refer:word_form", args=["testshire", "cspr"])


def library_open_data(world):
    record = add_record(world.partnership, world.user)
    LibraryRecord.objects.filter(pk=record.pk).update(summary=dirty(), title=dirty("Review at 3"))
    return reverse("library_public:json", args=["testshire"])


def national_library_submission(world, client):
    publication = published_review(world.partnership, world.user, world.sample_pdf)
    record = LibraryRecord.objects.get(publication=publication)
    LibraryRecord.objects.filter(pk=record.pk).update(summary=dirty())
    assert (
        client.post(reverse("library:submission", args=["testshire", record.pk])).status_code == 302
    )
    return reverse("library:submission_download", args=["testshire", record.pk])


def atom_feed(world):
    publication = published_review(world.partnership, world.user, world.sample_pdf)
    Publication.objects.filter(pk=publication.pk).update(title=dirty("Review at home"))
    Revision.objects.filter(publication=publication).update(
        title=dirty("Review at home"), summary=dirty()
    )
    return reverse("published:feed", args=["testshire"])


EXPORTS = {
    # name: (how to make the stored data and the URL, file kind, the text it must hold)
    "chronology xlsx": (chronology_export("xlsx"), "xlsx", CLEAN),
    "chronology docx": (chronology_export("docx"), "docx", CLEAN),
    "chronology pdf": (chronology_export("pdf"), "pdf", CLEAN),
    "chronology template csv": (chronology_template("csv"), "csv", "Child at home"),
    "chronology template xlsx": (chronology_template("xlsx"), "xlsx", "Child at home"),
    "rapid review docx": (rapid_review_report("docx"), "docx", CLEAN),
    "rapid review pdf": (rapid_review_report("pdf"), "pdf", CLEAN),
    "terms of reference docx": (terms_document("docx"), "docx", CLEAN),
    "terms of reference pdf": (terms_document("pdf"), "pdf", CLEAN),
    "action plan docx": (action_plan("docx"), "docx", CLEAN),
    "action plan xlsx": (action_plan("xlsx"), "xlsx", CLEAN),
    "action tracker xlsx": (tracker, "xlsx", CLEAN),
    "annual figures xlsx": (annual_figures, "xlsx", CLEAN),
    "digest pdf": (digest("pdf"), "pdf", CLEAN),
    "digest docx": (digest("docx"), "docx", CLEAN),
    "Word referral form": (word_referral_form, "docx", CLEAN),
    "library open data json": (library_open_data, "json", CLEAN),
    "national library submission zip": (national_library_submission, "zip", CLEAN),
    "published reviews atom feed": (atom_feed, "atom", CLEAN),
}


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_opens_with_stored_control_characters_removed(
    name, bu_client, partnership, agency, business_unit_user, sample_pdf
):
    make, kind, expected = EXPORTS[name]
    world = World(partnership, agency, business_unit_user, sample_pdf)
    url = make(world, bu_client) if make is national_library_submission else make(world)

    response = bu_client.get(url)

    assert response.status_code == 200, name
    text = READERS[kind](_body(response))
    assert expected in text
    found = sorted({f"U+{ord(c):04X}" for c in text if c in CONTROLS})
    assert found == [], f"{name} holds control characters {found}"


# At input: forms, uploads and imports store the text without them -------------------------------

TYPED = "Seen\x07 at\x1b home\x85 by the\x7f nurse\x9f"  # a bell, an escape, NEL, DEL, APC


def _review_with_child(world) -> Review:
    review, _ = make_lcspr(world.partnership, world.user)
    review.agencies.add(world.agency)
    Person.objects.create(case=review.case, pseudonym="Child A", role_in_case="subject")
    return review


def test_a_chronology_row_typed_with_control_characters_is_saved_without_them(
    bu_client, partnership, agency, business_unit_user, sample_pdf
):
    review = _review_with_child(World(partnership, agency, business_unit_user, sample_pdf))
    response = bu_client.post(
        reverse("reviews:chronology_add", args=["testshire", review.pk]),
        {
            "agency": str(agency.pk),
            "occurred_on_0": "3",
            "occurred_on_1": "2",
            "occurred_on_2": "2025",
            "people": ["Child A"],
            "event": TYPED,
            "source_record": "Log\x0c 55",
            "practitioner_role": "Health\x00 visitor",
            "significance": "significant",
        },
    )
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get()
    assert (entry.event, entry.source_record, entry.practitioner_role) == (
        CLEAN,
        "Log 55",
        "Health visitor",
    )


def test_an_agency_return_typed_with_control_characters_is_saved_without_them(
    client, partnership, agency, business_unit_user
):
    from safeguarding.reviews.models import AgencyReturn

    review, _ = make_lcspr(partnership, business_unit_user)
    review.agencies.add(agency)
    (request,) = requests_services.agency_requests_send(
        review=review,
        agencies=[agency],
        kind="agency_report",
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        instructions="",
        actor=business_unit_user,
    )
    client.force_login(contributor_for(partnership, agency, "police@example.org"))
    response = client.post(
        reverse("reviews:request_detail", args=["testshire", request.pk]), {"report": TYPED}
    )
    assert response.status_code == 302
    assert AgencyReturn.objects.get().report == CLEAN


def test_an_online_referral_is_saved_without_control_characters(client, partnership):
    from safeguarding.referrals.models import Referral, ReferralIdentity
    from safeguarding.referrals.tests.test_public_referral import (
        about_the_person,
        fill_every_page,
        send,
        what_happened,
    )

    fill_every_page(
        client,
        "cspr",
        **{
            "about-the-person": about_the_person(first_name="Alex\x07andra"),
            "what-happened": what_happened(what_happened=TYPED),
        },
    )
    assert send(client, "cspr").status_code == 302
    referral = Referral.objects.get()
    assert referral.what_happened == CLEAN
    assert ReferralIdentity.objects.get(referral=referral).first_name == "Alexandra"


def test_a_word_referral_form_is_read_without_control_characters(
    bu_client, partnership, agency, django_capture_on_commit_callbacks
):
    from safeguarding.referrals.models import Referral
    from safeguarding.referrals.tests.test_word_forms import (
        CSPR_ANSWERS,
        blank_form,
        fill,
        upload,
    )

    partnership.agencies.add(agency)
    # Word files cannot hold C0 controls (XML 1.0), but DEL and the C1 controls they can.
    answers = {**CSPR_ANSWERS, "What happened": "Seen at\x85 home by\x7f the nurse\x9f"}
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(bu_client, fill(blank_form(bu_client), answers))
    assert response.status_code == 302
    assert Referral.objects.get().what_happened == CLEAN


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_chronology_file_is_imported_without_control_characters(
    kind, bu_client, partnership, agency, business_unit_user, sample_pdf
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeguarding.reviews.tests.chronology_support import csv_bytes, xlsx_bytes

    review = _review_with_child(World(partnership, agency, business_unit_user, sample_pdf))
    # A CSV can carry any character; an .xlsx only DEL and the C1 controls.
    event = TYPED if kind == "csv" else "Seen at\x85 home by\x7f the nurse\x9f"
    row = ["14/03/2025", "09:30", "no", "Child\x07 A" if kind == "csv" else "Child A"]
    row += [event, "CN\x9f-1", "Visitor", "routine"]
    data = csv_bytes([row]) if kind == "csv" else xlsx_bytes([row])
    response = bu_client.post(
        reverse("reviews:chronology_upload", args=["testshire", review.pk]),
        {"agency": str(agency.pk), "file": SimpleUploadedFile(f"chronology.{kind}", data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ChronologyEntry.objects.get()
    assert (entry.event, entry.source_record) == (CLEAN, "CN-1")
    assert list(entry.people.values_list("pseudonym", flat=True)) == ["Child A"]


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_a_library_import_is_saved_without_control_characters(
    kind, partnership, business_unit_user
):
    from safeguarding.library import services as library_services

    record = {
        "external_id": "ext\x07-1",
        "title": "A review\x1b at home",
        "review_type": "sar",
        "publisher": "Northwold\x85 Board",
        "year": 2022,
        "summary": TYPED,
    }
    if kind == "json":
        data = json.dumps([record]).encode()
    else:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(record)
        writer.writerow(record.values())
        data = buffer.getvalue().encode()
    library_services.library_import(
        partnership=partnership, actor=business_unit_user, source=data, name=f"lib.{kind}"
    )
    saved = LibraryRecord.objects.get(partnership=partnership, source="imported")
    assert (saved.external_id, saved.title, saved.publisher, saved.summary) == (
        "ext-1",
        "A review at home",
        "Northwold Board",
        CLEAN,
    )
