"""Understanding a library search query (see ``search.py`` and docs/search.md): the query's
words, spelling corrections from the library's vocabulary (public records and shared terms
only), and the partnership's search terms (abbreviations, synonyms, everyday words), as an
``Analysis`` that the ranking in ``search.py`` uses. Reads only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .places import place_words, places_in
from .search_catalogue import Catalogue
from .text import STOPWORDS, english_frequencies, stem, word_spans, words

MAX_PHRASES = 60  # words and phrases in one full-text query
FIRST_YEAR, LAST_YEAR = 1950, 2100  # a four-digit number outside this is not a year

# Words that name the subject of a review before its letter: "Child Y", "Baby T", "Adult D",
# "Family R", "Mrs K", "Young Person A", "Siblings A and B".
NAME_WORDS = frozenset(
    [
        "child",
        "children",
        "baby",
        "infant",
        "adult",
        "family",
        "mr",
        "mrs",
        "ms",
        "miss",
        "person",
        "sibling",
        "siblings",
        "brother",
        "brothers",
        "sister",
        "sisters",
        "twin",
        "twins",
        "boy",
        "girl",
        "man",
        "woman",
        "mother",
        "father",
        "young",
        "learner",
        "patient",
        "resident",
        "and",
    ]
)

# Words that name a kind of review, or whose review it is (issue 15: "safeguarding adults
# reviews about care homes", "CSPRs about babies", "child practice reviews teenagers", "adult
# practice reviews Wales"). The records of that kind rank first (a boost, not a filter: the
# words may also be about something else). Matched on stems, longest first.
REVIEW_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "cspr": (
        "child safeguarding practice review",
        "local child safeguarding practice review",
        "cspr",
        "lcspr",
    ),
    "scr": ("serious case review", "scr"),
    "sar": ("safeguarding adults review", "safeguarding adult review", "sar"),
    "dhr": ("domestic homicide review", "dhr"),
    "cpr": ("child practice review", "cpr"),
    "apr": ("adult practice review", "apr"),
    "susr": ("single unified safeguarding review", "susr"),
    "national": ("national review", "national panel review"),
}
# Wales: its reviews are child and adult practice reviews and, from 2025, the SUSR.
WELSH_WORDS = ("wales", "welsh")
WELSH_REVIEW_TYPES = ("cpr", "apr", "susr")
# Who an "older" or "young" word is about: "older victims", "young women" (not "older brother").
_OLDER_PEOPLE = [
    "people",
    "person",
    "adult",
    "adults",
    "woman",
    "women",
    "man",
    "men",
    "victim",
    "victims",
    "resident",
    "residents",
    "patient",
    "patients",
    "parent",
    "parents",
    "mother",
    "mothers",
    "father",
    "fathers",
    "relative",
    "relatives",
    "couple",
    "couples",
]
_YOUNG_ADULTS = ["adult", "adults", "woman", "women", "man", "men"]
AGE_GROUP_WORDS: dict[str, tuple[str, ...]] = {
    "infant": ("baby", "babies", "infant", "infants", "newborn", "newborns"),
    "young_child": (
        "toddler",
        "toddlers",
        "preschool",
        "pre school",
        "young child",
        "young children",
        "under fives",
        "under 5s",
    ),
    "adolescent": ("teenager", "teenagers", "teen", "teens", "teenage", "adolescent"),
    "young_adult": tuple(f"young {w}" for w in _YOUNG_ADULTS),
    "older_adult": (
        *(f"older {w}" for w in _OLDER_PEOPLE),
        *(f"elderly {w}" for w in _OLDER_PEOPLE),
        "elderly",
        "pensioner",
        "pensioners",
    ),
}


@dataclass
class Analysis:
    words: list[str]  # the query's content words, corrected
    corrections: dict[str, str]
    corrected_query: str
    phrases: list[list[str]]  # the query's own words (and misspelt ones as typed)
    expansion_phrases: list[list[str]]  # words and phrases added by synonyms
    expansions: list[str]  # the same, as text
    meaning_text: str  # what the sentence model reads
    highlight: set[str]  # stems of single words to mark in snippets
    highlight_phrases: list[tuple[str, ...]] = field(default_factory=list)  # and phrases
    # Side-by-side words of the query, searched as phrases: case names ("child y", "elm
    # court") and pairs of the query's own words. A record with the exact phrase is a strong
    # match; a rare phrase counts for a lot in the index's ranking.
    name_phrases: list[list[str]] = field(default_factory=list)
    year_from: int | None = None  # from year words in the query ("since 2019")
    year_to: int | None = None  # ("before 2015": 2014)
    year_text: str = ""  # the year words as typed, to show what was understood
    # Kinds of review and age groups the query's words name (ranked first, not filtered).
    review_types: frozenset[str] = frozenset()
    age_groups: frozenset[str] = frozenset()
    # The query is nothing but case names ("Child X", "Mrs K"): a pseudonym means nothing to
    # the sentence model, so the meaning ranking would only add noise (ranking round six).
    names_only: bool = False
    # Themes of the library's taxonomy whose whole name the query holds ("domestic abuse",
    # "neglect", "modern slavery"): their records rank first, as for review types.
    themes: frozenset[str] = frozenset()


def _split_alternatives(expansion: str) -> list[str]:
    return [a.strip() for a in expansion.replace(";", ",").split(",") if a.strip()]


def _terms_for(cat: Catalogue, partnership_id: int | None) -> dict[str, str]:
    """term → expansion: the shared rows, overridden by the partnership's own."""
    terms: dict[str, str] = {}
    for owner, term, expansion in sorted(cat.terms, key=lambda t: t[0] is not None):
        if owner is None or owner == partnership_id:
            terms[" ".join(words(term))] = expansion
    return terms


