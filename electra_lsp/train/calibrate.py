"""Fit the fused decision (engine/decide.py) for a discriminator + generator pair, and choose
its thresholds on dev data. `electra-lsp tune calibrate` runs it; the result is written into
the discriminator's `electra_lsp.json` ("combiner").

Data (paths under the shared data directory, see its README), all of it separate from what the
thresholds are chosen on, and never a `*_test*` file:
- fit: the FIT share of the clean edited lines `csc/clean/xxqg.txt` and the clean targets of
  the synthetic training pairs (`extra_fit_lines`), as they are and with typos planted
  (train/plant.py; the users' distribution: native writers' slips in edited prose), plus a
  sample of the real error pairs in `csc/train/` and `csc/sighan15_train.tsv` at a lower
  weight (learners' essays and synthetic pairs: a combiner fitted on them alone raises several
  times the false alarms on edited prose);
- choose: the TUNE share of those lines, planted and clean, and `csc/dev/*.tsv`.
The BENCH share is left for bench/quality.py. The embedded pair never trained on xxqg.txt (its
corpus is corpus/edited.txt.xz, which holds rmrb1998.txt, so that file is not used here). The
split is seeded and fixed.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from electra_lsp.engine.backend import ModelBackend
from electra_lsp.engine.charclass import is_cjk
from electra_lsp.engine.confusion import ConfusionSets
from electra_lsp.engine.decide import Combiner, fit_combiner, top_rows
from electra_lsp.engine.evidence import ask_generator, build_candidates
from electra_lsp.engine.lexicon import Lexicon
from electra_lsp.engine.ngrams import CharNgrams
from electra_lsp.evaluate.runner import read_pairs
from electra_lsp.train.mix import NEGATIVES, RECIPE, build_mix, is_training_half
from electra_lsp.train.plant import plant_typos

CLEAN_LINES = ("csc", "clean", "xxqg.txt")
SPLIT_SEED = 20261130
SHARES = {"fit": 0.5, "tune": 0.25, "bench": 0.25}
FIT_SEEDS = (1, 11)  # two planted variants of every fitting line (more typos to learn from)
TUNE_SEEDS = (3,)
BENCH_SEEDS = (5,)
CSC_FIT_PAIRS = 4000  # sampled from csc/train/ + sighan15_train.tsv
CSC_WEIGHT = 0.3  # their rows count this much against one row of edited prose
ALARM_BUDGET = 1.0  # false alarms per 10,000 Chinese characters of clean edited prose
# The budget must hold with this confidence, not only as observed: the tune share's untouched
# lines hold about 106,000 Chinese characters, about 10 alarms' worth of budget, too few to
# tell 0.5 from 1 per 10k; and prose the tune share does not sample (documentation) raises
# more than news prose does.
ALARM_CONFIDENCE = 0.95
AUTO_FIX_ERROR = 0.05  # at most this share of automatic fixes may be wrong (on tune data)
_BATCH = 64


def clean_lines(data: Path, share: str) -> list[str]:
    """One share ("fit", "tune", "bench") of the clean edited lines, by a fixed seeded split.

    The tune and bench shares leave out any line that shares a 15-character run with a
    sentence of the default pair's training mix (train/mix.py `build_mix`: its synthetic sets
    come from the same source), so thresholds and the benchmark see only unseen text.
    Raises FileNotFoundError naming the file when it cannot be read."""
    path = data.joinpath(*CLEAN_LINES)
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except OSError as error:
        raise FileNotFoundError(f"cannot read {path}: {error}") from None
    lines = [line for line in lines if line]
    order = np.random.default_rng(SPLIT_SEED).permutation(len(lines))
    cuts = np.cumsum([int(SHARES[name] * len(lines)) for name in SHARES])
    bounds = dict(zip(SHARES, zip([0, *cuts[:-1]], [*cuts[:-1], len(lines)], strict=True),
                      strict=True))
    low, high = bounds[share]
    chosen = [lines[i] for i in sorted(order[low:high])]
    if share == "fit":
        return chosen
    # The training mix as far as its sources are here (a test's small data directory lacks
    # most; with all of them this is exactly the mix).
    recipe = tuple(source for source in RECIPE if (data / source.path).is_file())
    negatives = NEGATIVES if (data / NEGATIVES.path).is_file() else None
    mix, _ = build_mix(data, recipe, negatives)
    trained = {run for _, target in mix for run in _runs(target)}
    return [line for line in chosen if not any(run in trained for run in _runs(line))]


def _runs(line: str, length: int = 15) -> Iterator[str]:
    """The `length`-character runs of a line (the whole line when shorter): two texts that
    share one are treated as the same text."""
    return (line[i:i + length] for i in range(max(1, len(line) - length + 1)))


def extra_fit_lines(data: Path, held_out: Sequence[str]) -> list[str]:
    """Clean sentences for fitting beyond xxqg.txt: the targets of the synthetic training pairs
    (`csc/train/synthetic_*_train.tsv`, real edited sentences; the one-type 的/地/得 set
    excluded; only the half that train/mix.py keeps out of training), minus any that shares a
    15-character run with `held_out` lines."""
    runs = {run for line in held_out for run in _runs(line)}
    lines: dict[str, None] = {}
    for path in sorted((data / "csc" / "train").glob("synthetic_*_train.tsv")):
        if "_de_" in path.name:
            continue
        for _, target in read_pairs(path):
            if is_training_half(target):  # the pair may have trained on it (train/mix.py)
                continue
            if not any(run in runs for run in _runs(target)):
                lines.setdefault(target, None)
    return list(lines)


def planted_and_clean(lines: Sequence[str], lexicon: Lexicon, confusion: ConfusionSets,
                      vocabulary: frozenset[str], seeds: Sequence[int]
                      ) -> list[tuple[str, str]]:
    """Every line as it is, and once more with one planted typo per seed (`source, target`
    pairs; a line where nothing could be planted comes once)."""
    pairs = [(line, line) for line in lines]
    for seed in seeds:
        pairs += [p for p in plant_typos(lines, lexicon, confusion, vocabulary, seed)
                  if p[0] != p[1]]
    return pairs


@dataclass
class Collected:
    """Candidate rows of a set of pairs with their full evidence (the generator asked at every
    candidate position: no pre-filter) and whether each is the intended character."""

    features: np.ndarray  # (rows, FEATURES)
    labels: np.ndarray  # (rows,) 1: the target has this candidate at this position
    pair: np.ndarray  # (rows,) index of the pair
    position: np.ndarray  # (rows,)
    candidate: list[str]  # (rows,)
    errors: list[dict[int, str]]  # per pair: position -> intended character
    chars: int  # Chinese characters in all sources


def collect(backend: ModelBackend, lexicon: Lexicon, confusion: ConfusionSets,
            pairs: Sequence[tuple[str, str]], ngrams: CharNgrams | None = None,
            progress: Callable[[int], None] | None = None) -> Collected:
    rows, labels, pair_ids, positions, chars_of = [], [], [], [], []
    errors = [{i: t for i, (s, t) in enumerate(zip(src, tgt, strict=True)) if s != t}
              if len(src) == len(tgt) else {} for src, tgt in pairs]
    chars = 0
    for first in range(0, len(pairs), _BATCH):
        batch = [source for source, _ in pairs[first:first + _BATCH]]
        chars += sum(1 for sentence in batch for c in sentence if is_cjk(c))
        scores = backend.replaced_probabilities(batch)
        candidates = build_candidates(batch, scores, lexicon, confusion, backend.vocabulary,
                                      ngrams)
        ask_generator(backend, candidates, candidates.rows_at())  # every position: no filter
        for row in range(len(candidates)):
            number = first + candidates.sentence[row]
            position = candidates.position[row]
            labels.append(int(errors[number].get(position) == candidates.candidate[row]))
            pair_ids.append(number)
            positions.append(position)
            chars_of.append(candidates.candidate[row])
        rows.append(candidates.features)
        if progress:
            progress(len(batch))
    features = np.concatenate(rows) if rows else np.zeros((0, 0))
    return Collected(features, np.array(labels), np.array(pair_ids), np.array(positions),
                     chars_of, errors, chars)


@dataclass
class Decisions:
    """Per candidate position: the best candidate's probability and whether it is right."""

    best: np.ndarray  # (positions,) probability of the best candidate
    right: np.ndarray  # (positions,) bool: the best candidate is the intended character
    error: np.ndarray  # (positions,) bool: the position holds a real error
    total_errors: int
    chars: int


