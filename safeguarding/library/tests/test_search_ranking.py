"""Library search on a realistic library (issue 15): year words, case names, place names,
spelling that leaves the index's own words alone, near-duplicates grouped, the same review
listed once across partnerships, rare exact words, confident totals. Against real records in
the test database (SQLite or PostgreSQL)."""

import itertools

import numpy as np
import pytest
from django.db import connection

from safeguarding.accounts.models import Partnership
from safeguarding.library import search, search_catalogue, search_index
from safeguarding.library.search_query import facet_words, name_phrases, word_pairs, year_words

from .search_support import make_record

pytestmark = [pytest.mark.django_db]


def titles(result):
    return [hit.title for hit in result.hits]


# Year words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "years", "rest"),
    [
        ("self-neglect reviews since 2019", (2019, None), "self-neglect"),
        ("county lines reviews from 2022 onwards", (2022, None), "county lines"),
        ("sudden infant death reviews published after 2020", (2021, None), "sudden infant death"),
        ("learning disability 2022 onwards", (2022, None), "learning disability"),
        ("coercive control 2022 or later", (2022, None), "coercive control"),
        ("care home neglect before 2015", (None, 2014), "care home neglect"),
        ("neglect pre-2015", (None, 2014), "neglect"),
        ("neglect up to 2018", (None, 2018), "neglect"),
        ("sexual exploitation 2016-2018", (2016, 2018), "sexual exploitation"),
        ("knife crime 2021 to 2023", (2021, 2023), "knife crime"),
        ("homeless deaths 2024 and 2023", (2023, 2024), "homeless deaths"),
        ("domestic homicide 2021", (2021, 2021), "domestic homicide"),
        ("modern slavery in 2022", (2022, 2022), "modern slavery"),
    ],
)
def test_year_words_become_a_year_range(query, years, rest):
    year_from, year_to, left, typed = year_words(query)
    assert (year_from, year_to) == years
    assert left == rest
    assert typed and typed in query


@pytest.mark.parametrize(
    "query",
    [
        "2019",
        "since 2019",
        "1066 and all that",
        "s47 enquiries",
        # a month or season dates what happened, not when the review was published
        "woman killed by her partner in spring 2020 during lockdown",
        "baby died at Christmas 2019",
        "flat fire in March 2021",
    ],
)
def test_no_year_range_without_something_else_to_search_or_a_real_year(query):
    assert year_words(query) == (None, None, query, "")


def test_year_words_filter_the_search_and_unknown_years_are_left_out(partnership):
    make_record(
        partnership, title="Neglect of a family 2018", summary="Chronic neglect.", year=2018
    )
    make_record(
        partnership, title="Neglect of a family 2019", summary="Chronic neglect.", year=2019
    )
    make_record(
        partnership, title="Neglect of a family 2023", summary="Chronic neglect.", year=2023
    )
    make_record(partnership, title="Neglect, year unknown", summary="Chronic neglect.", year=None)

    result = search.search_records(partnership, "neglect since 2019")
    assert sorted(titles(result)) == ["Neglect of a family 2019", "Neglect of a family 2023"]
    assert (result.year_from, result.year_to, result.year_text) == (2019, None, "since 2019")

    before = search.search_records(partnership, "neglect before 2019")
    assert titles(before) == ["Neglect of a family 2018"]

    # The keyword baseline takes the words as typed: "2019" is a word to match, no filter.
    plain = search.search_records(partnership, "neglect since 2019", mode="keyword")
    assert len(plain.hits) == 4 and plain.year_from is None


def test_year_range_filters_combine_with_the_query_years(partnership):
    for year in (2015, 2017, 2019, 2021):
        make_record(partnership, title=f"Neglect {year}", summary="Chronic neglect.", year=year)
    result = search.search_records(
        partnership, "neglect", filters={"year_from": "2016", "year_to": 2020}
    )
    assert sorted(titles(result)) == ["Neglect 2017", "Neglect 2019"]
    narrowed = search.search_records(
        partnership, "neglect since 2019", filters={"year_from": "2016", "year_to": "2020"}
    )
    assert titles(narrowed) == ["Neglect 2019"]
    # The year facet still offers every year (the range is the year facet's own filter).
    assert {v.value for v in narrowed.facets["year"]} == {"2015", "2017", "2019", "2021"}


