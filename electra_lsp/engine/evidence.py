"""Evidence per (position, candidate): what the models and the lexicon say about reading the
character at `position` as `candidate` instead of what was written.

Candidates at every Chinese character: characters that turn the neighbours into a known word
(`Lexicon.completions`), and, where the discriminator suspects the character, every character
similar in sound or shape (`ConfusionSets.similar`). Either way only similar characters are
kept (a writer types 以 for 已, not 把 for 已).

The features, one row per candidate (names in FEATURES, read by `decide.Combiner`):
- detector: logit of the discriminator's replaced-probability at the position;
- generator: log p(candidate) − log p(written) under the generator with the position masked,
  and generator_candidate: log p(candidate) (both filled in later, only where the cheap
  features leave a chance: see `decide`);
- lexical_gain: how much more probable (nats) the best segmentation of the window around the
  position becomes with the candidate (`Lexicon.best_segmentation`);
- written_in_word / candidate_in_word: the position lies in a word of 2+ characters of that
  segmentation, as written / with the candidate;
- domain / idiom / name: the written text there is a known domain term, idiom, person or place
  name;
- confusable: the shipped confusable-word pairs list exactly this substitution in this context;
- char_frequency: log count of the candidate minus that of the written character (pinyin input
  methods offer common characters first);
- from_lexicon: the candidate completes a known word;
- written_word / candidate_word: log-probability of the most common word of 2+ characters
  covering the position, as written / with the candidate (NO_WORD when there is none);
- one indicator per kind of similarity (confusion.KINDS);
- neighbour_gain: the largest lexical gain of any candidate within two characters on either
  side (a typo stands alone; an unknown name or term makes its neighbours suspicious too);
- context_gain / context_gain_bigrams / context_gain_4 / context_gain_5: Σ log(1 + count) of
  the character trigrams (bigrams, 4-grams, 5-grams) covering the position with the candidate,
  minus the same as written, from the counts of edited text (ngrams.py); written_context: the
  trigram sum as written (how attested the text is);
- broken_word: log-probability of the most common word of 2+ characters, as written, that the
  candidate's word would break up without covering the position (提高 in 以高新技术 breaks
  高新技术: a writer rarely garbles a word next to an intact one), NO_WORD when none;
- written_alone: log-probability of the written character as a word of its own when the
  segmentation leaves it alone (以, 和, 是 stand alone in edited text; 经 in 以经 rarely does),
  NO_WORD when it lies in a longer word;
- single_change: one-character words of the window's segmentation with the candidate minus
  as written (a real fix joins stray characters into words).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from electra_lsp.engine.backend import MaskQuery, ModelBackend
from electra_lsp.engine.charclass import is_cjk
from electra_lsp.engine.confusion import KINDS, ConfusionSets
from electra_lsp.engine.lexicon import DOMAIN, IDIOM, NAME, NO_WORD, PLACE, WINDOW, Lexicon
from electra_lsp.engine.ngrams import CharNgrams

FEATURES = (
    "detector", "generator", "lexical_gain", "written_in_word", "candidate_in_word", "domain",
    "idiom", "name", "confusable", "char_frequency", "from_lexicon",
    *(f"kind_{kind}" for kind in KINDS),
    "generator_candidate", "written_word", "candidate_word", "neighbour_gain",
    "context_gain", "context_gain_bigrams", "written_context",
    "broken_word", "written_alone", "single_change", "context_gain_4", "context_gain_5",
)
INDEX = {name: i for i, name in enumerate(FEATURES)}
GENERATOR = INDEX["generator"]
GENERATOR_CANDIDATE = INDEX["generator_candidate"]
# Column numbers of the features build_candidates fills (looked up once, not per row).
(_DETECTOR, _WRITTEN_WORD, _CANDIDATE_WORD, _LEXICAL_GAIN, _WRITTEN_IN_WORD, _CANDIDATE_IN_WORD,
 _BROKEN_WORD, _WRITTEN_ALONE, _SINGLE_CHANGE, _DOMAIN, _IDIOM, _NAME, _CONFUSABLE,
 _CHAR_FREQUENCY, _FROM_LEXICON) = (INDEX[name] for name in (
    "detector", "written_word", "candidate_word", "lexical_gain", "written_in_word",
    "candidate_in_word", "broken_word", "written_alone", "single_change", "domain", "idiom",
    "name", "confusable", "char_frequency", "from_lexicon"))
_KIND = {kind: INDEX[f"kind_{kind}"] for kind in KINDS}
# The columns only the generator fills; a larger value never makes a typo less likely.
GENERATOR_COLUMNS = (GENERATOR, GENERATOR_CANDIDATE)
# Clipping keeps one extreme model output from outvoting everything else, and bounds the
# generator feature so the pre-filter can use its maximum (decide.Combiner.upper_bound).
CLIP = {"detector": (-8.0, 8.0), "generator": (-12.0, 12.0), "lexical_gain": (-15.0, 15.0),
        "char_frequency": (-8.0, 8.0), "generator_candidate": (-12.0, 0.0)}
# Below this replaced-probability the discriminator's own suspicion adds no candidates.
DETECTOR_GATE = 0.5
# ... and at most this many of its similar characters (the likeliest by the prior).
DETECTOR_CANDIDATES = 12
_TINY = 1e-9


def _clip(name: str, value: float) -> float:
    low, high = CLIP[name]
    return min(high, max(low, value))


@dataclass
class Candidates:
    """The candidates of a batch of sentences: row i of `features` is (sentence[i],
    position[i], candidate[i]); the generator column is NaN until `fill_generator`."""

    sentences: Sequence[str]
    sentence: list[int]
    position: list[int]
    candidate: list[str]
    kind: list[str]
    span: list[tuple[int, int]]  # the word the candidate makes (sentence offsets)
    features: np.ndarray  # (rows, len(FEATURES)) float64

    def __len__(self) -> int:
        return len(self.candidate)

    def rows_at(self) -> dict[tuple[int, int], list[int]]:
        """{(sentence number, position): its rows}, in row order."""
        grouped: dict[tuple[int, int], list[int]] = {}
        for row, key in enumerate(zip(self.sentence, self.position, strict=True)):
            grouped.setdefault(key, []).append(row)
        return grouped


def build_candidates(sentences: Sequence[str], detector: Sequence[Sequence[float]],
                     lexicon: Lexicon, confusion: ConfusionSets, vocabulary: frozenset[str],
                     ngrams: CharNgrams | None = None,
                     weights: dict[str, float] | None = None) -> Candidates:
    """Every candidate of every Chinese character of `sentences` with its cheap evidence.

    `detector[i][j]` is the discriminator's replaced-probability of sentences[i][j].
    `ngrams`: the character n-gram counts (None: the context features are 0).
    `weights`: kind of similarity → prior weight; kinds weighing 0 are never candidates.
    """
    rows: list[list[float]] = []
    where_s: list[int] = []
    where_p: list[int] = []
    chars: list[str] = []
    kinds: list[str] = []
    word_spans: list[tuple[int, int]] = []
    weights = weights if weights is not None else confusion.kind_weights
    for number, sentence in enumerate(sentences):
        scores = detector[number]
        for position, run_start, run_end in _chinese_positions(sentence):
            written = sentence[position]
            similar = confusion.similar_kinds(written)
            # = lexicon.window(sentence, position), from the run of Chinese characters
            start = max(run_start, position - WINDOW)
            end = min(run_end, position + WINDOW + 1)
            completions, written_word = lexicon.completions(sentence, position, similar,
                                                            (start, end))
            pool = {c: similar[c] for c in completions}
            if scores[position] >= DETECTOR_GATE:
                pool.update(_likeliest(similar, lexicon, weights, pool))
            typed = [(c, k) for c, k in sorted(pool.items())
                     if c in vocabulary and weights.get(k, 1.0) > 0]
            if not typed:
                continue
            window = sentence[start:end]
            local = position - start
            # The segmentation up to the position is the same for every candidate.
            prefix = lexicon.viterbi_prefix(window, local)
            base, spans = lexicon.resegment(window, prefix)
            written_in_word = float(any(high - low > 1 and low <= local < high
                                        for low, high in spans))
            written_alone = NO_WORD if written_in_word else lexicon.logp(written) or NO_WORD
            singles = sum(1 for low, high in spans if high - low == 1)
            flags = lexicon.flags_at(sentence, position)
            p = min(1.0 - 1e-6, max(1e-6, scores[position]))
            detector_logit = _clip("detector", math.log(p / (1.0 - p)))
            written_logp = lexicon.char_logp(written)
            # What every candidate of this position shares.
            shared = [0.0] * len(FEATURES)
            shared[_DETECTOR] = detector_logit
            shared[GENERATOR] = math.nan
            shared[GENERATOR_CANDIDATE] = math.nan
            shared[_WRITTEN_WORD] = written_word
            shared[_WRITTEN_IN_WORD] = written_in_word
            shared[_WRITTEN_ALONE] = written_alone
            shared[_DOMAIN] = float(bool(flags & DOMAIN))
            shared[_IDIOM] = float(bool(flags & IDIOM))
            shared[_NAME] = float(bool(flags & (NAME | PLACE)))
            for char, kind in typed:
                score, new_spans = lexicon.resegment(
                    window[:local] + char + window[local + 1:], prefix)
                row = shared.copy()
                row[_CANDIDATE_WORD] = completions.get(char, NO_WORD)
                row[_LEXICAL_GAIN] = _clip("lexical_gain", score - base)
                low, high = next((lo, hi) for lo, hi in new_spans if lo <= local < hi)
                row[_CANDIDATE_IN_WORD] = float(high - low > 1)
                row[_BROKEN_WORD] = max(
                    (lexicon.logp(window[x:y]) or NO_WORD for x, y in spans
                     if y - x > 1 and not x <= local < y and x < high and low < y),
                    default=NO_WORD)
                row[_SINGLE_CHANGE] = float(
                    sum(1 for x, y in new_spans if y - x == 1) - singles)
                row[_CONFUSABLE] = float(lexicon.confusable is not None
                                         and lexicon.confusable.suggests(sentence, position, char))
                row[_CHAR_FREQUENCY] = _clip("char_frequency",
                                             lexicon.char_logp(char) - written_logp)
                row[_FROM_LEXICON] = float(char in completions)
                row[_KIND[kind]] = 1.0
                rows.append(row)
                where_s.append(number)
                where_p.append(position)
                chars.append(char)
                kinds.append(kind)
                word_spans.append((start + low, start + high))
    features = np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
    _neighbour_gain(features, where_s, where_p)
    if ngrams is not None and len(chars):
        _context(features, sentences, where_s, where_p, chars, ngrams)
    return Candidates(sentences, where_s, where_p, chars, kinds, word_spans, features)


def _chinese_positions(sentence: str) -> Iterator[tuple[int, int, int]]:
    """(position, start, end) of each Chinese character of `sentence` and of the run of
    Chinese characters [start, end) that holds it."""
    length = len(sentence)
    position = 0
    while position < length:
        if not is_cjk(sentence[position]):
            position += 1
            continue
        end = position + 1
        while end < length and is_cjk(sentence[end]):
            end += 1
        for inside in range(position, end):
            yield inside, position, end
        position = end


def _neighbour_gain(features: np.ndarray, sentence: list[int], position: list[int]) -> None:
    gain = INDEX["lexical_gain"]
    low = CLIP["lexical_gain"][0]
    best: dict[tuple[int, int], float] = {}
    for row, key in enumerate(zip(sentence, position, strict=True)):
        best[key] = max(best.get(key, low), features[row, gain])
    column = INDEX["neighbour_gain"]
    for row, (number, at) in enumerate(zip(sentence, position, strict=True)):
        features[row, column] = max(best.get((number, at + offset), low)
                                    for offset in (-2, -1, 1, 2))


def _context(features: np.ndarray, sentences: Sequence[str], sentence: list[int],
             position: list[int], chars: list[str], ngrams: CharNgrams) -> None:
    """Fill the n-gram columns: every n-gram covering each row's position, as written and with
    the row's candidate, built as code-point arrays and looked up for all rows at once."""
    text = np.frombuffer("".join(sentences).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    at = np.asarray(position, dtype=np.int64)
    number = np.asarray(sentence, dtype=np.int64)
    base, length = starts[number], lengths[number]
    candidate = np.frombuffer("".join(chars).encode("utf-32-le"), dtype=np.uint32)
    for n, gain_column in ((3, INDEX["context_gain"]), (2, INDEX["context_gain_bigrams"]),
                           (4, INDEX["context_gain_4"]), (5, INDEX["context_gain_5"])):
        before = np.zeros(len(at))
        after = np.zeros(len(at))
        for offset in range(n):  # the n-gram starting `offset` characters before the position
            first = at - offset
            inside = (first >= 0) & (first + n <= length)
            if not inside.any():
                continue
            grams = text[(base + first)[inside, None] + np.arange(n)]
            changed = grams.copy()
            changed[:, offset] = candidate[inside]
            before[inside] += np.log1p(ngrams.count_codes(grams))
            after[inside] += np.log1p(ngrams.count_codes(changed))
        features[:, gain_column] = after - before  # one row per candidate
        if n == 3:
            features[:, INDEX["written_context"]] = before


def _likeliest(similar: dict[str, str], lexicon: Lexicon, weights: dict[str, float],
               exclude: dict[str, str]) -> dict[str, str]:
    """The DETECTOR_CANDIDATES similar characters a writer most likely meant, by the
    noisy-channel prior w(kind) · P(character) (common characters come first in an input
    method's list)."""
    def prior(char: str) -> float:
        return weights.get(similar[char], 1.0) * math.exp(lexicon.char_logp(char))

    ranked = sorted((c for c in similar if c not in exclude), key=lambda c: (-prior(c), c))
    return {c: similar[c] for c in ranked[:DETECTOR_CANDIDATES]}


def ask_generator(backend: ModelBackend, candidates: Candidates,
                  rows_at: dict[tuple[int, int], list[int]]) -> dict[int, float]:
    """Ask the generator once per position of `rows_at` (one batched pass), fill the
    generator's columns of those rows, and return {row: p(candidate)}."""
    keys = list(rows_at)
    queries = [MaskQuery(candidates.sentences[number], position,
                         tuple(candidates.candidate[row] for row in rows_at[(number, position)]))
               for number, position in keys]
    answers = backend.masked_probabilities(queries) if queries else []
    probabilities: dict[int, float] = {}
    for key, answer in zip(keys, answers, strict=True):
        for row in rows_at[key]:
            p = answer.probabilities.get(candidates.candidate[row], 0.0)
            probabilities[row] = p
            fill_generator(candidates.features, row, p, answer.original_probability)
    return probabilities


def fill_generator(features: np.ndarray, row: int, candidate_probability: float,
                   written_probability: float) -> None:
    """Set the generator's columns of one row: log p(candidate) − log p(written) and
    log p(candidate), clipped."""
    candidate = math.log(candidate_probability + _TINY)
    features[row, GENERATOR] = _clip("generator", candidate - math.log(written_probability
                                                                       + _TINY))
    features[row, GENERATOR_CANDIDATE] = _clip("generator_candidate", candidate)