def decisions(combiner: Combiner, collected: Collected) -> Decisions:
    ranked = combiner.probabilities(collected.features)
    top = top_rows(ranked, position_ids(collected))
    best = combiner.decided(collected.features[top], ranked[top])
    return Decisions(
        best, collected.labels[top].astype(bool),
        np.array([int(collected.position[row]) in collected.errors[int(collected.pair[row])]
                  for row in top], dtype=bool),
        sum(len(e) for e in collected.errors), collected.chars)


def position_ids(collected: Collected, offset: int = 0) -> np.ndarray:
    """(rows,) one id per (pair, position): the candidates of one character share it."""
    return (collected.pair.astype(np.int64) + offset) * 1_000_000 + collected.position


def rates(found: Decisions, threshold: float) -> dict[str, float]:
    """Recall, correct-fix rate and false alarms per 10,000 characters at `threshold`."""
    flagged = found.best >= threshold
    caught = int((flagged & found.error).sum())
    fixed = int((flagged & found.error & found.right).sum())
    alarms = int((flagged & ~found.error).sum())
    return {
        "recall": caught / found.total_errors if found.total_errors else 0.0,
        "correct_fix": fixed / found.total_errors if found.total_errors else 0.0,
        "false_alarms_per_10k": alarms * 10_000 / found.chars if found.chars else 0.0,
        "false_alarms": alarms,
        "wrong_edits": int((flagged & ~(found.error & found.right)).sum()),
        "edits": int(flagged.sum()),
    }