# Case names and side-by-side words -----------------------------------------------------------


def test_name_phrases_keep_the_single_letters_of_case_names():
    assert name_phrases("Child Y") == [["child", "y"]]
    assert name_phrases("Mr and Mrs P") == [["mrs", "p"]]
    assert name_phrases("Siblings A and B") == [["siblings", "a"], ["a", "and", "b"]]
    assert name_phrases("the J twins") == [["j", "twins"]]
    assert name_phrases("A baby who died") == []  # an article, not a name
    assert name_phrases("what I learnt") == []
    assert name_phrases("Young Person I") == [["person", "i"]]
    assert word_pairs("Elm Court residents") == [["elm", "court"], ["court", "residents"]]


def test_a_case_name_with_a_single_letter_finds_its_review(partnership):
    make_record(partnership, title="Child Y", summary="A girl exploited by men she met online.")
    for letter in "ZWX":
        make_record(
            partnership,
            title=f"Child {letter}: a child who was exploited",
            summary="A child exploited by adults; the child was missing from home.",
        )
    result = search.search_records(partnership, "Child Y")
    assert titles(result)[0] == "Child Y"


def test_the_letters_a_and_i_of_case_names_are_searched_on_both_databases(partnership):
    """PostgreSQL's ``english`` configuration drops "a" and "i" as stopwords, so "Child A"
    was only "child" there; the index's ``library_english`` keeps them (issue 15)."""
    make_record(partnership, title="Child A", summary="A boy whose neglect went unseen at school.")
    make_record(partnership, title="Young Person I", summary="A girl who went missing often.")
    for letter in "BCDE":
        make_record(
            partnership,
            title=f"Child {letter}: a child neglected at school",
            summary="A child whose neglect at school went unseen; a child in need.",
        )
        make_record(
            partnership,
            title=f"Young Person {letter}: a young person who went missing",
            summary="A young person missing from home; the person was a girl.",
        )
    assert titles(search.search_records(partnership, "Child A"))[0] == "Child A"
    assert titles(search.search_records(partnership, "Young Person I"))[0] == "Young Person I"


def test_two_word_names_rank_their_review_first(partnership):
    make_record(
        partnership,
        title="Safeguarding adults review: the residents of a care home",
        summary="Residents of Elm Court nursing home were neglected for months.",
        review_type="sar",
    )
    for n in range(4):
        make_record(
            partnership,
            title=f"Court proceedings and neglect {n}",
            summary="The elm tree outside the court was mentioned; care proceedings in court.",
        )
    assert titles(search.search_records(partnership, "Elm Court"))[0].startswith(
        "Safeguarding adults review"
    )


# Place names (the publisher) -----------------------------------------------------------------


def test_the_publisher_is_searchable_so_a_place_finds_its_review(partnership):
    make_record(
        partnership,
        title="Child Practice Review: CPR 3/2021",
        summary="Neglect of three children over many years.",
        publisher="Mid and West Wales Safeguarding Board (Ceredigion)",
        review_type="cpr",
    )
    for n in range(3):
        make_record(partnership, title=f"Neglect {n}", summary="Neglect of children at home.")
    result = search.search_records(partnership, "Ceredigion neglect")
    assert titles(result)[0] == "Child Practice Review: CPR 3/2021"
    assert titles(search.search_records(partnership, "Ceredigion", mode="keyword")) == [
        "Child Practice Review: CPR 3/2021"
    ]


# Spelling ------------------------------------------------------------------------------------


def test_spelling_never_corrects_a_word_the_library_uses(partnership):
    # (A fictional place: a real Welsh one such as Gwent is never corrected, places.py.)
    make_record(partnership, title="A mother who went missing", summary="She went to a refuge.")
    result = search.search_records(partnership, "swent refuge")
    assert result.corrections == {"swent": "went"}  # not in any record yet: corrected

    make_record(
        partnership,
        title="Adult Practice Review",
        summary="An older man who died at home.",
        publisher="Swent Safeguarding Board",
        review_type="apr",
    )
    result = search.search_records(partnership, "swent refuge")
    assert result.corrections == {}
    assert result.corrected_query == ""
    assert "Adult Practice Review" in titles(result)


