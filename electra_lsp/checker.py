"""The checking core: text in, findings out. Knows nothing about LSP or the command line.

check(text) = extract prose → split sentences → per sentence (cached): discriminator scores,
candidates at every Chinese character with their evidence (evidence.py: detector, lexicon),
the generator asked only where a candidate could still reach the threshold (one batched pass
over all masked copies), the fitted combiner's probability (decide.py) → drop what the user
dictionary covers and what the document itself uses repeatedly (its own vocabulary).

A pair without a fitted combiner (e.g. a user's own pair before `electra-lsp tune calibrate`)
gets the models-only rule: characters the discriminator flags, ranked by the generator's
p(candidate)/p(written) weighted by the kind of similarity.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from electra_lsp.dictionary import UserDictionary
from electra_lsp.engine.backend import MaskQuery, ModelBackend
from electra_lsp.engine.charclass import is_cjk
from electra_lsp.engine.confusion import ConfusionSets, load_confusion
from electra_lsp.engine.decide import Combiner
from electra_lsp.engine.evidence import FEATURES, Candidates, ask_generator, build_candidates
from electra_lsp.engine.lexicon import NO_WORD, Lexicon, shared_lexicon
from electra_lsp.engine.ngrams import CharNgrams, shared_ngrams
from electra_lsp.findings import Evidence, Finding, Suggestion
from electra_lsp.settings import Settings
from electra_lsp.text.extract import extract_segments
from electra_lsp.text.kinds import MARKDOWN, normalize
from electra_lsp.text.segments import Segment
from electra_lsp.text.sentences import split_sentences

DEFAULT_THRESHOLD = 0.5
DEFAULT_MIN_RATIO = 1.0
# Sentences in the shared cache (about 0.5 KB each with their findings). It only serves
# sentences no open document holds any more (undo, text pasted elsewhere) and the CLI: an open
# document's current sentences stay in its SentenceMemo, however large it is.
CACHE_SIZE = 5_000
# Sentences per chunk when the discriminator runs ahead in a worker thread (_compute); fewer
# are checked in one go. Smaller than the steps of `check` (8 batches) so documents gain too.
PIPELINE_CHUNK = 64
_TINY = 1e-9
# A suggestion is offered when it is at least this probable (and among the top K).
SUGGESTION_FLOOR = 0.05
# Document vocabulary: a pair of characters the document writes this often, flagged at two
# places or more, is what its author means ...
DOCUMENT_REPEATS = 3
# ... whatever the evidence when written this often (变基, git's "rebase", 51 times in its
# messages; 属组 11 times beside 数组 in coreutils'): an input method's learnt typo is rarely
# that common in one document.
DOCUMENT_REPEATS_SURE = 10


@dataclass
class SentenceMemo:
    """One document's raw per-sentence findings (before the user dictionary), so the check of
    its next version re-uses every unchanged sentence without a shared cache large enough for
    all open documents and all their past versions (which grew without bound while editing).

    `previous`: the sentences of the document's last finished check; `current`: those of the
    check in progress. `Checker.check_sentences` reads both and fills `current`; the caller
    calls `finish()` when a check of the whole document is done and `restart()` when a new one
    begins. A memo made under other settings or another checker is emptied on first use.
    """

    previous: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    current: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    owner: tuple[int, int] | None = None  # (id of the checker, its settings epoch)

    def restart(self) -> None:
        """A check of a new version begins: what an abandoned check collected is dropped."""
        self.current = {}

    def finish(self) -> None:
        """The check in progress covered the whole document: its sentences become `previous`
        (the older version's go)."""
        self.previous, self.current = self.current, {}


class CheckCancelled(Exception):
    """Raised between batches when the caller's `cancelled()` says the work is stale."""


@dataclass
class CheckerStats:
    """Counters of the sentence cache since the checker was built."""

    sentences_checked: int = 0  # sentences that went through the models
    cache_hits: int = 0
    cache_misses: int = 0

    @property
    def hit_rate(self) -> float:
        """Cache hits over lookups, 0.0 before any."""
        total = self.cache_hits + self.cache_misses
        return self.cache_hits / total if total else 0.0


def _shipped_combiner(backend: ModelBackend) -> Combiner | None:
    """The combiner in the pair's electra_lsp.json, parsed once per backend: the parsed one
    replaces its JSON in `backend.recommended` (400 trees as JSON lists held ~40 MB for
    nothing), so later checkers of the same backend reuse it. Raises CombinerError."""
    recommended = backend.recommended
    stored = recommended.get("combiner")
    if isinstance(stored, Combiner):
        return stored
    if not isinstance(stored, dict):
        return None
    combiner = Combiner.from_json(stored)
    recommended["combiner"] = combiner
    return combiner


class Checker:
    """Finds misspellings: `check(text, kind)` for documents, `check_sentences` for sentences.

    Thread-safe (the server checks from worker threads). `check` raises ValueError on an unknown
    kind (see `text.kinds.parse_kind`); construction raises what `load_checker` documents.
    """

    def __init__(self, backend: ModelBackend, settings: Settings | None = None,
                 dictionary: UserDictionary | None = None,
                 confusion: ConfusionSets | None = None,
                 lexicon: Lexicon | None = None, combiner: Combiner | None = None,
                 use_combiner: bool = True, ngrams: CharNgrams | None = None) -> None:
        """combiner: the fused decision; default: the one the model ships (its
        electra_lsp.json "combiner"), else (or with use_combiner=False) the models-only rule.
        The lexicon and n-gram counts (default: the shared ones) are only loaded with a
        combiner.

        Raises LexiconError / NgramError (a data file is missing) or CombinerError (a
        malformed combiner)."""
        self.backend = backend
        self.dictionary = dictionary or UserDictionary()
        self.confusion = confusion or load_confusion(backend.vocabulary)
        if not use_combiner:
            combiner = None
        elif combiner is None:
            combiner = _shipped_combiner(backend)
        self.combiner = combiner
        self.lexicon = lexicon if lexicon is not None or combiner is None else shared_lexicon()
        if ngrams is None and combiner is not None:
            ngrams = shared_ngrams()
        self.ngrams = ngrams
        self.stats = CheckerStats()
        self._cache: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
        self._epoch = 0  # counts settings changes: memos of an older epoch are void
        self._lock = threading.Lock()  # the server checks from worker threads
        self.update_settings(settings or Settings())

    # -- settings -------------------------------------------------------------------------
    def update_settings(self, settings: Settings) -> None:
        """Thresholds, min ratio and top-k from `settings` (None: the model's recommendation);
        clears the sentence cache.
        """
        recommended = self.backend.recommended
        threshold = settings.threshold
        if threshold is None and self.combiner is not None:
            threshold = self.combiner.threshold
        if threshold is None:
            threshold = float(recommended.get("threshold", DEFAULT_THRESHOLD))
        auto_fix = settings.autoFixThreshold
        if auto_fix is None:
            auto_fix = self.combiner.auto_fix_threshold if self.combiner is not None else 0.0
        min_ratio = settings.minRatio
        if min_ratio is None:
            min_ratio = float(recommended.get("minRatio", DEFAULT_MIN_RATIO))
        with self._lock:
            self.settings = settings
            self.threshold = threshold
            self.min_ratio = min_ratio
            self.auto_fix_threshold = max(threshold, auto_fix)
            self._cache.clear()  # cached findings depend on thresholds and top-k
            self._epoch += 1

    # -- documents ------------------------------------------------------------------------
    def sentences(self, text: str, kind: str = "markdown") -> list[Segment]:
        """The sentences of a document that hold something to check (a CJK character)."""
        return document_sentences(text, kind)

    def check(self, text: str, kind: str = "markdown",
              cancelled: Callable[[], bool] | None = None) -> list[Finding]:
        """Findings with document offsets, sorted by position."""
        return self.check_document(text, kind, cancelled)[0]

    def check_document(self, text: str, kind: str = "markdown",
                       cancelled: Callable[[], bool] | None = None
                       ) -> tuple[list[Finding], list[Segment]]:
        """`check`'s findings and the sentences they were found in (for callers that also
        weigh the document's prose, e.g. as part of a workspace), the text read once."""
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
        return sorted(mark_link_labels(without_document_vocabulary(text, sentences, findings),
                                       link_label_ranges(text, kind)),
                      key=lambda f: (f.start, f.end)), sentences

    # -- sentences ------------------------------------------------------------------------
    def check_sentences(self, sentences: Sequence[str], memo: SentenceMemo | None = None
                        ) -> list[list[Finding]]:
        """Findings per sentence (one list per sentence, offsets relative to it, the user
        dictionary's words left out). Known results come from `memo` (one document's) or the
        shared LRU cache; the rest go through the models and are remembered in both."""
        with self._lock:
            known = self._memo_for(memo)
            missing = []
            for sentence in dict.fromkeys(sentences):
                if sentence in known.previous or sentence in known.current:
                    continue
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
            results = []
            for sentence in sentences:
                found = computed.get(sentence)
                if found is None:
                    found = known.previous.get(sentence)
                if found is None:
                    found = known.current.get(sentence)
                if found is None:
                    found = self._cache.get(sentence, ())
                known.current[sentence] = found
                results.append(found)
        return [[f for f in found if not self._in_dictionary(s, f)]
                for s, found in zip(sentences, results, strict=True)]

    def _memo_for(self, memo: SentenceMemo | None) -> SentenceMemo:
        """`memo`, emptied if it was filled under other settings or by another checker; a
        throw-away one for None. Called with the lock held."""
        if memo is None:
            return SentenceMemo()
        owner = (id(self), self._epoch)
        if memo.owner != owner:
            memo.previous, memo.current, memo.owner = {}, {}, owner
        return memo

    def _in_dictionary(self, sentence: str, finding: Finding) -> bool:
        return self.dictionary.covers(sentence, finding.start, finding.end)

    def _compute(self, sentences: list[str]) -> dict[str, tuple[Finding, ...]]:
        self.stats.sentences_checked += len(sentences)
        if len(sentences) <= PIPELINE_CHUNK:
            return self._decide_chunk(sentences, self.backend.replaced_probabilities(sentences))
        # Many sentences (`check` over files): the discriminator scores the next chunk in a
        # worker thread (the runtimes release the GIL) while this thread builds the evidence
        # of this one in Python, so the two overlap instead of taking turns. (Running the
        # generator there too measured no faster.)
        chunks = [sentences[i:i + PIPELINE_CHUNK]
                  for i in range(0, len(sentences), PIPELINE_CHUNK)]
        found: dict[str, tuple[Finding, ...]] = {}
        with ThreadPoolExecutor(1, thread_name_prefix="electra-discriminator") as pool:
            scored = pool.submit(self.backend.replaced_probabilities, chunks[0])
            for number, chunk in enumerate(chunks):
                scores = scored.result()
                if number + 1 < len(chunks):
                    scored = pool.submit(self.backend.replaced_probabilities, chunks[number + 1])
                found.update(self._decide_chunk(chunk, scores))
        return found

    def _decide_chunk(self, sentences: list[str], scores: list[list[float]]
                      ) -> dict[str, tuple[Finding, ...]]:
        if self.combiner is not None:
            return self._decide(sentences, scores, prefilter=True)
        return self._models_only(sentences, scores)

    def _decide(self, sentences: list[str], scores: list[list[float]],
                prefilter: bool) -> dict[str, tuple[Finding, ...]]:
        """The fused decision (see decide.py). prefilter=False asks the generator at every
        candidate position (for tests that the pre-filter changes nothing)."""
        assert self.combiner is not None and self.lexicon is not None
        candidates = build_candidates(sentences, scores, self.lexicon, self.confusion,
                                      self.backend.vocabulary, self.ngrams)
        found: dict[str, list[Finding]] = {s: [] for s in sentences}
        if not len(candidates):
            return {s: () for s in sentences}
        rows_at = candidates.rows_at()
        if prefilter:
            reachable = self.combiner.upper_bound(candidates.features) >= self.threshold
            rows_at = {k: rows for k, rows in rows_at.items() if reachable[rows].any()}
        generator_p = ask_generator(self.backend, candidates, rows_at)
        features = candidates.features
        asked = [row for rows in rows_at.values() for row in rows]
        ranked = dict(zip(asked, self.combiner.probabilities(features[asked]).tolist(),
                          strict=True)) if asked else {}
        orders = {key: sorted(rows, key=lambda row: (-ranked[row], candidates.candidate[row]))
                  for key, rows in rows_at.items()}
        tops = [order[0] for order in orders.values()]
        decided = self.combiner.decided(features[tops], np.array([ranked[r] for r in tops]))
        for ((number, position), order), best in zip(orders.items(), decided.tolist(),
                                                      strict=True):
            if best < self.threshold:
                continue
            sentence = sentences[number]
            top = order[0]
            # Alternatives: the ranker's preference relative to the top, times its probability.
            suggestions = [Suggestion(candidates.candidate[top], generator_p[top], best)]
            for row in order[1: self.settings.topK]:
                score = best * ranked[row] / ranked[top]
                if score < SUGGESTION_FLOOR:
                    break
                suggestions.append(Suggestion(candidates.candidate[row], generator_p[row], score))
            found[sentence].append(Finding(
                position, position + 1, sentence[position], best, tuple(suggestions), sentence,
                self._evidence(candidates, top, scores[number][position]),
                best >= self.auto_fix_threshold))
        return {s: _separate(f) for s, f in found.items()}

    def _evidence(self, candidates: Candidates, row: int, detector: float) -> Evidence:
        values = dict(zip(FEATURES, candidates.features[row].tolist(), strict=True))
        low, high = candidates.span[row]
        sentence_row = candidates.sentences[candidates.sentence[row]]
        position = candidates.position[row]
        char = candidates.candidate[row]
        written_word = sentence_row[low:high]
        candidate_word = (written_word[:position - low] + char + written_word[position - low + 1:]
                          if high - low > 1 else "")
        written_logp = self.lexicon.logp(written_word)  # None: not a known word
        return Evidence(detector, float(math.exp(values["generator"])), values["lexical_gain"],
                        written_word if candidate_word else sentence_row[position],
                        candidate_word, written_logp is not None, candidates.kind[row],
                        values["candidate_word"],
                        NO_WORD if written_logp is None else written_logp)

    def _models_only(self, sentences: list[str], scores: list[list[float]]
                     ) -> dict[str, tuple[Finding, ...]]:
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
                    tuple(suggestions), query.sentence,
                    auto_fix=score >= self.auto_fix_threshold))  # the user's setting holds here too
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