def poisson_upper_bound(count: int, confidence: float = ALARM_CONFIDENCE) -> float:
    """The exact one-sided upper confidence bound of a Poisson mean after observing `count`
    events (Garwood, 1936): χ²(confidence; 2·count + 2) / 2, via scipy (a scikit-learn
    dependency, as calibration needs). 0 observed at 95 % gives 3.0; 1 gives 4.74; 2 gives 6.30."""
    from scipy.stats import chi2

    return float(chi2.ppf(confidence, 2 * count + 2)) / 2


def choose_threshold(found: Decisions, budget: float = ALARM_BUDGET,
                     confidence: float = ALARM_CONFIDENCE) -> float:
    """The lowest threshold at which `found`'s false alarms stay within `budget` per 10k
    characters with `confidence`: the Poisson upper bound of the alarm count, not the count
    itself, is held to the budget (0.99 when no threshold achieves that)."""
    if not found.chars:
        return 0.99
    allowed = budget * found.chars / 10_000
    for threshold in np.round(np.arange(0.05, 0.995, 0.01), 2):
        alarms = rates(found, float(threshold))["false_alarms"]
        if poisson_upper_bound(alarms, confidence) <= allowed:
            return float(threshold)
    return 0.99


def binomial_upper_bound(count: int, trials: int, confidence: float = ALARM_CONFIDENCE) -> float:
    """The exact (Clopper–Pearson) one-sided upper confidence bound of a proportion after
    `count` successes in `trials`: the Beta(count + 1, trials − count) quantile at
    `confidence`, via scipy (1.0 when count == trials; 0 trials bound nothing: 1.0)."""
    if trials <= 0 or count >= trials:
        return 1.0
    from scipy.stats import beta

    return float(beta.ppf(confidence, count + 1, trials - count))


def choose_auto_fix(found: Decisions, threshold: float, error: float = AUTO_FIX_ERROR,
                    confidence: float = ALARM_CONFIDENCE) -> float:
    """The lowest threshold ≥ `threshold` at which at most `error` of the edits made are wrong
    (a false alarm or a wrong fix) with `confidence`: the Clopper–Pearson upper bound of the
    wrong share, not the share itself, is held to `error` (0.99 when no threshold does)."""
    for candidate in np.round(np.arange(threshold, 0.995, 0.01), 2):
        counted = rates(found, float(candidate))
        if binomial_upper_bound(counted["wrong_edits"], counted["edits"], confidence) <= error:
            return float(candidate)
    return 0.99