def test_a_word_only_in_a_record_the_searcher_cannot_see_is_still_corrected(partnership):
    make_record(partnership, title="A mother who went missing", summary="She went to a refuge.")
    make_record(
        partnership,
        title="Staff-only review",
        summary="Not public.",
        publisher="Swent Safeguarding Board",
        is_public=False,
    )
    public = search.search_records(partnership, "swent refuge", public_only=True)
    assert public.corrections == {"swent": "went"}  # (no hint that a hidden record says it)
    assert search.search_records(partnership, "swent refuge").corrections == {}


def test_words_in_index_looks_in_the_index_first(partnership):
    # A word in no record (what spelling asks about) must not walk the partnership's records
    # on SQLite: the index's matches first, each record then found by its key (issue 15).
    other = Partnership.objects.create(name="Other", slug="other-words")
    make_record(partnership, title="A mother who went missing", summary="She went to a refuge.")
    make_record(other, title="Swent review", summary="Elsewhere.")
    sent = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        found = search_index.words_in_index(
            ["went", "swent", "zzyzx"], partnership_id=partnership.pk, public_only=False
        )
    assert found == {"went"}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sent[-1][0], sent[-1][1])
            plan = [row[-1] for row in cursor.fetchall()]
        assert plan[0].startswith(f"SCAN {search_index.INDEX_TABLE} VIRTUAL TABLE"), plan


# The same review twice, near-duplicates ------------------------------------------------------


def test_the_same_review_in_two_partnerships_is_listed_once(partnership):
    other = Partnership.objects.create(name="Other", slug="other-library")
    for owner in (partnership, other):
        make_record(
            owner,
            title="Domestic Homicide Review: Helen",
            summary="Helen was killed by her former partner after leaving a refuge.",
            publisher="Northshire Community Safety Partnership",
            review_type="dhr",
            year=2020,
        )
    result = search.search_records(None, "Helen refuge")
    assert titles(result) == ["Domestic Homicide Review: Helen"]
    assert result.hits[0].grouped == 1 and result.grouped == 1 and result.total == 1
    # Each partnership's own search still finds its own record.
    assert titles(search.search_records(other, "Helen refuge")) == [
        "Domestic Homicide Review: Helen"
    ]


NEAR = (
    "The infant died after sleeping on a sofa with a parent who had been drinking alcohol. Safer "
    "sleep advice had been given by the midwife and the health visitor, but not to the father."
)


@pytest.mark.search_vectors
def test_near_duplicates_are_grouped_under_the_first(partnership):
    for name in ("Child N", "Child U", "Baby C"):
        make_record(
            partnership,
            title=f"{name}: an infant who died in an unsafe sleeping environment",
            summary=NEAR,
            full_text=f"{name}. {NEAR} {NEAR}",
        )
    make_record(
        partnership,
        title="Baby T",
        summary="Baby T died on a caravan holiday when he slept in his parents' bed.",
        full_text="A holiday park caravan, out of season; the baby shared the adult bed.",
    )
    result = search.search_records(partnership, "infant died sofa sleeping")
    assert len(result.hits) == 2
    assert result.hits[0].grouped == 2
    assert "Baby T" in titles(result)
    assert result.grouped == 2 and result.total == 2


@pytest.mark.search_vectors
def test_near_duplicates_are_grouped_when_only_their_full_texts_start_differently(partnership):
    """The first passage decides: real reviews' full texts start alike ("This review concerns
    …"), so that passage told nothing, and template copies whose openings differed were
    listed one after another (issue 15)."""
    openings = (
        "Introduction. The partnership commissioned this review after the death of the baby.",
        "Terms of reference: the period from the pregnancy to the death; agencies took part.",
        "The family were offered the chance to contribute; the mother met the reviewer twice.",
    )
    for name, opening in zip(("Child N", "Child U", "Baby C"), openings, strict=True):
        make_record(
            partnership,
            title=f"{name}: an infant who died in an unsafe sleeping environment",
            summary=NEAR,
            full_text=opening,
        )
    result = search.search_records(partnership, "infant died sofa sleeping")
    assert len(result.hits) == 1 and result.hits[0].grouped == 2


