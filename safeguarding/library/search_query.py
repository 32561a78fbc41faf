"""Understanding a library search query (see ``search.py`` and docs/search.md): the query's
words, spelling corrections from the library's vocabulary (public records and shared terms
only), and the partnership's search terms (abbreviations, synonyms, everyday words), as an
``Analysis`` that the ranking in ``search.py`` uses. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .search_catalogue import Catalogue
from .text import STOPWORDS, english_frequencies, stem, word_spans, words

MAX_PHRASES = 60  # words and phrases in one full-text query


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


def _split_alternatives(expansion: str) -> list[str]:
    return [a.strip() for a in expansion.replace(";", ",").split(",") if a.strip()]


def _terms_for(cat: Catalogue, partnership_id: int | None) -> dict[str, str]:
    """term → expansion: the shared rows, overridden by the partnership's own."""
    terms: dict[str, str] = {}
    for owner, term, expansion in sorted(cat.terms, key=lambda t: t[0] is not None):
        if owner is None or owner == partnership_id:
            terms[" ".join(words(term))] = expansion
    return terms


def _find(seq: list, part: list) -> int:
    """Where ``part`` starts in ``seq`` (-1 if it is not there)."""
    n = len(part)
    if n == 0:
        return -1
    for i in range(len(seq) - n + 1):
        if seq[i : i + n] == part:
            return i
    return -1


def analyse(query: str, cat: Catalogue, partnership_id: int | None, smart: bool) -> Analysis:
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
    terms = _terms_for(cat, partnership_id)
    term_words = {w for t in terms for w in t.split()}

    # 1. spelling
    corrections: dict[str, str] = {}
    if any(w not in term_words and len(w) >= 4 and not w.isdigit() for w in raw):
        vocabulary = cat.vocabulary()
        for w in dict.fromkeys(raw):
            if w in term_words:
                continue
            fixed = vocabulary.correct(w)
            if fixed != w:
                corrections[w] = fixed
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

    by_length = sorted(terms.items(), key=lambda t: (-len(t[0].split()), t[0]))
    for term, expansion in by_length:
        term_stems = [stem(w) for w in term.split()]
        alternatives = _split_alternatives(expansion)
        at = _find(query_stems, term_stems)
        if at >= 0:
            for i in range(at, at + len(term_stems)):
                query_stems[i] = None  # used up
            abbreviation = len(term_stems) == 1 and _is_abbreviation(query, term)
            for alternative in alternatives:
                add(alternative, same_meaning=abbreviation)
            if abbreviation:
                glosses.append(f"{term} ({alternatives[0]})")
            continue
        for alternative in alternatives:
            alt = [stem(w) for w in words(alternative) if w not in STOPWORDS]
            if len(alt) > 1 and _find(content_stems, alt) >= 0:
                add(term, same_meaning=True)
                break
    if glosses:
        meaning_text = f"{meaning_text} ({'; '.join(glosses)})"
    phrases = phrases[:MAX_PHRASES]
    expansion_phrases = expansion_phrases[:MAX_PHRASES]
    every = phrases + expansion_phrases
    highlight = {stem(p[0]) for p in every if len(p) == 1}
    highlight_phrases = [tuple(stem(w) for w in p) for p in every if len(p) > 1]
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
    )


def _is_abbreviation(query: str, term: str) -> bool:
    """Whether ``term`` is used as an abbreviation in the query: typed in capitals ("DASH",
    "CP"), or not an English word at all ("sudi", "marac")."""
    for start, end, w in word_spans(query):
        if w == term and query[start:end].isupper() and end - start > 1:
            return True
    return english_frequencies().get(term, 0) < 50
