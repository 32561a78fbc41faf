"""Building library records for the search tests: saved as the library services save them
(the record, its themes, ``themes_text``), then ``indexing.record_indexed``, whose vector task
runs on commit: ``vectors_now`` runs it at once (a test's transaction never commits)."""

import itertools
from contextlib import contextmanager

from django.test import TestCase

from safeguarding.actions.models import Theme
from safeguarding.library import indexing
from safeguarding.library.models import LibraryRecord

_numbers = itertools.count(1)


def make_record(partnership, *, title: str, themes=(), index: bool = True, **fields):
    themes = [Theme.objects.get(partnership=None, name=name) for name in themes]
    defaults = {
        "source": LibraryRecord.Source.MANUAL,
        "external_id": f"TEST-{next(_numbers)}",
        "review_type": "cspr",
        "publisher": "Testshire Safeguarding Partnership",
        "year": 2024,
        "summary": "",
        "themes_text": ", ".join(t.name for t in themes),
    }
    record = LibraryRecord.objects.create(partnership=partnership, title=title, **defaults | fields)
    if themes:
        record.themes.set(themes)
    if index:
        with vectors_now():
            indexing.record_indexed(record)
    return record


@contextmanager
def vectors_now():
    """Run the on-commit callbacks registered inside (the vector tasks) when it ends, as the
    commit of a real request would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


# A small library: one record per topic, each written as reports are written.
LIBRARY = {
    "sudi": {
        "title": "Child A: an infant who died in an unsafe sleeping environment",
        "summary": "Sudden unexpected death in infancy. The infant was found unresponsive after "
        "co-sleeping on a sofa with a parent who had consumed alcohol. Safer sleep advice had "
        "been given by the midwife.",
        "themes": ["Sudden unexpected death in infancy (SUDI)"],
        "age_group": "infant",
    },
    "nai": {
        "title": "Child B: bruising to a non-mobile baby",
        "summary": "A bruise was seen on a four month old baby and the explanation was accepted. "
        "The infant later suffered a fractured skull.",
        "themes": ["Non-accidental injury in infants"],
        "age_group": "infant",
    },
    "strangulation": {
        "title": "Domestic homicide review: Mrs C",
        "summary": "Police attended five times. On two occasions she reported non-fatal "
        "strangulation by her partner. The DASH risk assessment was scored as medium risk.",
        "themes": ["Non-fatal strangulation"],
        "review_type": "dhr",
        "age_group": "adult",
        "year": 2021,
    },
    "self_neglect": {
        "title": "Safeguarding adults review: Mr D",
        "summary": "Mr D lived alone with severe self-neglect and hoarding. He declined care "
        "and support, and his mental capacity was never assessed.",
        "themes": ["Self-neglect and hoarding"],
        "review_type": "sar",
        "age_group": "older_adult",
        "year": 2019,
    },
    "neglect": {
        "title": "Child E: a family of children neglected over many years",
        "summary": "The children were neglected: the home was unhygienic, there was little food "
        "and dental decay went untreated.",
        "themes": ["Neglect"],
        "age_group": "child",
        "year": 2018,
    },
    "cce": {
        "title": "Child F: criminal exploitation",
        "summary": "A sixteen year old boy was exploited to carry drugs along a county line and "
        "was treated as an offender rather than a victim.",
        "themes": ["Child criminal exploitation and county lines"],
        "age_group": "adolescent",
        "year": 2023,
    },
}


def make_library(partnership, **overrides) -> dict:
    return {
        key: make_record(partnership, **(fields | overrides.get(key, {})))
        for key, fields in LIBRARY.items()
    }