@pytest.mark.search_vectors
def test_distinct_reviews_on_one_topic_are_not_grouped(partnership):
    make_record(
        partnership,
        title="Baby R",
        summary="Baby R died in a static caravan at a holiday park after sharing a bed.",
        full_text="The family were living in a caravan out of season; safer sleep was missed.",
    )
    make_record(
        partnership,
        title="Baby T",
        summary="Baby T died on the sofa with his father, who had been drinking.",
        full_text="His father fell asleep during a football match; the dog was on the sofa too.",
    )
    result = search.search_records(partnership, "baby died safer sleep")
    assert len(result.hits) == 2 and result.grouped == 0


# Rare exact words, confident totals ----------------------------------------------------------


def test_a_rare_exact_word_puts_its_review_first(partnership):
    for n in range(8):
        make_record(
            partnership,
            title=f"Infant {n}: an infant who died in an unsafe sleeping environment",
            summary="The baby died after co-sleeping on a sofa with a parent who had drunk.",
        )
    make_record(
        partnership,
        title="Baby T",
        summary="Baby T died in the night.",
        full_text="The family's staffie was on the sofa when his father fell asleep holding him.",
    )
    result = search.search_records(partnership, "baby died on sofa staffie")
    assert titles(result)[0] == "Baby T"


def test_confident_matches_are_counted_apart_from_loose_ones(partnership):
    for n in range(3):
        make_record(
            partnership,
            title=f"Domestic abuse review {n}",
            summary="Domestic abuse and coercive control by a partner over many years.",
            themes=["Domestic abuse"],
        )
    for n in range(20):
        make_record(
            partnership,
            title=f"Another review {n}",
            summary="A review of practice.",
            full_text="Practitioners did not ask about abuse at home. " + "Other practice. " * 50,
        )
    result = search.search_records(partnership, "domestic abuse")
    assert result.total == 23
    assert 3 <= result.confident < result.total
    assert all(t.startswith("Domestic abuse review") for t in titles(result)[:3])


def test_the_catalogue_knows_each_records_identity(partnership):
    make_record(partnership, title="Child Y: a review", publisher="Testshire", year=2020)
    cat = search_catalogue.catalogue()
    assert cat.identity == ["child y a review testshire 2020"]


# Diversity ----------------------------------------------------------------------------------


