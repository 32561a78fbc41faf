"""Which of the partnership's agencies a referral came from (issue 17): the organisation the
referrer typed, matched to an agency by its normalised name. Pure functions: the submission,
the data migration that links earlier referrals and the report figures all read them."""

import re

# Words that do not tell two organisations apart, dropped from the end of a name.
COMMON_SUFFIXES = (
    "nhs foundation trust",
    "foundation trust",
    "nhs trust",
    "limited",
    "ltd",
    "plc",
    "llp",
    "cic",
)

_APOSTROPHES = re.compile(r"['\u2019]")  # "St Mary's" and "St Marys" are one
_NOT_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def normalised_organisation(name: str) -> str:
    """``name`` compared as a person would: case, spaces and punctuation ignored (apostrophes
    dropped, the rest read as spaces), "&" read as "and", a leading "the" and a common suffix
    (``COMMON_SUFFIXES``) dropped. "The Testshire Police." and "testshire  police" are the
    same; so are "Northmoor NHS Foundation Trust" and "Northmoor"."""
    text = _APOSTROPHES.sub("", name.lower()).replace("&", " and ")
    text = _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()
    if text.startswith("the "):
        text = text[4:]
    changed = True
    while changed:
        changed = False
        for suffix in COMMON_SUFFIXES:
            if text.endswith(" " + suffix):
                text = text[: -len(suffix) - 1].rstrip()
                changed = True
    return text


def matching_agency_id(organisation: str, agencies) -> int | None:
    """The id of the one agency among ``agencies`` (objects with ``pk`` and ``name``) whose
    normalised name is the organisation's, or None (no match, or more than one)."""
    wanted = normalised_organisation(organisation)
    if not wanted:
        return None
    found = {a.pk for a in agencies if normalised_organisation(a.name) == wanted}
    return found.pop() if len(found) == 1 else None
