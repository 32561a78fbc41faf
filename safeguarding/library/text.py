"""Words, stems and spelling for library search (see docs/search.md).

The database indexes do their own tokenising and stemming (SQLite FTS5 ``porter unicode61``,
PostgreSQL's ``english`` configuration). This module does the same job in Python for what the
database cannot: recognising synonyms and abbreviations in a query, correcting misspelt words
against the library's vocabulary, and marking matched words in snippets. Words are runs of
letters and digits, lower-cased, accents removed (as ``unicode61`` does); stems are the Snowball
English stems.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import itertools
import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Words too common to help a search (and that PostgreSQL's english configuration drops too).
_STOPWORDS_TEXT = """
a about above after again against all am an and any are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don down
during each few for from further had hadn has hasn have haven having he her here hers herself
him himself his how i if in into is isn it its itself just let me more most mustn my myself
no nor not of off on once only or other ought our ours ourselves out over own same shan she
should shouldn so some such t than that the their theirs them themselves then there these
they this those through to too under until up very was wasn we were weren what when where
which while who whom why will with won would wouldn you your yours yourself yourselves s d ll
m o re ve y also get got via per
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# A Snowball stemmer keeps the word it is working on in itself, so one shared by the threads
# of a server process (gunicorn's gthread workers) gives wrong stems or an IndexError when two
# requests stem at once (found by bench/load.py). Each thread has its own.
_stemmers = threading.local()


def _stemmer():
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer


def fold(text: str) -> str:
    """Lower-case and strip accents (``café`` → ``cafe``), as FTS5 ``unicode61`` does."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of ``text``: lower-case runs of letters and digits, accents removed."""
    if text.isascii():  # (nothing to fold: far quicker)
        return WORD.findall(text.lower())
    return WORD.findall(fold(text))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball English stem: neglected, neglecting, neglects → neglect."""
    return _stemmer().stemWord(word)


def content_words(text: str) -> list[str]:
    """The words of ``text`` without stopwords (order kept, repeats dropped)."""
    return list(dict.fromkeys(w for w in words(text) if w not in STOPWORDS))


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for each word of ``text``, offsets into ``text`` itself."""
    if text.isascii():
        return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text.lower())]
    return [
        (m.start(), m.end(), m.group().lower() if m.group().isascii() else fold(m.group()))
        for m in WORD.finditer(text)
    ]


# Spelling ----------------------------------------------------------------------------------

# A word the English dictionary knows is only corrected to a library word this many times more
# common in English ("eduction" → "education"; "stranger" is left alone).
ENGLISH_RATIO = 50
ENGLISH_MIN_FREQUENCY = 200  # English words offered as corrections when the library has none
# A word this rare in English (the list's floor is 50: variant and archaic spellings such as
# "hording" and "honer") counts as unknown: more likely a slip for a library word than meant.
ENGLISH_RARE = 100


@lru_cache(maxsize=1)
def english_frequencies() -> dict[str, int]:
    """Word → frequency in English, from the dictionary that ships with pyspellchecker
    (about 160,000 words; read once per process, a quarter of a second)."""
    resource = importlib.resources.files("spellchecker") / "resources" / "en.json.gz"
    with resource.open("rb") as raw, gzip.open(raw) as unzipped:
        return json.load(unzipped)


@lru_cache(maxsize=1)
def _common_english() -> list[str]:
    return [w for w, n in english_frequencies().items() if n >= ENGLISH_MIN_FREQUENCY]


def _edits_allowed(word: str) -> int:
    return 1 if len(word) <= 7 else 2


def _closest(word: str, choices: list[str], rank) -> str | None:
    candidates = process.extract(
        word, choices, scorer=OSA.distance, score_cutoff=_edits_allowed(word), limit=25
    )
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[1], rank(c[0]), c[0]))[0]


# American spellings and their British forms, as (American, British) endings or beginnings of
# a word: English reviews spell "behaviour", "honour", "paediatric", "organisation", "centre",
# "anaemia", "foetal"; a practitioner may type the other. An American word is corrected to its
# British form when the library uses that form (and not the word as typed).
BRITISH_ENDINGS = (
    ("or", "our"),  # honor, behavior, neighbor, labor, color
    ("ors", "ours"),
    ("oral", "oural"),  # behavioral
    ("ize", "ise"),  # recognize, organize
    ("ized", "ised"),
    ("izes", "ises"),
    ("izing", "ising"),
    ("ization", "isation"),
    ("izations", "isations"),
    ("yze", "yse"),  # analyze
    ("yzed", "ysed"),
    ("ense", "ence"),  # defense, offense
    ("ter", "tre"),  # center, theater
    ("ters", "tres"),
    ("og", "ogue"),  # catalog, dialog
    ("eled", "elled"),  # traveled, labeled
    ("eling", "elling"),
)
BRITISH_BEGINNINGS = (
    ("ped", "paed"),  # pediatric, pediatrician
    ("anem", "anaem"),  # anemia
    ("anest", "anaest"),  # anesthetic
    ("hem", "haem"),  # hemorrhage
    ("esoph", "oesoph"),
    ("fet", "foet"),  # fetal, fetus
    ("estro", "oestro"),
)