def _catalogue_of(vectors):
    """A catalogue of len(vectors) records whose first passages are ``vectors`` (unit
    length), for the reordering alone."""
    vectors = np.array(vectors, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    count = len(vectors)
    passages = np.full((count, 2), -1, dtype=np.int64)
    passages[:, 0] = np.arange(count)
    return search_catalogue.Catalogue(
        stamp=0,
        ids=np.arange(1, count + 1),
        row_of={n + 1: n for n in range(count)},
        partnership=np.ones(count, dtype=np.int64),
        public=np.ones(count, dtype=bool),
        facet_values={},
        theme_names={},
        vectors=vectors,
        vector_rows=np.arange(count),
        vector_weights=np.ones(count, dtype=np.float32),
        terms=[],
        passages=passages,
    )


def test_a_record_much_like_one_above_gives_its_place_to_one_that_says_something_else(
    monkeypatch,
):
    # 0 and 1 are close copies (cosine 0.99), 2 is about something else (cosine 0.1 to both)
    cat = _catalogue_of([[1, 0, 0], [0.99, 0.14, 0], [0.1, 0, 1], [1, 0, 0], [1, 0, 0]])
    assert search._diversify(cat, [0, 1, 2], {0: 1.0, 1: 0.95, 2: 0.8}) == [0, 2, 1]
    # ... but not one that scores far lower, and the first result always stays first
    assert search._diversify(cat, [0, 1, 2], {0: 1.0, 1: 0.95, 2: 0.05}) == [0, 1, 2]
    assert search._diversify(cat, [1, 0, 2], {0: 0.95, 1: 1.0, 2: 0.8})[0] == 1
    # records past DIVERSE_DEPTH keep their places
    monkeypatch.setattr(search, "DIVERSE_DEPTH", 3)
    scores = {0: 1.0, 1: 0.95, 2: 0.8, 3: 0.7, 4: 0.6}
    assert search._diversify(cat, [0, 1, 2, 4, 3], scores) == [0, 2, 1, 4, 3]


# Review types and age groups named in the query -----------------------------------------------


@pytest.mark.parametrize(
    ("query", "types", "ages"),
    [
        ("safeguarding adults reviews about care homes", {"sar"}, set()),
        ("SARs learning disability", {"sar"}, set()),
        ("child safeguarding practice reviews about babies", {"cspr"}, {"infant"}),
        ("local child safeguarding practice review", {"cspr"}, set()),
        ("child practice reviews teenagers", {"cpr"}, {"adolescent"}),
        ("adult practice reviews Wales", {"apr"}, set()),
        ("Welsh reviews of neglect", {"cpr", "apr", "susr"}, set()),
        ("older people killed by family", set(), {"older_adult"}),
        ("DHR", {"dhr"}, set()),
        ("neglect of a child at school", set(), set()),
    ],
)
def test_review_types_and_age_groups_named_in_the_query(query, types, ages):
    assert facet_words(query) == (frozenset(types), frozenset(ages))


def test_the_review_type_the_query_names_ranks_first(partnership):
    for review_type in ("dhr", "cspr", "sar", "scr"):
        make_record(
            partnership,
            title=f"Review {review_type}: hoarding",
            summary="Hoarding in a flat; the tenant refused help and the fire service visited.",
            review_type=review_type,
        )
    result = search.search_records(partnership, "safeguarding adults reviews hoarding")
    assert result.hits[0].review_type == "sar"
    assert search.search_records(partnership, "hoarding DHR").hits[0].review_type == "dhr"


# Abbreviations --------------------------------------------------------------------------------


def test_a_glossary_abbreviation_finds_the_review_that_spells_it_out(partnership):
    make_record(
        partnership,
        title="Ms D",
        summary="She had been referred to an independent domestic violence adviser twice.",
    )
    for n in range(4):
        make_record(
            partnership,
            title=f"Domestic abuse review {n}",
            summary="Domestic abuse was known to the police and the GP.",
        )
    result = search.search_records(partnership, "IDVA")
    assert titles(result) == ["Ms D"]
    assert "independent domestic violence adviser" in result.expansions


def test_the_more_terms_migration_adds_only_missing_shared_terms():
    from importlib import import_module

    from django.apps import apps

    from safeguarding.library.models import SearchTerm

    migration = import_module("safeguarding.library.migrations.0007_more_default_terms")
    SearchTerm.objects.filter(partnership=None, term="idva").delete()
    SearchTerm.objects.filter(partnership=None, term="sar").update(expansion="changed here")
    migration.load(apps, None)
    assert SearchTerm.objects.get(partnership=None, term="idva").expansion.startswith(
        "independent domestic violence"
    )
    assert SearchTerm.objects.get(partnership=None, term="sar").expansion == "changed here"
    assert SearchTerm.objects.filter(partnership=None, term="idva").count() == 1


# Copies -------------------------------------------------------------------------------------

_TEMPLATE = [
    "The infant was found unresponsive in the morning after sharing the adult bed.",
    "Safer sleep advice had been given by the midwife but was not repeated by the health visitor.",
    "The father was not seen by any professional during the pregnancy or after the birth.",
    "Both parents had been drinking alcohol on the evening before the death, the police found.",
    "The family had moved house three times in the year and the records did not follow them.",
    "The review found that the agencies did not share what each of them knew about the family.",
]


def test_records_filled_in_from_one_template_are_one_result(partnership):
    """Records that share their wording word for word are grouped whatever their titles and
    vectors (issue 15: template records crowded out the review that answers); a review on
    the same topic in its own words is not."""
    for n, name in enumerate(("Child N", "Child U", "Baby C", "Infant P")):
        sentences = _TEMPLATE[n % 3 :] + _TEMPLATE[: n % 3]
        make_record(
            partnership,
            title=f"{name}: sudden unexpected death in infancy",
            summary=" ".join(sentences[:5]).replace("The infant", name),
        )
    make_record(
        partnership,
        title="Baby T: a caravan, out of season",
        summary="Baby T died in a static caravan at a holiday park after sharing his parents' "
        "bed; nobody had asked where the family were living or where the baby slept.",
    )
    cat = search_catalogue.catalogue()
    assert len(cat.copies) == 6  # every two of the four template records
    result = search.search_records(partnership, "infant death sharing bed")
    assert len(result.hits) == 2 and result.grouped == 3
    assert sorted(hit.grouped for hit in result.hits) == [0, 3]
    assert "Baby T: a caravan, out of season" in titles(result)
    # The keyword mode lists every match.
    keyword = search.search_records(partnership, "infant death sharing bed", mode="keyword")
    assert len(keyword.hits) == 5 and keyword.grouped == 0


def test_a_copy_of_a_grouped_record_joins_its_group():
    """Copies of copies are one group: 0 and 2 share little, but 1 is a copy of both."""
    cat = _catalogue_of([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]])
    cat.copies = np.array([[0, 1], [1, 2]])
    ranked, members = search._group(cat, [0, 1, 2, 3])
    assert ranked == [0, 3] and members == {0: [1, 2]}
    # Placed the other way round, 1 (a copy of both) is grouped under the better-placed 0.
    ranked, members = search._group(cat, [0, 2, 1, 3])
    assert ranked == [0, 2, 3] and members == {0: [1]}


