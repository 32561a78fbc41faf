"""Library search, ranking round six (issue 15; docs/search.md "Ranking round six"): place names
in Welsh and Cornish and the regions that group local authorities, more year words, a lone year
in a description of a case, age words, themes named in the query, and a query of case names
alone. Against real records in the test database (SQLite or PostgreSQL)."""

import pytest

from safeguarding.library import search
from safeguarding.library.places import places_in
from safeguarding.library.search_catalogue import catalogue
from safeguarding.library.search_query import analyse, facet_words, year_words
from safeguarding.library.text import words

from .search_support import make_record

pytestmark = [pytest.mark.django_db]


def titles(result):
    return [hit.title for hit in result.hits]


# Place names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "english"),
    [
        ("Sir Benfro", ["Pembrokeshire"]),
        ("sir gar care home", ["Carmarthenshire"]),
        ("Ynys Môn exploitation", ["Isle of Anglesey"]),
        ("ynys mon", ["Isle of Anglesey"]),
        ("Casnewydd domestic abuse", ["Newport"]),
        ("Castell-nedd Port Talbot", ["Neath Port Talbot"]),
        ("Kernow", ["Cornwall"]),
        ("Gogledd Cymru", ["North Wales"]),
        ("North Wales adult practice reviews", ["North Wales"]),  # not "Wales" alone
        ("Dyfed-Powys", ["Dyfed-Powys"]),
        ("Greater Manchester DHR", ["Greater Manchester"]),
        ("neglect at a boarding school", []),
    ],
)
def test_place_names_are_found_in_the_query(query, english):
    assert [place.english for place in places_in(words(query))] == english


def _welsh_and_english_library(partnership):
    boards = {
        "Pembrokeshire": "Mid and West Wales Safeguarding Board",
        "Newport": "Gwent Safeguarding Board",
        "Gwynedd": "North Wales Safeguarding Board",
        "Wrexham": "North Wales Safeguarding Board",
        "Lambeth": "Lambeth Safeguarding Children Partnership",
        "Croydon": "Croydon Safeguarding Adults Board",
        "Testshire": "Testshire Safeguarding Partnership",
    }
    for area, publisher in boards.items():
        make_record(
            partnership,
            title=f"Review of neglect in {area}",
            summary=f"A family in {area} was known to services for years; neglect was missed.",
            publisher=publisher,
        )


def test_a_welsh_name_finds_the_review_of_its_area(partnership):
    _welsh_and_english_library(partnership)
    result = search.search_records(partnership, "Sir Benfro")
    assert titles(result) == ["Review of neglect in Pembrokeshire"]
    assert result.corrections == {}  # a Welsh name is not a misspelling
    assert "Pembrokeshire" in result.expansions
    assert titles(search.search_records(partnership, "Casnewydd neglect"))[0] == (
        "Review of neglect in Newport"
    )


def test_an_english_name_also_searches_the_welsh_one(partnership):
    make_record(partnership, title="Adolygiad Ymarfer Plant", summary="Teulu yn Sir Benfro.")
    make_record(partnership, title="Another review", summary="A family in Testshire.")
    assert titles(search.search_records(partnership, "Pembrokeshire")) == [
        "Adolygiad Ymarfer Plant"
    ]


def test_a_region_finds_the_reviews_of_its_member_areas(partnership):
    _welsh_and_english_library(partnership)
    north_wales = titles(search.search_records(partnership, "Gogledd Cymru"))
    assert set(north_wales[:2]) == {"Review of neglect in Gwynedd", "Review of neglect in Wrexham"}
    london = titles(search.search_records(partnership, "London reviews of neglect"))
    assert set(london[:2]) == {"Review of neglect in Lambeth", "Review of neglect in Croydon"}


def test_the_keyword_mode_knows_no_place_names(partnership):
    _welsh_and_english_library(partnership)
    assert titles(search.search_records(partnership, "Sir Benfro", mode="keyword")) == []


