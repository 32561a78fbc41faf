"""The national libraries that collect published reviews, and what each asks for (issue 7 §7).

Each review type has one national home (docs/rules.md §national-libraries):

- children (CSPRs, and serious case reviews before them): the NSPCC National Case Review
  Repository, whose entries hold a summary, learning themes, recommendations and the model;
- Safeguarding Adults Reviews: the National SAR Library (SCIE, collected through the National
  Network of SAB Chairs, with a coding coversheet);
- Domestic Homicide Reviews: the Home Office DHR library (the online repository of DHRs).

``LIBRARIES`` keeps, per library, the metadata fields it asks for in the order and words it uses.
The values come from one place, ``metadata_values``; ``metadata_for`` picks a library's fields.
The submission is a .zip of the published files and ``metadata.json`` (``submission_zip``).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

from safeguarding.core.text import printable

from .models import AgeGroup, LibraryRecord, NationalLibrarySubmission, ReviewType

Library = NationalLibrarySubmission.Library


@dataclass(frozen=True)
class NationalLibrary:
    code: str
    name: str
    review_types: tuple[str, ...]
    url: str
    how_to_send: str
    fields: tuple[tuple[str, str], ...]  # (metadata key, the label the library uses)


LIBRARIES: dict[str, NationalLibrary] = {
    Library.NSPCC: NationalLibrary(
        code=Library.NSPCC,
        name=Library.NSPCC.label,
        review_types=(ReviewType.CSPR, ReviewType.SCR),
        url="https://learning.nspcc.org.uk/case-reviews/national-case-review-repository",
        how_to_send="Send the report and these details to the NSPCC repository team, as its "
        "current guidance for safeguarding partnerships asks.",
        fields=(
            ("title", "Title of the review"),
            ("partnership", "Local safeguarding partnership"),
            ("publication_date", "Date published"),
            ("review_type", "Type of review"),
            ("age_group", "Age of the child"),
            ("themes", "Learning themes"),
            ("summary", "Summary"),
            ("recommendations", "Recommendations"),
            ("methodology", "Model (review methodology)"),
            ("reviewer_names", "Lead reviewer"),
            ("published_url", "Where it is published"),
            ("files", "Files"),
        ),
    ),
    Library.SAR: NationalLibrary(
        code=Library.SAR,
        name=Library.SAR.label,
        review_types=(ReviewType.SAR,),
        url="https://www.scie.org.uk/safeguarding/adults/reviews/library",
        how_to_send="Send the report and the coding coversheet through the National Network "
        "of Safeguarding Adults Board Chairs. Every SAR published from 1 April 2019 is asked for.",
        fields=(
            ("title", "Title of the SAR"),
            ("partnership", "Safeguarding Adults Board"),
            ("publication_date", "Date published"),
            ("review_type", "Type of review"),
            ("age_group", "Age of the adult"),
            ("abuse_types", "Types of abuse and neglect"),
            ("themes", "Themes"),
            ("summary", "Summary"),
            ("recommendations", "Recommendations"),
            ("reviewer_names", "Reviewer or reviewers"),
            ("published_url", "Where it is published"),
            ("files", "Files"),
        ),
    ),
    Library.HOME_OFFICE: NationalLibrary(
        code=Library.HOME_OFFICE,
        name=Library.HOME_OFFICE.label,
        review_types=(ReviewType.DHR,),
        url="https://www.gov.uk/government/collections/domestic-homicide-review",
        how_to_send="Send the published, anonymised overview report and executive summary to "
        "the Home Office, as its current guidance for community safety partnerships asks.",
        fields=(
            ("title", "Title of the review"),
            ("partnership", "Community safety partnership"),
            ("publication_date", "Date published"),
            ("review_type", "Type of review"),
            ("age_group", "Age of the victim"),
            ("themes", "Themes"),
            ("summary", "Executive summary"),
            ("recommendations", "Recommendations"),
            ("reviewer_names", "Chair and author"),
            ("published_url", "Where it is published"),
            ("files", "Files"),
        ),
    ),
}


def library_for(review_type: str) -> NationalLibrary | None:
    """The national library that holds ``review_type``, or None (national reviews, others)."""
    for library in LIBRARIES.values():
        if review_type in library.review_types:
            return library
    return None


def zip_names(files) -> list[str]:
    """The names the files get inside the .zip: numbered, so two files never collide."""
    return [f"files/{index:02d}-{f.original_name}" for index, f in enumerate(files, start=1)]


def metadata_values(
    record: LibraryRecord, *, themes, reviewer_names: str, methodology: str, files, page_url: str
) -> dict:
    """Every value any library asks for, from the record and its publication."""
    return {
        "title": record.title,
        "partnership": record.publisher,
        "publication_date": record.published_on.isoformat() if record.published_on else "",
        "review_type": ReviewType(record.review_type).label,
        "age_group": AgeGroup(record.age_group).label,
        "themes": [theme.name for theme in themes],
        "abuse_types": [theme.name for theme in themes if theme.facet == "adult_abuse"],
        "summary": record.summary,
        "recommendations": record.recommendations,
        "methodology": methodology,
        "reviewer_names": reviewer_names,
        "published_url": page_url,
        "files": zip_names(files),
    }


def metadata_for(library: NationalLibrary, values: dict) -> dict:
    """The library's fields, in its order: ``{key: value}``."""
    return {key: values.get(key, "") for key, _label in library.fields}


def labelled(library: NationalLibrary, metadata: dict) -> list[tuple[str, str, object]]:
    """(key, label, value) rows to show on the page, in the library's order."""
    return [(key, label, metadata.get(key, "")) for key, label in library.fields]


def metadata_document(submission: NationalLibrarySubmission) -> dict:
    """The ``metadata.json`` of a submission: the library, then its fields with their labels."""
    library = LIBRARIES[submission.library]
    return {
        "library": library.code,
        "library_name": library.name,
        "prepared_at": submission.prepared_at.isoformat() if submission.prepared_at else None,
        "metadata": submission.metadata,
        "labels": dict(library.fields),
    }


def submission_zip(submission: NationalLibrarySubmission, files) -> bytes:
    """The .zip to send: ``metadata.json`` and every published file under ``files/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "metadata.json",
            json.dumps(printable(metadata_document(submission)), indent=2, ensure_ascii=False),
        )
        for name, published_file in zip(printable(zip_names(files)), files, strict=True):
            with published_file.file.open("rb") as handle:
                archive.writestr(name, handle.read())
    return buffer.getvalue()