def csc_sample(data: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """A seeded sample of the real training pairs (csc/train/*.tsv and sighan15_train.tsv)."""
    files = sorted((data / "csc" / "train").glob("*.tsv")) + [data / "csc" / "sighan15_train.tsv"]
    pairs = [p for path in files if "_test" not in path.name for p in read_pairs(path)
             if len(p[0]) == len(p[1])]
    order = np.random.default_rng(seed).permutation(len(pairs))[:count]
    return [pairs[i] for i in sorted(order)]


def calibrate(backend: ModelBackend, lexicon: Lexicon, confusion: ConfusionSets,
              ngrams: CharNgrams, data: Path,
              log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
              limit: int | None = None) -> tuple[Combiner, dict]:
    """Fit the combiner and choose its thresholds; returns it with a report of the figures.

    limit: at most this many lines or pairs from each source (a quick trial; the shipped
    combiners use everything). Raises ValueError when the data holds no planted typo."""
    vocabulary = backend.vocabulary
    held_out = clean_lines(data, "tune") + clean_lines(data, "bench")
    fit_lines = clean_lines(data, "fit")[:limit] + extra_fit_lines(data, held_out)[:limit]
    fit_edited = planted_and_clean(fit_lines, lexicon, confusion, vocabulary, FIT_SEEDS)
    fit_csc = csc_sample(data, min(CSC_FIT_PAIRS, limit or CSC_FIT_PAIRS), 2)
    log(f"fit: {len(fit_edited)} edited lines ({len(FIT_SEEDS)} variants with a planted typo), "
        f"{len(fit_csc)} training pairs")
    edited = collect(backend, lexicon, confusion, fit_edited, ngrams)
    csc = collect(backend, lexicon, confusion, fit_csc, ngrams)
    features = np.concatenate([edited.features, csc.features])
    labels = np.concatenate([edited.labels, csc.labels])
    weights = np.concatenate([np.ones(len(edited.labels)), np.full(len(csc.labels), CSC_WEIGHT)])
    groups = np.concatenate([position_ids(edited), position_ids(csc, offset=len(fit_edited))])
    if labels.sum() == 0 or labels.sum() == len(labels):
        raise ValueError(f"nothing to fit on in {data}: {int(labels.sum())} of {len(labels)} "
                         "candidate rows are intended characters")
    combiner = fit_combiner(features, labels, weights, groups=groups)
    log(f"fitted on {len(labels)} candidate rows ({int(labels.sum())} intended)"
        + ("" if combiner.decider is not None else
           "; no decider: its rows hold one class only, the ranker decides alone"))

    tune_pairs = planted_and_clean(clean_lines(data, "tune")[:limit], lexicon, confusion,
                                   vocabulary, TUNE_SEEDS)
    tune = decisions(combiner, collect(backend, lexicon, confusion, tune_pairs, ngrams))
    threshold = choose_threshold(tune)
    dev_found = {}
    for path in sorted((data / "csc" / "dev").glob("*.tsv")):
        pairs = [p for p in read_pairs(path) if len(p[0]) == len(p[1])][:limit]
        dev_found[path.stem] = decisions(
            combiner, collect(backend, lexicon, confusion, pairs, ngrams))
    pooled = _pool([tune, *dev_found.values()])
    auto_fix = choose_auto_fix(pooled, threshold)
    combiner = combiner.with_thresholds(threshold, auto_fix)
    report = {
        "threshold": threshold,
        "autoFixThreshold": auto_fix,
        "tune_edited": rates(tune, threshold),
        "tune_edited_auto_fix": rates(tune, auto_fix),
        "dev": {name: rates(found, threshold) for name, found in dev_found.items()},
        "dev_auto_fix": {name: rates(found, auto_fix) for name, found in dev_found.items()},
    }
    log(json.dumps(report, indent=1))
    return combiner, report


def _pool(sets: Sequence[Decisions]) -> Decisions:
    return Decisions(np.concatenate([s.best for s in sets]),
                     np.concatenate([s.right for s in sets]),
                     np.concatenate([s.error for s in sets]),
                     sum(s.total_errors for s in sets), sum(s.chars for s in sets))


def write_combiner(model_dir: Path, combiner: Combiner, report: dict) -> Path:
    """Store the combiner in `model_dir/electra_lsp.json`, keeping the other keys."""
    path = model_dir / "electra_lsp.json"
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    current["combiner"] = combiner.to_json()
    current["combinerReport"] = _rounded(report)
    path.write_text(json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value