# Year words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "years", "rest"),
    [
        (
            "older parents killed by sons, published 2021 or 2022",
            (2021, 2022),
            "older parents killed by sons,",
        ),
        ("invisible fathers up to and including 2022", (None, 2022), "invisible fathers"),
        ("neglect no later than 2020", (None, 2020), "neglect"),
        ("neglect in or before 2020", (None, 2020), "neglect"),
        ("neglect not after 2020", (None, 2020), "neglect"),
        ("neglect on or after 2019", (2019, None), "neglect"),
        ("neglect no earlier than 2019", (2019, None), "neglect"),
        ("neglect not before 2019", (2019, None), "neglect"),
        ("neglect after 2019", (2020, None), "neglect"),
        ("neglect before 2019", (None, 2018), "neglect"),
        # a word ending in "or", "no" or "not" before the comparison is not "or"/"no"/"not"
        ("care sector before 2015", (None, 2014), "care sector"),
        ("doctor before 2015", (None, 2014), "doctor"),
        ("visitor before 2016 neglect", (None, 2015), "visitor neglect"),
        ("casino after 2019", (2020, None), "casino"),
        ("neglect not later than 2020", (None, 2020), "neglect"),
        ("neglect not earlier than 2018", (2018, None), "neglect"),
        # publication words make a lone year a publication year, however long the query
        (
            "reviews published in 2020 about a boy killed by his stepfather while off school",
            (2020, 2020),
            "about a boy killed by his stepfather while off school",
        ),
    ],
)
def test_more_year_words_become_a_year_range(query, years, rest):
    year_from, year_to, left, typed = year_words(query)
    assert (year_from, year_to) == years
    assert left == rest
    assert typed and typed in query


def test_a_lone_year_in_a_description_of_a_case_is_when_it_happened():
    query = (
        "three year old killed by her mum's boyfriend in 2020 while she was off nursery and "
        "workers only spoke to the family from outside"
    )
    assert year_words(query) == (None, None, query, "")
    assert year_words("domestic homicide 2021")[:2] == (2021, 2021)  # a short query: a filter


def test_a_year_in_a_description_is_searched_and_does_not_filter(partnership):
    make_record(
        partnership,
        title="Child K",
        summary="A girl of three was killed by her mother's partner in 2020 while her nursery "
        "was closed; social workers spoke to the family from the doorstep.",
        year=2022,
    )
    result = search.search_records(
        partnership,
        "three year old killed by her mum's boyfriend in 2020 while nursery was closed and "
        "social workers stayed on the doorstep",
    )
    assert result.year_from is None and result.year_to is None
    assert titles(result) == ["Child K"]


# Age words and themes named in the query -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "types", "ages"),
    [
        ("older victims of domestic abuse", set(), {"older_adult"}),
        ("abuse of elderly parents by adult children", set(), {"older_adult"}),
        ("physical abuse of young children", set(), {"young_child"}),
        ("domestic homicide reviews young women", {"dhr"}, {"young_adult"}),
        ("older brother abused his sister", set(), set()),
        ("young people missing from care", set(), set()),
    ],
)
def test_age_words_with_a_word_for_people_name_an_age_group(query, types, ages):
    assert facet_words(query) == (frozenset(types), frozenset(ages))


def test_a_theme_named_in_the_query_ranks_its_records_first(partnership):
    for n in range(3):
        make_record(
            partnership,
            title=f"Review {n}: a mother and her children",
            summary="Modern slavery was mentioned once by a worker; the family moved often.",
        )
    make_record(
        partnership,
        title="Review 3: a mother and her children",
        summary="Modern slavery was mentioned once by a worker; the family moved often.",
        themes=["Modern slavery"],
    )
    cat = catalogue()
    analysis = analyse("modern slavery", cat, partnership.pk, smart=True)
    assert [cat.theme_names[t] for t in analysis.themes] == ["Modern slavery"]
    assert titles(search.search_records(partnership, "modern slavery"))[0] == (
        "Review 3: a mother and her children"
    )


# A query of case names alone ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names_only"),
    [
        ("Child X", True),
        ("Mr and Mrs P", True),
        ("Siblings A and B", True),
        ("Child X neglect", False),
        ("neglect", False),
    ],
)
def test_a_query_of_case_names_alone_is_known(partnership, query, names_only):
    assert analyse(query, catalogue(), partnership.pk, smart=True).names_only is names_only


@pytest.mark.search_vectors
def test_a_query_of_case_names_alone_does_not_ask_the_sentence_model(partnership, monkeypatch):
    """Many reviews share a pseudonym, and the sentence model reads "Child X" as "a child": its
    ranking would put the records most about children first. A query of case names alone is
    ranked by its words (the phrase "child x" among them); with other words the model is asked."""
    make_record(partnership, title="Serious Case Review: Child X", summary="Neglect at home.")
    make_record(partnership, title="Child W: a child in need", summary="A child in need.")
    asked = []
    start = search._start_query_vector

    def spy(cat, text):
        asked.append(text)
        return start(cat, text)

    monkeypatch.setattr(search, "_start_query_vector", spy)
    assert titles(search.search_records(partnership, "Child X")) == [
        "Serious Case Review: Child X",
        "Child W: a child in need",
    ]
    assert asked == []
    search.search_records(partnership, "Child X neglect")
    assert asked == ["Child X neglect"]