def load_checker(settings: Settings, dictionary: UserDictionary | None = None, *,
                 backend: ModelBackend | None = None, **options: Any) -> Checker:
    """The one way to build a checker: the models the settings name, with their fused decision.

    dictionary: the user dictionary (the CLI and the server pass the user's, see
    `dictionary.open_dictionary`); None: an empty one, so evaluation, tuning and benchmarks
    measure the models alone. backend: an already loaded one (default:
    `factory.load_backend(settings)`). options: passed to `Checker` (confusion, use_combiner).

    Raises ModelLoadError (the models), LexiconError / NgramError (a data file is missing) or
    CombinerError (a malformed combiner in the model's electra_lsp.json).
    """
    if backend is None:
        from electra_lsp.engine.factory import load_backend

        backend = load_backend(settings)
    return Checker(backend, settings, dictionary, **options)


def _separate(findings: list[Finding]) -> tuple[Finding, ...]:
    """Neighbouring findings usually explain one typo twice (以经: 以→已 or 经→?): keep the
    more probable of two adjacent findings."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: -f.score):
        if all(abs(finding.start - other.start) > 1 for other in kept):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda f: f.start))


def link_label_ranges(text: str, kind: str) -> list[tuple[int, int]]:
    """Document ranges [start, end) that a fix must not edit alone: the text of Markdown
    collapsed and shortcut reference links (`[text][]`, `[text]`), which is also the label
    their definition (`[text]: url`) is found by. Cheap right after `sentences(text, kind)`."""
    if normalize(kind) != MARKDOWN:
        return []
    from electra_lsp.text.markdown import reference_label_ranges

    return reference_label_ranges(text)


def mark_link_labels(findings: list[Finding], ranges: Sequence[tuple[int, int]]
                     ) -> list[Finding]:
    """`findings`, those inside one of `ranges` (`link_label_ranges`) marked not fixable:
    still reported, but given no quick fix and never fixed automatically (a fix would leave
    the label without its definition)."""
    if not ranges:
        return findings
    covered = {offset for start, end in ranges for offset in range(start, end)}
    return [replace(f, fixable=False)
            if f.fixable and any(o in covered for o in range(f.start, f.end)) else f
            for f in findings]


def document_sentences(text: str, kind: str = "markdown") -> list[Segment]:
    """The sentences of a document that hold something to check (a CJK character)."""
    return [
        sentence
        for segment in extract_segments(text, kind)
        for sentence in split_sentences(segment)
        if any(is_cjk(c) for c in sentence.text)
    ]


def document_prose(text: str, kind: str = "markdown") -> str:
    """`prose` of the document's sentences."""
    return prose(document_sentences(text, kind))