@dataclass(frozen=True)
class _Term:
    term: str
    stems: list[str]
    alternatives: list[str]
    alternative_stems: list[list[str]]  # each alternative's content words, stemmed


def _prepared_terms(cat: Catalogue, partnership_id: int | None) -> tuple[set[str], list[_Term]]:
    """The words of the terms, and the terms longest first with their stems: worked out once
    per catalogue and partnership, not for every search."""
    prepared = cat.prepared_terms.get(partnership_id)
    if prepared is None:
        terms = _terms_for(cat, partnership_id)
        by_length = sorted(terms.items(), key=lambda t: (-len(t[0].split()), t[0]))
        prepared = (
            {w for t in terms for w in t.split()},
            [
                _Term(
                    term=term,
                    stems=[stem(w) for w in term.split()],
                    alternatives=_split_alternatives(expansion),
                    alternative_stems=[
                        [stem(w) for w in words(a) if w not in STOPWORDS]
                        for a in _split_alternatives(expansion)
                    ],
                )
                for term, expansion in by_length
            ],
        )
        cat.prepared_terms[partnership_id] = prepared
    return prepared


def _find(seq: list, part: list) -> int:
    """Where ``part`` starts in ``seq`` (-1 if it is not there)."""
    n = len(part)
    if n == 0:
        return -1
    for i in range(len(seq) - n + 1):
        if seq[i : i + n] == part:
            return i
    return -1


