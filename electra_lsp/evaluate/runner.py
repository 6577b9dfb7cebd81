"""Run a checker over CSC sentence pairs and score its corrections.

The checker is anything with `check_sentences(list[str]) -> list[list[Finding]]` (offsets
relative to each sentence), normally `electra_lsp.checker.Checker`. A sentence's prediction is
the source with every finding replaced by its best suggestion; findings without a suggestion
change nothing, so they count neither as detections nor as corrections.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from electra_lsp.evaluate.metrics import Metrics, compute_metrics
from electra_lsp.findings import Finding, apply_findings


class EvalInputError(ValueError):
    """The evaluation data cannot be read; the message names the file (and line)."""


class SentenceChecker(Protocol):
    """What `evaluate` needs of a checker."""

    def check_sentences(self, sentences: Sequence[str]) -> list[list[Finding]]:
        """Findings per sentence, offsets relative to each sentence."""


@dataclass(frozen=True)
class EvalReport:
    """What `evaluate` measured: the metrics, seconds spent in the checker, the predictions."""

    metrics: Metrics
    seconds: float  # wall time spent in the checker
    model: str = ""
    predictions: tuple[str, ...] = ()

    @property
    def sentences_per_second(self) -> float:
        """Sentences checked per second of checker time."""
        count = len(self.predictions)
        return count / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict:
        """The report as `eval --json` prints it."""
        return {
            "model": self.model,
            **self.metrics.to_json(),
            "seconds": self.seconds,
            "sentences_per_second": self.sentences_per_second,
        }


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """`source<TAB>target` lines of a UTF-8 file (a leading BOM is allowed); blank lines skipped."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise EvalInputError(f"cannot read {path}: {error.strerror or error}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    pairs = []
    # Decode line by line so an encoding error can name its line.
    for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
        try:
            line = line_bytes.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as error:
            raise EvalInputError(
                f"{path}:{number}: not valid UTF-8 (byte {error.start + 1} of the line)"
            ) from None
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise EvalInputError(
                f"{path}:{number}: expected source<TAB>target, found {len(fields)} "
                f"tab-separated field{'s' if len(fields) != 1 else ''}"
            )
        pairs.append((fields[0], fields[1]))
    return pairs


def evaluate(checker: SentenceChecker, pairs: Sequence[tuple[str, str]], batch_size: int = 32,
             progress: bool = True, model: str = "") -> EvalReport:
    """Check every source, apply the best suggestions and score them against the targets.

    The progress bar goes to stderr and only when it is a terminal and `progress` is true.
    """
    from tqdm import tqdm

    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    sources = [source for source, _ in pairs]
    predictions: list[str] = []
    show = progress and sys.stderr.isatty()
    elapsed = 0.0
    with tqdm(total=len(sources), unit="sent", desc="eval", file=sys.stderr,
              disable=not show) as bar:
        for start in range(0, len(sources), batch_size):
            batch = sources[start:start + batch_size]
            began = time.perf_counter()
            found = checker.check_sentences(batch)
            elapsed += time.perf_counter() - began
            if len(found) != len(batch):
                raise ValueError(f"checker answered {len(found)} results for {len(batch)} "
                                 "sentences")
            predictions.extend(apply_findings(s, f) for s, f in zip(batch, found, strict=True))
            bar.update(len(batch))
    triples = [(s, t, p) for (s, t), p in zip(pairs, predictions, strict=True)]
    return EvalReport(compute_metrics(triples), elapsed, model, tuple(predictions))