def british_spellings(word: str) -> list[str]:
    """The British forms ``word`` may have, if it is spelt the American way (none otherwise):
    "honor" → ["honour"], "pediatric" → ["paediatric"], "hospitalization" →
    ["hospitalisation"]."""
    out = []
    for american, british in BRITISH_ENDINGS:
        if word.endswith(american) and len(word) > len(american) + 2:
            out.append(word[: -len(american)] + british)
    for american, british in BRITISH_BEGINNINGS:
        if word.startswith(american) and len(word) > len(american) + 1:
            out.append(british + word[len(american) :])
    return out


@dataclass
class Vocabulary:
    """The words the library uses, with how often, for correcting misspelt query words."""

    counts: Counter = field(default_factory=Counter)
    stems: set = field(default_factory=set)
    _choices: list | None = None

    @classmethod
    def from_texts(cls, texts: Iterable[str], extra_words: Iterable[str] = ()) -> Vocabulary:
        counts: Counter = Counter()
        for text in texts:
            if text:
                counts.update(words(text))
        for word in extra_words:
            counts[word] += 1
        counts = Counter({w: n for w, n in counts.items() if not w.isdigit() and len(w) > 1})
        return cls(counts=counts, stems={stem(w) for w in counts})

    def __contains__(self, word: str) -> bool:
        return word in self.counts or stem(word) in self.stems

    def correct(self, word: str) -> str:
        """The word ``word`` most likely meant, or ``word`` itself when it is known, too short
        to judge, or nothing is close enough. One edit (a transposition counts as one) is
        allowed in words of 4 to 7 letters, two in longer ones. Library words come first,
        the most frequent of the closest; an English word is corrected only to a far more
        common one; a word neither knows may be corrected to a common English word."""
        if len(word) < 4 or word.isdigit() or word in STOPWORDS or word in self:
            return word
        for british in british_spellings(word):
            if british in self.counts:
                return british
        english = english_frequencies()
        known = english.get(word, 0)
        if known < ENGLISH_RARE:
            known = 0
        if self._choices is None:
            self._choices = [w for w in self.counts if len(w) >= 3]
        best = _closest(word, self._choices, lambda c: -self.counts[c])
        if best is not None:
            if not known or english.get(best, 0) >= ENGLISH_RATIO * known:
                return best
            return word
        if known:
            return word
        fixed = _closest(word, _common_english(), lambda c: -english.get(c, 0)) or word
        # ... in the library's British spelling when it has one ("honer" → honor → honour)
        return next((b for b in british_spellings(fixed) if b in self.counts), fixed)


# Copies -------------------------------------------------------------------------------------