_YEAR = r"(19[5-9]\d|20\d\d)"
_PUBLISHED = r"(?:(?:published|reviews?|written)\s+){0,2}"
# (pattern, (from, to) of the pattern's years), tried in this order; the first that matches
# is the query's year words.
_YEAR_WORDS: list[tuple[re.Pattern, Callable[..., tuple[int | None, int | None]]]] = [
    (
        rf"\b{_PUBLISHED}(?:between\s+|from\s+|in\s+)?{_YEAR}\s*(?:-|–|—|to|and|or|until|till)"
        rf"\s*{_YEAR}\b",
        lambda a, b: (min(a, b), max(a, b)),
    ),
    (
        rf"\b{_PUBLISHED}(?:since|from|starting|(?:in|on)\s+or\s+after|no\s+earlier\s+than|"
        rf"not\s+before|not\s+earlier\s+than)\s+{_YEAR}(?:\s+onwards?)?\b",
        lambda a: (a, None),
    ),
    (
        rf"\b{_PUBLISHED}(?<!\bno\s)(?<!\bnot\s)(?:after|post|later\s+than)\s*-?\s*{_YEAR}\b",
        lambda a: (a + 1, None),
    ),
    (
        rf"\b{_PUBLISHED}(?:in\s+)?{_YEAR}\s*(?:onwards?|or\s+later|or\s+after|and\s+later|"
        rf"and\s+after|or\s+since|\+)",
        lambda a: (a, None),
    ),
    (
        rf"\b{_PUBLISHED}(?<!\bor\s)(?<!\bno\s)(?<!\bnot\s)(?:before|pre|prior\s+to|earlier\s+than)"
        rf"\s*-?\s*{_YEAR}\b",
        lambda a: (None, a - 1),
    ),
    (
        rf"\b{_PUBLISHED}(?:until|till|up\s+to(?:\s+and\s+including)?|(?:in|on)\s+or\s+before|"
        rf"no\s+later\s+than|not\s+later\s+than|not\s+after)\s+{_YEAR}\b",
        lambda a: (None, a),
    ),
    (
        rf"\b{_PUBLISHED}(?:in\s+)?{_YEAR}\s+(?:or|and)\s+(?:earlier|before)\b",
        lambda a: (None, a),
    ),
    (rf"\b{_PUBLISHED}(?:in\s+|during\s+)?{_YEAR}\b", lambda a: (a, a)),
]
_YEAR_PATTERNS = [(re.compile(p, re.IGNORECASE), f) for p, f in _YEAR_WORDS]
_BARE_YEAR = _YEAR_PATTERNS[-1][0]  # a year alone ("domestic homicide 2021")
_PUBLICATION_WORDS = re.compile(r"\b(?:published|reviews?|written)\b", re.IGNORECASE)
# A year alone in a query of more content words than this is a description of the case ("killed
# by her mum's boyfriend in 2020 while …"): the year of what happened, not of the review.
DESCRIPTION_WORDS = 6
# A year after a month or a season ("in spring 2020", "March 2019") dates what happened, not
# when the review was published (issue 15: a lockdown query filtered out its own review).
_MONTHS = "january february march april may june july august september october november december"
_SEASONS = "jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn winter christmas"
EVENT_DATE_WORDS = frozenset(f"{_MONTHS} {_SEASONS} easter".split(" "))
# A year straight after one of these is compared, never a year alone.
_COMPARING_WORDS = frozenset(
    ["before", "after", "than", "pre", "post", "prior", "since", "until", "till"]
)


def year_words(query: str) -> tuple[int | None, int | None, str, str]:
    """The year range that year words in ``query`` ask for ("since 2019", "before 2015",
    "2016-2018", "2021 onwards", "domestic homicide 2021") and the query without them:
    (from, to, the rest of the query, the year words as typed). (None, None, query, "") when
    there are none, or when nothing but the year words would be left to search for."""
    for pattern, years in _YEAR_PATTERNS:
        match = pattern.search(query)
        if not match:
            continue
        numbers = [int(n) for n in match.groups() if n]
        if not all(FIRST_YEAR <= n <= LAST_YEAR for n in numbers):
            continue
        before = words(query[: match.start()])
        if before and before[-1] in EVENT_DATE_WORDS:
            continue
        if pattern is _BARE_YEAR and before and before[-1] in _COMPARING_WORDS:
            # "before 2015" that no pattern above took ("or before 2015" as part of something
            # else): never read it as that year alone, which would filter the other way.
            return None, None, query, ""
        year_from, year_to = years(*numbers)
        rest = " ".join(f"{query[: match.start()]} {query[match.end() :]}".split())
        topic = [w for w in words(rest) if w not in STOPWORDS]
        if not topic:
            return None, None, query, ""
        if (
            pattern is _BARE_YEAR
            and len(topic) > DESCRIPTION_WORDS
            and not _PUBLICATION_WORDS.search(match.group())
        ):
            continue
        return year_from, year_to, rest, match.group().strip()
    return None, None, query, ""