def prose(sentences: Sequence[Segment]) -> str:
    """The checked text of a document's sentences, one per line (code does not count)."""
    return "\n".join(sentence.text for sentence in sentences)


def without_document_vocabulary(text: str, sentences: Sequence[Segment],
                                 findings: list[Finding]) -> list[Finding]:
    """The document's findings as its own usage leaves them (泛型 written 91 times in a book
    is not 91 typos): where the written word (the text the fix's word would replace) occurs
    DOCUMENT_REPEATS times or more in its prose, or the written character and a neighbour are
    flagged together at two places or more and that pair occurs DOCUMENT_REPEATS times or
    more. (Across documents, the workspace's vocabulary weighs: workspace.py.)

    Counting the written word or repeatedly flagged pairs, not any pair, keeps real typos next
    to a common pair (在次 after 我们: 们在 is frequent, 在次 is not). A known word so used is
    its author's choice (引用 beside 应用, 行数 beside 函数). A text that is no word stays
    reported when its fix is one of the commonest words (以经 → 已经: an input method that
    learnt the typo repeats it, `Evidence.fixes_a_common_word`); otherwise it is meant when
    written DOCUMENT_REPEATS_SURE times or more (变基 in git's messages), and below that
    unless the document also writes the fix's word or the evidence is sure enough for
    automatic fixes — then it is still reported, but no longer fixed unasked (属组 written
    four times is not rewritten by Fix All).
    """
    def pairs(finding: Finding) -> list[str]:
        start = finding.start
        return [pair for pair in (text[max(0, start - 1):start + 1], text[start:start + 2])
                if len(pair) == 2 and all(is_cjk(c) for c in pair)]

    # Only the fused decision weighs this evidence (the models-only rule stays as it was).
    flagged = Counter(pair for finding in findings if finding.evidence is not None
                      for pair in pairs(finding))
    repeated = [pair for pair, count in flagged.items() if count >= 2]
    written = prose(sentences)  # code does not count
    used = {pair: uses for pair in repeated if (uses := written.count(pair)) >= DOCUMENT_REPEATS}

    def weighed(finding: Finding) -> Finding | None:
        """The finding as the documents' usage leaves it: None when it explains it."""
        evidence = finding.evidence
        if evidence is None or evidence.fixes_a_common_word:
            return finding
        uses = max((used.get(pair, 0) for pair in pairs(finding)), default=0)
        if len(evidence.written_word) > 1 and evidence.candidate_word:
            uses = max(uses, written.count(evidence.written_word))
        if uses < DOCUMENT_REPEATS:
            return finding
        if evidence.written_known or uses >= DOCUMENT_REPEATS_SURE:
            return None
        if finding.auto_fix:  # reported, but text written repeatedly is never changed unasked
            return replace(finding, auto_fix=False)
        if len(evidence.candidate_word) > 1 and evidence.candidate_word in written:
            return finding
        return None

    return [kept for f in findings if (kept := weighed(f)) is not None]