def test_copies_follow_the_records_text_and_signatures_are_kept_across_rebuilds(partnership):
    first = make_record(partnership, title="Child N", summary=" ".join(_TEMPLATE))
    make_record(partnership, title="Child U", summary=" ".join(_TEMPLATE[1:] + _TEMPLATE[:1]))
    cat = search_catalogue.catalogue()
    assert len(cat.copies) == 1
    kept = dict(search_catalogue._signatures)
    # Rewritten in its own words, the first record is no longer a copy; the other record's
    # signature is the one kept from before, not made again.
    first.summary = (
        "Child N died in a house fire started by a cigarette; the smoke alarm had no battery "
        "and the fire service had not been told that the mother used home oxygen."
    )
    first.save()
    cat = search_catalogue.catalogue()
    assert len(cat.copies) == 0
    others = [pk for pk in kept if pk != first.pk]
    assert all(search_catalogue._signatures[pk] is kept[pk] for pk in others)
    assert search_catalogue._signatures[first.pk] is not kept[first.pk]


@pytest.mark.parametrize("mode", ["smart", "keyword"])
def test_equal_scores_are_listed_in_record_id_order(partnership, mode):
    # Issue 15, third speed round: the fusion's scores are summed in numpy and ordered by
    # score, then by catalogue row (record id order); records that score alike stay in id order.
    made = [
        make_record(
            partnership,
            title=f"Review {letter}",
            publisher=f"Partnership {letter}",
            summary=f"Hoarding in a flat, the {word} said.",
        )
        for letter, word in zip("QPRS", ("carer", "nurse", "tenant", "doctor"), strict=True)
    ]
    result = search.search_records(partnership, "hoarding flat", mode=mode)
    ids = [hit.record_id for hit in result.hits]
    assert sorted(ids) == sorted(r.pk for r in made)
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True)
    for a, b in itertools.pairwise(result.hits):
        if a.score == b.score:
            assert a.record_id < b.record_id
    assert result.total == 4