def name_phrases(query: str) -> list[list[str]]:
    """Phrases for the case names in ``query``: a capital letter with the word that names
    whose it is ("Child Y" → child y, "Mrs K" → mrs k, "the J twins" → j twins, "Siblings A
    and B" → siblings a, a and b). Single letters are otherwise too common to search for
    (and most are stopwords), so without this "Child Y" would search for "child" alone. "I"
    is a name only after a word that names whose it is ("Young Person I", not "what I
    learnt"); "A" starting the query as an article is not one."""
    spans = word_spans(query)
    typed = [query[start:end] for start, end, _ in spans]
    folded = [w for _, _, w in spans]
    letters = {
        i
        for i, t in enumerate(typed)
        if len(t) == 1
        and t.isalpha()
        and t.isupper()
        and (t != "I" or (i > 0 and folded[i - 1] in NAME_WORDS and folded[i - 1] != "and"))
        and not (i == 0 and t == "A" and len(typed) > 1 and typed[1][:1].islower())
    }
    phrases: list[list[str]] = []
    for i in sorted(letters):
        previous = folded[i - 1] if i > 0 else ""
        if previous == "and" and i >= 2 and i - 2 in letters:
            phrase = folded[i - 2 : i + 1]
        elif previous and (previous in NAME_WORDS or previous not in STOPWORDS):
            phrase = [previous, folded[i]]
        elif i + 1 < len(folded) and folded[i + 1] not in STOPWORDS:
            phrase = [folded[i], folded[i + 1]]
        else:
            continue
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases


@lru_cache(maxsize=1)
def _facet_phrases() -> list[tuple[str, str, list[str]]]:
    """(facet, value, stems) of REVIEW_TYPE_WORDS and AGE_GROUP_WORDS, longest first."""
    wanted = [
        (name, value, [stem(w) for w in words(phrase)])
        for name, table in (("review_type", REVIEW_TYPE_WORDS), ("age_group", AGE_GROUP_WORDS))
        for value, phrases in table.items()
        for phrase in phrases
    ]
    return sorted(wanted, key=lambda w: -len(w[2]))


def facet_words(query: str) -> tuple[frozenset[str], frozenset[str]]:
    """The review types and age groups that ``query``'s words name: ("safeguarding adults
    reviews about care homes") → ({"sar"}, {}); ("CSPRs about babies") → ({"cspr"},
    {"infant"}); "Wales" or "Welsh" names the Welsh review types, unless a type is named."""
    query_stems: list[str | None] = [stem(w) for w in words(query)]
    found: dict[str, set[str]] = {"review_type": set(), "age_group": set()}
    for name, value, phrase in _facet_phrases():
        at = _find(query_stems, phrase)
        if at >= 0:
            found[name].add(value)
            for i in range(at, at + len(phrase)):
                query_stems[i] = None  # used up ("local child safeguarding …" is one)
    if not found["review_type"] and {stem(w) for w in WELSH_WORDS} & set(query_stems):
        found["review_type"].update(WELSH_REVIEW_TYPES)
    return frozenset(found["review_type"]), frozenset(found["age_group"])


