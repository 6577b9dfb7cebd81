"""Choose a model's detection threshold and min ratio on a dev split (never a test set), by
running the real Checker and the eval scorer over a grid. The models answer each distinct
sentence and masked query once (memoised), so the grid costs little more than one pass.

    electra-lsp tune thresholds MODEL_DIR DEV.tsv [--clean LINES.txt] [--clean-data DATA]
        [--write precise]

The clean text should be what users write: `--clean-data` takes the edited lines the fused
decision's threshold is chosen on (a rule chosen on news lines alone raised seven times its
budget on edited prose).

MODEL_DIR holds discriminator/ and generator/; --write balanced|precise saves that choice as
MODEL_DIR/electra_lsp.json, the model's recommended settings that the loader reads.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from electra_lsp.engine.backend import MaskAnswer, MaskQuery, ModelBackend

# Low thresholds pair with high ratios: a weak detector score plus a generator that strongly
# prefers a similar character can still be a precise finding.
THRESHOLDS = (0.02, 0.03, *(round(0.05 * i, 2) for i in range(1, 20)))
MIN_RATIOS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
PRECISION_TARGET = 0.8
ALARM_BUDGET = 1.0  # findings per 1000 characters of clean edited text


class MemoBackend:
    """A backend wrapper answering repeated sentences and queries from memory."""

    def __init__(self, inner: ModelBackend) -> None:
        self.inner = inner
        self._scores: dict[str, list[float]] = {}
        self._answers: dict[MaskQuery, MaskAnswer] = {}

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def vocabulary(self) -> frozenset[str]:
        return self.inner.vocabulary

    @property
    def recommended(self) -> dict:
        return {}

    def replaced_probabilities(self, sentences: Sequence[str]) -> list[list[float]]:
        missing = [s for s in dict.fromkeys(sentences) if s not in self._scores]
        if missing:
            self._scores.update(zip(missing, self.inner.replaced_probabilities(missing),
                                    strict=True))
        return [self._scores[s] for s in sentences]

    def masked_probabilities(self, queries: Sequence[MaskQuery]) -> list[MaskAnswer]:
        missing = [q for q in dict.fromkeys(queries) if q not in self._answers]
        if missing:
            self._answers.update(zip(missing, self.inner.masked_probabilities(missing),
                                     strict=True))
        return [self._answers[q] for q in queries]


@dataclass(frozen=True)
class Point:
    threshold: float
    min_ratio: float
    metrics: dict
    false_alarms: float | None = None  # findings per 1000 characters of clean text

    def figure(self, level: str, kind: str, name: str) -> float:
        return float(self.metrics[f"{level}_{kind}"][name])

    def summary(self) -> dict:
        def scores(key: str) -> dict:
            return {k: round(float(self.metrics[key][k]), 4) for k in ("precision", "recall", "f1")}

        return {"threshold": self.threshold, "minRatio": self.min_ratio,
                "sentence_correction": scores("sentence_correction"),
                "sentence_detection": scores("sentence_detection"),
                "char_detection": scores("char_detection"),
                "char_correction": scores("char_correction"),
                "false_positive_rate": round(float(self.metrics["false_positive_rate"]), 4),
                "clean_text_findings_per_1000_chars": self.false_alarms}


def sweep(model_dir: Path, pairs: Sequence[tuple[str, str]],
          clean: Sequence[str] = ()) -> list[Point]:
    from electra_lsp.checker import load_checker
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.evaluate.runner import evaluate
    from electra_lsp.settings import Settings

    base = Settings(discriminator=str(model_dir / "discriminator"),
                    generator=str(model_dir / "generator"))
    backend = MemoBackend(load_backend(base))
    checker = load_checker(base, backend=backend, use_combiner=False)  # the models-only rule
    points = []
    # High thresholds first would leave most queries unasked; low first fills the memo once.
    for threshold in THRESHOLDS:
        for min_ratio in MIN_RATIOS:
            checker.update_settings(base.replace({"threshold": threshold, "minRatio": min_ratio}))
            report = evaluate(checker, pairs, progress=False)
            alarms = None
            if clean:
                found = sum(len(checker.check(line, "plaintext")) for line in clean)
                alarms = round(1000 * found / sum(len(line) for line in clean), 3)
            points.append(Point(threshold, min_ratio, report.to_json(), alarms))
    return points


def choose(points: Sequence[Point]) -> tuple[Point, Point]:
    """Balanced: the best mean of char-level detection F1 and correction F1 (a finding should
    point at the misspelt character and offer the right fix; char-level figures are steadier
    than sentence-level ones on a 300-pair dev split), ties to the higher threshold.

    Precise, for editors, where almost all text is correct: with clean text measured, the best
    recall at no more than ALARM_BUDGET findings per 1000 clean characters; else the best
    recall at char-level detection precision >= PRECISION_TARGET; else the best F0.5."""
    balanced = max(points, key=lambda p: (p.figure("char", "detection", "f1")
                                          + p.figure("char", "correction", "f1"), p.threshold))
    quiet = [p for p in points if p.false_alarms is not None and p.false_alarms <= ALARM_BUDGET]
    precise_enough = quiet or [p for p in points
                               if p.figure("char", "detection", "precision") >= PRECISION_TARGET]
    precise_enough = [p for p in precise_enough if p.figure("char", "detection", "recall") > 0]
    if precise_enough:
        return balanced, max(precise_enough, key=lambda p: (
            p.figure("char", "detection", "recall"), p.figure("char", "detection", "precision")))

    def f_half(p: Point) -> float:
        precision = p.figure("char", "detection", "precision")
        recall = p.figure("char", "detection", "recall")
        return 1.25 * precision * recall / (0.25 * precision + recall) if recall else 0.0

    return balanced, max(points, key=lambda p: (f_half(p), p.threshold))


def run(args: argparse.Namespace) -> int:
    """`electra-lsp tune thresholds` (arguments: commands/tune.py)."""
    if "test" in args.dev.name:
        print(f"refusing to tune on {args.dev}: thresholds are chosen on a dev split",
              file=sys.stderr)
        return 2
    from electra_lsp.evaluate.runner import read_pairs

    clean = []
    if args.clean:
        clean = [line for line in args.clean.read_text(encoding="utf-8").splitlines() if line]
    if args.clean_data:
        from electra_lsp.commands.common import fail
        from electra_lsp.train.calibrate import clean_lines

        try:
            clean += clean_lines(args.clean_data, "tune")
        except FileNotFoundError as error:
            return fail(str(error))
    points = sweep(args.model_dir, read_pairs(args.dev), clean)
    balanced, precise = choose(points)
    print(json.dumps({"dev": str(args.dev), "balanced": balanced.summary(),
                      "precise": precise.summary(),
                      "grid": [p.summary() for p in points]}, indent=2))
    if args.write:
        chosen = balanced if args.write == "balanced" else precise
        # The pair's other settings (its fused decision's "combiner") stay as they are.
        path = args.model_dir / "electra_lsp.json"
        stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        stored.update({"threshold": chosen.threshold, "minRatio": chosen.min_ratio})
        path.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":  # the same as `electra-lsp tune thresholds`
    from electra_lsp.cli import main

    raise SystemExit(main(["tune", "thresholds", *sys.argv[1:]]))
