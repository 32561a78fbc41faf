"""The default search's in-memory full-text ranking on SQLite (``search_postings``): the same
(record id, score) lists, in the same order and to the last bit, as FTS5's ``bm25()`` in
``search_index.keyword_match_lists``, on a real index (docs/search.md, issue 15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safeguarding.library import search_index, search_postings
from safeguarding.library.search_catalogue import catalogue

from .search_support import make_library, make_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its SQL ranking"),
]

LISTS = [
    [["neglect"]],  # one word
    [["neglecting"], ["children"]],  # stemmed, an OR list
    [["non", "fatal", "strangulation"]],  # a phrase
    [["child", "a"], ["child", "b"], ["infant"], ["sleeping"]],  # case names and words
    [["self", "neglect"], ["hoarding"], ["mental", "capacity"]],
    [["zzqxv"]],  # a word in no record
    [["zzqxv"], ["baby"]],  # one word in no record, one in some
    [["county", "lines"], ["drugs"], ["drugs"]],  # a word twice: two phrases
    [["dental", "decay"], ["decay", "dental"]],  # the other order matches nothing
    [["neglect", "neglect"]],  # the same word side by side (in the full text)
    [["title", "summary"]],  # side by side only across two columns: no match
    [["review"], ["safeguarding"], ["partnership"], ["testshire"]],  # common words
]


@pytest.fixture
def library(partnership, other_partnership):
    records = make_library(partnership)
    # Hits in several columns, the same phrase several times in one text, another
    # partnership's record, a record not public, an archived record: all of them count in
    # the index's statistics, and only the live ones are listed.
    records["long"] = make_record(
        partnership,
        title="Neglect neglect: a long review",
        summary="Neglect of children over many years; neglect was seen and not named.",
        full_text=" ".join(["The review found neglect neglect and dental decay."] * 40),
        recommendations="Name neglect early.",
        is_public=False,
    )
    records["other"] = make_record(
        other_partnership,
        title="Child A: neglect in another area",
        summary="Dental decay and neglect of an infant sleeping on a sofa.",
        publisher="Otherton Safeguarding Children Partnership",
    )
    records["split"] = make_record(partnership, title="Title", summary="summary of it")
    # (made last: the highest record id is one that is not live)
    records["archived"] = make_record(
        partnership,
        title="Child B: an archived review of neglect",
        summary="Drugs, county lines and non-fatal strangulation.",
    )
    records["archived"].archived_at = timezone.now()
    records["archived"].save()
    return records


def both(lists, **where):
    cat = catalogue()
    return (
        search_postings.keyword_match_lists(cat, lists, **where),
        search_index.keyword_match_lists(lists, **where),
    )


@pytest.mark.parametrize("phrases", LISTS)
@pytest.mark.parametrize(
    "where", ["partnership", "partnership public", "every partnership", "every public"]
)
def test_the_same_scores_as_bm25(partnership, library, phrases, where):
    kwargs = {
        "partnership_id": None if "every" in where else partnership.pk,
        "public_only": "public" in where,
    }
    in_memory, fts5 = both([phrases, [], [["infant"], ["alcohol"]]], **kwargs)
    assert in_memory == fts5  # the same ids, order and floats


def test_what_the_lists_hold(partnership, library):
    """The comparisons above compare something: matches, hits only in the live records of the
    partnership, scores that differ between records."""
    where = {"partnership_id": partnership.pk, "public_only": False}
    (found,), _ = both([[["neglect"]]], **where)
    ids = [pk for pk, _ in found]
    assert library["long"].pk in ids and library["neglect"].pk in ids
    assert library["other"].pk not in ids and library["archived"].pk not in ids
    assert len({score for _, score in found}) > 1
    assert both([[["zzqxv"]]], **where)[0] == [[]]
    assert both([[["title", "summary"]]], **where)[0] == [[]]
    (phrase,), _ = both([[["neglect", "neglect"]]], **where)
    assert [pk for pk, _ in phrase] == [library["long"].pk]
    # The statistics are the whole index's (the archived record and the other partnership's
    # count too): a record scores the same whichever records are listed.
    everyone, _ = both([[["neglect"]]], partnership_id=None, public_only=False)
    assert dict(everyone[0])[library["neglect"].pk] == dict(found)[library["neglect"].pk]


def test_an_edited_record_changes_the_next_search(partnership, library):
    where = {"partnership_id": partnership.pk, "public_only": False}
    before, _ = both([[["hoarding"]]], **where)
    record = library["neglect"]
    record.summary += " Hoarding in the home, hoarding in the garden."
    record.save()
    after, fts5 = both([[["hoarding"]]], **where)
    assert after == fts5
    assert after != before
    assert record.pk in [pk for pk, _ in after[0]]
    record.archived_at = timezone.now()
    record.save()
    archived, fts5 = both([[["hoarding"]]], **where)
    assert archived == fts5
    # (the archived record is still in the index's statistics, so the others' scores differ)
    assert [pk for pk, _ in archived[0]] == [pk for pk, _ in before[0]]


def test_a_warm_search_reads_nothing_from_the_index(partnership, library):
    """After the first search of a state of the library, the terms it read are in memory."""
    lists = [[["neglect"], ["child", "a"]], [["infant"]]]
    where = {"partnership_id": partnership.pk, "public_only": False}
    cat = catalogue()
    first = search_postings.keyword_match_lists(cat, lists, **where)
    with CaptureQueriesContext(connection) as captured:
        again = search_postings.keyword_match_lists(cat, lists, **where)
    assert again == first
    assert captured.captured_queries == []


def test_tokens_are_the_index_tokens(partnership, library):
    tokens = search_postings.phrase_tokens(["Neglecting children", "Sleeping", "Café"])
    assert tokens == {
        "Neglecting children": ("neglect", "children"),
        "Sleeping": ("sleep",),
        "Café": ("cafe",),
    }