# Two records that share a large part of their wording word for word (the same review held
# twice, a summary pasted into another record, records filled in from one template) are
# copies, whatever a sentence model makes of them. The test is the textbook one (Broder's
# shingling): the share of their SHINGLE-word sequences they have in common (the Jaccard
# similarity of the two sets), estimated from MinHash signatures of SIGNATURE_SIZE values.
SHINGLE = 5
SIGNATURE_SIZE = 64
MIN_SHINGLES = 20  # a shorter text says too little to call it a copy of anything
_mixer = np.random.default_rng(20261205)
_WORD_MULTIPLIERS = _mixer.integers(1, 2**62, size=SHINGLE, dtype=np.uint64) * np.uint64(2) + 1
_PERMUTE_MULTIPLY = (
    _mixer.integers(1, 2**62, size=SIGNATURE_SIZE, dtype=np.uint64) * np.uint64(2) + 1
)
_PERMUTE_ADD = _mixer.integers(0, 2**62, size=SIGNATURE_SIZE, dtype=np.uint64)
_PERMUTATIONS_AT_ONCE = 8
COPY_BAND = 2  # signature positions a band (copy_pairs)


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    """A word's 64-bit hash, the same in every process (Python's own ``hash`` is not)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def shingle_signatures(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash signatures of ``texts``: an (n, SIGNATURE_SIZE) uint32 array whose row i
    stands for the set of text i's SHINGLE-word sequences (words as ``words`` gives them),
    and an n-long bool array saying which texts have one (those with at least MIN_SHINGLES
    sequences). Two signatures agree at a position with a probability equal to the Jaccard
    similarity of the two sets. All texts at once (numpy), not one by one."""
    signatures = np.zeros((len(texts), SIGNATURE_SIZE), dtype=np.uint32)
    signed = np.zeros(len(texts), dtype=bool)
    found: list[list[str]] = []
    for i, text in enumerate(texts):
        text_words = words(text) if text else []
        if len(text_words) - SHINGLE + 1 >= MIN_SHINGLES:
            signed[i] = True
            found.append(text_words)
    if not found:
        return signatures, signed
    lengths = np.array([len(w) for w in found], dtype=np.int64)
    flat = itertools.chain.from_iterable(found)
    ids = np.fromiter((_word_hash(w) for w in flat), dtype=np.uint64, count=int(lengths.sum()))
    span = len(ids) - SHINGLE + 1
    shingles = np.zeros(span, dtype=np.uint64)
    for offset in range(SHINGLE):  # (uint64 arithmetic wraps: it is a hash)
        shingles += ids[offset : offset + span] * _WORD_MULTIPLIERS[offset]
    # Keep the sequences that lie within one text.
    starts = np.cumsum(lengths) - lengths
    text_of = np.repeat(np.arange(len(found)), lengths)[:span]
    counts = lengths - SHINGLE + 1
    shingles = shingles[np.arange(span) - starts[text_of] < counts[text_of]]
    segments = np.cumsum(counts) - counts
    rows = np.flatnonzero(signed)
    for first in range(0, SIGNATURE_SIZE, _PERMUTATIONS_AT_ONCE):
        chosen = slice(first, first + _PERMUTATIONS_AT_ONCE)
        mixed = shingles[:, None] * _PERMUTE_MULTIPLY[None, chosen] + _PERMUTE_ADD[None, chosen]
        mixed ^= mixed >> np.uint64(31)
        mixed *= np.uint64(0x9E3779B97F4A7C15)
        mixed ^= mixed >> np.uint64(29)
        lowest = np.minimum.reduceat(mixed, segments, axis=0)
        signatures[rows, chosen] = (lowest >> np.uint64(32)).astype(np.uint32)
    return signatures, signed


def copy_pairs(signatures: np.ndarray, signed: np.ndarray, min_share: float) -> np.ndarray:
    """(i, j), i < j, as an array of shape (pairs, 2), for the texts with signatures
    (``shingle_signatures``) that agree in at least ``min_share`` of their positions: the
    texts that share about that share of their word sequences, or more. Locality-sensitive
    hashing finds the candidates: the signatures are cut into bands of COPY_BAND positions,
    and only texts with an equal band are compared (a pair sharing a fifth of its sequences
    has an equal band with a probability of 0.73, a third 0.97); texts written apart
    cost next to nothing."""
    index = np.flatnonzero(signed)
    n = len(index)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    matrix = signatures[index]
    codes = []
    for band in range(0, matrix.shape[1] - COPY_BAND + 1, COPY_BAND):
        key = np.zeros(n, dtype=np.uint64)
        for position in range(band, band + COPY_BAND):
            key = (key << np.uint64(32)) ^ matrix[:, position].astype(np.uint64)
        order = np.argsort(key, kind="stable")
        values = key[order]
        new = np.r_[True, values[1:] != values[:-1]]
        if new.all():
            continue
        group = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        sizes = np.diff(np.r_[starts, n])
        later = sizes[group] - (np.arange(n) - starts[group]) - 1  # equal keys after each
        total = int(later.sum())
        left = np.repeat(np.arange(n), later)
        step = np.arange(total) - np.repeat(np.cumsum(later) - later, later)
        a, b = order[left], order[left + 1 + step]
        codes.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not codes:
        return np.zeros((0, 2), dtype=np.int64)
    candidates = np.unique(np.concatenate(codes))
    first, second = candidates // n, candidates % n
    agree = (matrix[first] == matrix[second]).sum(axis=1)
    needed = max(1, int(np.ceil(min_share * matrix.shape[1] - 1e-9)))
    chosen = agree >= needed
    return np.stack([index[first[chosen]], index[second[chosen]]], axis=1)
