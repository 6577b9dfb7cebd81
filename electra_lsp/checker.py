"""The checking core: text in, findings out. Knows nothing about LSP or the command line.

check(text) = extract prose → split sentences → detect (discriminator, batched, cached per
sentence) → for flagged characters, ask the generator about characters similar in sound or
shape (one batched pass over all masked copies) → rank by p(candidate)/p(original) together
with the detector's score → drop what the user dictionary covers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from electra_lsp.dictionary import UserDictionary
from electra_lsp.engine.backend import MaskQuery, ModelBackend
from electra_lsp.engine.charclass import is_cjk
from electra_lsp.engine.confusion import ConfusionSets, load_confusion
from electra_lsp.findings import Finding, Suggestion
from electra_lsp.settings import Settings
from electra_lsp.text.extract import extract_segments
from electra_lsp.text.segments import Segment
from electra_lsp.text.sentences import split_sentences

DEFAULT_THRESHOLD = 0.5
DEFAULT_MIN_RATIO = 1.0
CACHE_SIZE = 150_000  # sentences: a 5 MB document (about 120k sentences) stays cached
_TINY = 1e-9


class CheckCancelled(Exception):
    """Raised between batches when the caller's `cancelled()` says the work is stale."""


@dataclass
class CheckerStats:
    sentences_checked: int = 0  # sentences that went through the models
    cache_hits: int = 0
    cache_misses: int = 0

    @property
    def hit_rate(self) -> float:
        total = self.cache_hits + self.cache_misses
        return self.cache_hits / total if total else 0.0


class Checker:
    def __init__(self, backend: ModelBackend, settings: Settings | None = None,
                 dictionary: UserDictionary | None = None,
                 confusion: ConfusionSets | None = None) -> None:
        self.backend = backend
        self.dictionary = dictionary or UserDictionary()
        self.confusion = confusion or load_confusion(backend.vocabulary)
        self.stats = CheckerStats()
        self._cache: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()  # the server checks from worker threads
        self.update_settings(settings or Settings())

    # -- settings -------------------------------------------------------------------------
    def update_settings(self, settings: Settings) -> None:
        recommended = self.backend.recommended
        threshold = settings.threshold
        if threshold is None:
            threshold = float(recommended.get("threshold", DEFAULT_THRESHOLD))
        min_ratio = settings.minRatio
        if min_ratio is None:
            min_ratio = float(recommended.get("minRatio", DEFAULT_MIN_RATIO))
        with self._lock:
            self.settings = settings
            self.threshold = threshold
            self.min_ratio = min_ratio
            self._cache.clear()  # cached findings depend on thresholds and top-k

    # -- documents ------------------------------------------------------------------------
    def sentences(self, text: str, kind: str = "markdown") -> list[Segment]:
        """The sentences of a document that hold something to check (a CJK character)."""
        return [
            sentence
            for segment in extract_segments(text, kind)
            for sentence in split_sentences(segment)
            if any(is_cjk(c) for c in sentence.text)
        ]

    def check(self, text: str, kind: str = "markdown",
              cancelled: Callable[[], bool] | None = None) -> list[Finding]:
        """Findings with document offsets, sorted by position."""
        sentences = self.sentences(text, kind)
        findings: list[Finding] = []
        step = max(1, self.settings.batchSize) * 8
        for start in range(0, len(sentences), step):
            if cancelled is not None and cancelled():
                raise CheckCancelled
            chunk = sentences[start:start + step]
            for sentence, local in zip(chunk, self.check_sentences([s.text for s in chunk]),
                                       strict=True):
                findings.extend(f.relocated(sentence.offsets) for f in local)
        return sorted(findings, key=lambda f: (f.start, f.end))

    # -- sentences ------------------------------------------------------------------------
    def check_sentences(self, sentences: Sequence[str]) -> list[list[Finding]]:
        """Findings per sentence, offsets relative to the sentence; cached per sentence."""
        with self._lock:
            missing = []
            for sentence in dict.fromkeys(sentences):
                if sentence in self._cache:
                    self._cache.move_to_end(sentence)
                else:
                    missing.append(sentence)
            self.stats.cache_hits += len(sentences) - len(missing)
            self.stats.cache_misses += len(missing)
        computed = self._compute(missing) if missing else {}
        with self._lock:
            for sentence, found in computed.items():
                self._cache[sentence] = found
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            results = [computed.get(s) or self._cache.get(s, ()) for s in sentences]
        return [[f for f in found if not self._in_dictionary(s, f)]
                for s, found in zip(sentences, results, strict=True)]

    def _in_dictionary(self, sentence: str, finding: Finding) -> bool:
        return self.dictionary.covers(sentence, finding.start, finding.end)

    def _compute(self, sentences: list[str]) -> dict[str, tuple[Finding, ...]]:
        self.stats.sentences_checked += len(sentences)
        scores = self.backend.replaced_probabilities(sentences)
        queries: list[MaskQuery] = []
        detected: list[tuple[float, dict[str, float]]] = []  # score, candidates' prior weights
        for sentence, per_char in zip(sentences, scores, strict=True):
            for index, score in enumerate(per_char):
                if score < self.threshold or not is_cjk(sentence[index]):
                    continue
                candidates = self.confusion.similar(sentence[index]) & self.backend.vocabulary
                weights = {c: w for c, w in
                           self.confusion.weights(sentence[index], candidates).items() if w > 0}
                if weights:
                    queries.append(MaskQuery(sentence, index, tuple(sorted(weights))))
                    detected.append((score, weights))
        found: dict[str, list[Finding]] = {s: [] for s in sentences}
        answers = self.backend.masked_probabilities(queries) if queries else []
        for query, (score, weights), answer in zip(queries, detected, answers, strict=True):
            suggestions = self._rank(score, answer.original_probability, answer.probabilities,
                                     weights)
            if suggestions:
                found[query.sentence].append(Finding(
                    query.index, query.index + 1, query.sentence[query.index], score,
                    tuple(suggestions), query.sentence))
        return {s: tuple(f) for s, f in found.items()}

    def _rank(self, score: float, original: float, probabilities: dict[str, float],
              weights: dict[str, float]) -> list[Suggestion]:
        """Keep candidates whose weighted probability w(c)·p(c) is at least `min_ratio` times
        the written character's p(original).

        p comes from the generator; w is the prior that a writer meaning c writes this
        character instead (by kind of similarity, see confusion.py), so this is a noisy-channel
        comparison. A suggestion's score is the detector's score times the preference for the
        candidate over the original, q / (q + p(original)) with q = w(c)·p(c): both in [0, 1],
        so it reads as a confidence and ranks candidates by their weighted probability.
        """
        kept = []
        for char, p in probabilities.items():
            weighted = p * weights.get(char, 1.0)
            if weighted > 0 and weighted >= self.min_ratio * original:
                kept.append(Suggestion(char, p, score * weighted / (weighted + original + _TINY)))
        kept.sort(key=lambda s: (-s.score, s.text))
        return kept[: self.settings.topK]