def _plain_group(cat, ranked):
    """What ``search._group`` does, the plain way (numpy rows; before issue 15's sixth speed
    round): a row goes under the best-placed kept row that is the same review, or a kept
    near-duplicate (both passages), or the group of any better-placed copy."""
    head, tail = ranked[: search.GROUP_DEPTH], ranked[search.GROUP_DEPTH :]
    members = {}
    if len(head) < 2:
        return ranked, members
    index = cat.passages[head]
    comparable = (index[:, 0] >= 0) & (index[:, 1] >= 0)
    first = np.zeros((len(head), cat.vectors.shape[1]), dtype=np.float32)
    first[comparable] = cat.vectors[index[comparable, 0]]
    near = (first @ first.T) >= search.NEAR_DUPLICATE
    near &= comparable[:, None] & comparable[None, :]
    near = np.tril(near, k=-1)
    copy = np.zeros((len(head), len(head)), dtype=bool)
    position = {row: n for n, row in enumerate(head)}
    for a, b in cat.copies.tolist():
        if a in position and b in position:
            copy[max(position[a], position[b]), min(position[a], position[b])] = True
    kept, kept_vector, leader_of, by_identity = (
        [],
        np.zeros(len(head), bool),
        np.arange(len(head)),
        {},
    )
    for n, row in enumerate(head):
        identity = cat.identity[row] if cat.identity else str(row)
        leader = by_identity.get(identity)
        if leader is None:
            close = near[n] & kept_vector
            close[leader_of[copy[n]]] = True
            if close.any():
                leader = int(np.argmax(close))
        if leader is None:
            kept.append(n)
            by_identity.setdefault(identity, n)
            kept_vector[n] = comparable[n]
        else:
            leader_of[n] = leader
            members.setdefault(head[leader], []).append(row)
    return [head[n] for n in kept] + tail, members


def test_grouping_is_the_plain_walk_on_random_catalogues():
    """The grouping's walk over bits (issue 15, sixth speed round) groups as the plain walk
    over numpy rows does: near-duplicates, copies, copies of grouped copies, the same review
    held twice, rows without both passages, and more rows than GROUP_DEPTH."""
    rng = np.random.default_rng(15)
    for trial in range(60):
        count = int(rng.integers(2, 40)) if trial % 10 else search.GROUP_DEPTH + 20
        # A few topics, each record close to its topic's vector: many near-duplicates.
        topics = rng.normal(size=(int(rng.integers(1, 6)), 8))
        vectors = topics[rng.integers(0, len(topics), count)] + rng.normal(
            scale=rng.choice([0.2, 0.5]), size=(count, 8)
        )
        cat = _catalogue_of(vectors)
        with_both = rng.random(count) < 0.8
        cat.passages[with_both, 1] = cat.passages[with_both, 0]
        pairs = {
            tuple(sorted(pair))
            for pair in rng.integers(0, count, size=(int(rng.integers(0, 3 * count)), 2)).tolist()
            if pair[0] != pair[1]
        }
        cat.copies = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
        cat.identity = [f"review {n % max(1, count - 3)}" for n in range(count)]
        if trial % 3 == 0:
            cat.identity = []
        ranked = rng.permutation(count).tolist()
        assert search._group(cat, ranked) == _plain_group(cat, ranked), trial


def test_the_grouping_reads_each_rows_copies_from_an_index_made_once_per_catalogue():
    """``search._grouping`` (issue 15, PostgreSQL speed round two) lists each row's copies both
    ways round, is made once per catalogue, and is made again when the copies are replaced."""
    cat = _catalogue_of([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1]])
    cat.copies = np.array([[0, 3], [1, 3], [2, 4]])
    grouping = search._grouping(cat)
    partners = {
        row: sorted(
            grouping.copy_partners[grouping.copy_offsets[row] : grouping.copy_offsets[row + 1]]
        )
        for row in range(5)
    }
    assert partners == {0: [3], 1: [3], 2: [4], 3: [0, 1], 4: [2]}
    assert search._grouping(cat) is grouping
    cat.copies = np.zeros((0, 2), dtype=np.int64)
    assert len(search._grouping(cat).copy_partners) == 0
    assert search._group(cat, [3, 0, 1]) == ([3, 0, 1], {})
    cat.copies = np.array([[0, 3]])
    assert search._group(cat, [3, 0, 1]) == ([3, 1], {3: [0]})