def word_pairs(query: str, limit: int = 12) -> list[list[str]]:
    """The query's own words two by two where they stand side by side ("elm court", "static
    caravan"), for a phrase match."""
    folded = [w for _, _, w in word_spans(query)]
    pairs: list[list[str]] = []
    for first, second in itertools.pairwise(folded):
        pair = [first, second]
        if first in STOPWORDS or second in STOPWORDS or pair in pairs:
            continue
        if first.isdigit() or second.isdigit():
            continue
        pairs.append(pair)
    return pairs[:limit]


def analyse(
    query: str,
    cat: Catalogue,
    partnership_id: int | None,
    smart: bool,
    in_index: Callable[[list[str]], set[str]] | None = None,
) -> Analysis:
    """What the ranking needs to know about ``query``. In smart mode, year words become a year
    range (and are not searched for as words), case names and side-by-side words become
    phrases, misspelt words are corrected (never a word that ``in_index`` says the searcher's
    records use) and search terms add their synonyms."""
    year_from = year_to = None
    year_text = ""
    if smart:
        year_from, year_to, query, year_text = year_words(query)
    raw = [w for w in words(query) if w not in STOPWORDS]
    if not smart:
        kept = list(dict.fromkeys(raw))
        return Analysis(
            words=kept,
            corrections={},
            corrected_query="",
            phrases=[[w] for w in kept],
            expansion_phrases=[],
            expansions=[],
            meaning_text=query,
            highlight={stem(w) for w in kept},
        )
    term_words, prepared_terms = _prepared_terms(cat, partnership_id)

    # 1. spelling
    corrections: dict[str, str] = {}
    # (Neither a search term's words nor a place name's are misspellings: "Benfro", "Kernow".)
    known = place_words()
    if any(w not in term_words and w not in known and len(w) >= 4 and not w.isdigit() for w in raw):
        vocabulary = cat.vocabulary()
        for w in dict.fromkeys(raw):
            if w in term_words or w in known:
                continue
            fixed = vocabulary.correct(w)
            if fixed != w:
                corrections[w] = fixed
        if corrections and in_index is not None:
            # A word the searcher's records use is no misspelling, however rare (a Welsh
            # place name, a surname): it is searched as typed.
            for w in in_index(list(corrections)):
                corrections.pop(w, None)
    corrected_query = ""
    meaning_text = query
    if corrections:
        parts, last = [], 0
        for start, end, w in word_spans(query):
            if w in corrections:
                parts += [query[last:start], corrections[w]]
                last = end
        parts.append(query[last:])
        corrected_query = meaning_text = "".join(parts)
    all_words = [corrections.get(w, w) for w in words(query)]
    kept = list(dict.fromkeys(w for w in all_words if w not in STOPWORDS))
    phrases = [[w] for w in kept] + [[w] for w in corrections if w not in kept]
    # A word typed with accents is searched as typed too: PostgreSQL's index keeps accents
    # ("Ynys Môn"), SQLite's removes them (so there it is the same word).
    for start, end, w in word_spans(query):
        typed = query[start:end].lower()
        if typed != w and w not in STOPWORDS and [typed] not in phrases:
            phrases.append([typed])

    # 2. search terms, matched on stems, longest first: the words of a matched phrase
    # ("bed sores") are not matched again on their own ("bed").
    query_stems: list[str | None] = [stem(w) for w in all_words]
    content_stems = [stem(w) for w in all_words if w not in STOPWORDS]
    expansion_phrases: list[list[str]] = []
    expansions: list[str] = []
    glosses: list[str] = []
    seen = {tuple(p) for p in phrases}

    def add(text: str, same_meaning: bool) -> None:
        """Add a phrase: with the query's own words when it means the same (what an
        abbreviation stands for, or the abbreviation of words in the query), else with the
        looser synonyms, which rank a little lower."""
        phrase = words(text)
        if phrase and tuple(phrase) not in seen:
            seen.add(tuple(phrase))
            (phrases if same_meaning else expansion_phrases).append(phrase)
            expansions.append(text)

    content_set = set(content_stems)
    for prepared in prepared_terms:
        term, term_stems, alternatives = prepared.term, prepared.stems, prepared.alternatives
        # (A term whose first stem is not in the query cannot be in it: most terms are not,
        # and the membership test is much cheaper than ``_find``.)
        at = _find(query_stems, term_stems) if term_stems and term_stems[0] in query_stems else -1
        if at >= 0:
            for i in range(at, at + len(term_stems)):
                query_stems[i] = None  # used up
            abbreviation = len(term_stems) == 1 and _is_abbreviation(query, term)
            for alternative in alternatives:
                add(alternative, same_meaning=abbreviation)
            if abbreviation:
                glosses.append(f"{term} ({alternatives[0]})")
            continue
        for alt in prepared.alternative_stems:
            if len(alt) > 1 and alt[0] in content_set and _find(content_stems, alt) >= 0:
                add(term, same_meaning=True)
                break
    # 3. place names (``places.py``): the other names of a place the query names, as its own
    # words ("Sir Benfro" also searches for "Pembrokeshire"), and the members of a region it
    # names, as looser words ("Greater Manchester": Stockport, Wigan …).
    for place in places_in(all_words):
        for name in place.same:
            add(name, same_meaning=True)
        for name in place.members:
            add(name, same_meaning=False)
        if " ".join(place.words) != " ".join(words(place.english)):
            glosses.append(place.english)
    if glosses:
        meaning_text = f"{meaning_text} ({'; '.join(glosses)})"
    phrases = phrases[:MAX_PHRASES]
    expansion_phrases = expansion_phrases[:MAX_PHRASES]
    every = phrases + expansion_phrases
    highlight = {stem(p[0]) for p in every if len(p) == 1}
    highlight_phrases = [tuple(stem(w) for w in p) for p in every if len(p) > 1]
    names = name_phrases(query)
    pairs = [p for p in word_pairs(corrected_query or query) if p not in names]
    review_types, age_groups = facet_words(corrected_query or query)
    highlight_phrases += [tuple(stem(w) for w in p) for p in names]
    named = {w for p in names for w in p} | NAME_WORDS
    names_only = bool(names) and all(w in named for w in kept)
    return Analysis(
        words=kept,
        corrections=corrections,
        corrected_query=corrected_query,
        phrases=phrases,
        expansion_phrases=expansion_phrases,
        expansions=expansions,
        meaning_text=meaning_text,
        highlight=highlight,
        highlight_phrases=highlight_phrases,
        name_phrases=names + pairs,
        year_from=year_from,
        year_to=year_to,
        year_text=year_text,
        review_types=review_types,
        age_groups=age_groups,
        names_only=names_only,
        themes=_themes_named(cat, all_words),
    )


def _themes_named(cat: Catalogue, folded: list[str]) -> frozenset[str]:
    """The ids of the themes whose whole name (its content words' stems, side by side) is in the
    query's words ``folded``."""
    prepared = cat.prepared_terms.get("themes")
    if prepared is None:
        prepared = [
            (theme_id, [stem(w) for w in words(name) if w not in STOPWORDS])
            for theme_id, name in cat.theme_names.items()
        ]
        prepared = [(t, stems) for t, stems in prepared if stems]
        cat.prepared_terms["themes"] = prepared
    query_stems = [stem(w) for w in folded if w not in STOPWORDS]
    present = set(query_stems)
    return frozenset(
        theme_id
        for theme_id, stems in prepared
        if stems[0] in present and _find(query_stems, stems) >= 0
    )


def _is_abbreviation(query: str, term: str) -> bool:
    """Whether ``term`` is used as an abbreviation in the query: typed in capitals ("DASH",
    "CP"), or not an English word at all ("sudi", "marac")."""
    for start, end, w in word_spans(query):
        if w == term and query[start:end].isupper() and end - start > 1:
            return True
    return english_frequencies().get(term, 0) < 50
