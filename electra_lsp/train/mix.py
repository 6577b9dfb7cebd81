"""The supervised training mix: one `source<TAB>target` file drawn from the shared CSC data
(`csc/train/*.tsv`, `csc/sighan15_train.tsv`, negatives from `csc/clean/rmrb1998.txt`), with
caps so that no one-type or synthetic set dominates the real errors.

Why caps: the 的/地/得 set (5,521 rows, one error type) would teach the discriminator that
those three characters are suspicious everywhere; the synthetic sets (15,000 rows) are more
than all real sets together. Real learner/domain errors are all kept.

Why halves: the synthetic sets' clean targets also serve `tune calibrate` as fitting lines
(train/calibrate.py `extra_fit_lines`). A discriminator trained on a sentence is over-confident
on it, which would bias the combiner's fit, so a stable hash splits every synthetic set into a
training half (used here) and a fitting half (used there); `is_training_half` is that rule.

`csc/clean/xxqg.txt` is never used for training: calibration chooses thresholds and the
quality benchmark measures false alarms on it. `*_test*` files are never read.

    python -m electra_lsp.train.mix --data ../shared/data --output runs/pairs_mix.tsv
"""

from __future__ import annotations

import argparse
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from electra_lsp.evaluate.runner import read_pairs


@dataclass(frozen=True)
class Source:
    path: str  # relative to the shared data directory
    cap: int | None = None  # at most this many rows (seeded sample); None: all
    synthetic: bool = False  # only the training half (is_training_half) is used


# Rows kept per source; see the module docstring for the reasons.
RECIPE: tuple[Source, ...] = (
    Source("csc/sighan15_train.tsv"),
    Source("csc/train/sighan13_train.tsv"),
    Source("csc/train/sighan14_train.tsv"),
    Source("csc/train/ecspell_med_train.tsv"),
    Source("csc/train/ecspell_odw_train.tsv"),
    Source("csc/train/synthetic_xxqg_train.tsv", synthetic=True),
    Source("csc/train/synthetic_passage_train.tsv", synthetic=True),
    Source("csc/train/synthetic_de_train.tsv", cap=1000),
)
NEGATIVES = Source("csc/clean/rmrb1998.txt", cap=1500)
SEED = 20261130


def is_training_half(target: str) -> bool:
    """Whether a synthetic pair (by its clean target) belongs to the training half; the other
    half is kept for fitting the fused decision. Stable across runs and machines (CRC-32)."""
    return zlib.crc32(target.encode("utf-8")) % 2 == 0


def build_mix(data: Path, recipe: tuple[Source, ...] = RECIPE,
              negatives: Source | None = NEGATIVES, seed: int = SEED
              ) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The mixed pairs (shuffled, seeded) and the rows taken from each source.

    Raises FileNotFoundError naming a missing file (via read_pairs' error for TSVs)."""
    rng = np.random.default_rng(seed)
    mix: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    for source in recipe:
        path = data / source.path
        if "_test" in path.name:
            raise ValueError(f"{path}: test files are for reporting only")
        rows = [(s, t) for s, t in read_pairs(path) if len(s) == len(t)]
        if source.synthetic:
            rows = [(s, t) for s, t in rows if is_training_half(t)]
        rows = _capped(rows, source.cap, rng)
        counts[source.path] = len(rows)
        mix.extend(rows)
    if negatives is not None:
        path = data / negatives.path
        try:
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        except OSError as error:
            raise FileNotFoundError(f"cannot read {path}: {error}") from None
        rows = _capped([(line, line) for line in lines if line], negatives.cap, rng)
        counts[negatives.path] = len(rows)
        mix.extend(rows)
    order = rng.permutation(len(mix))
    return [mix[i] for i in order], counts


def _capped(rows: list, cap: int | None, rng: np.random.Generator) -> list:
    if cap is None or len(rows) <= cap:
        return rows
    return [rows[i] for i in sorted(rng.choice(len(rows), cap, replace=False))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--output", type=Path, required=True, metavar="FILE.tsv")
    args = parser.parse_args(argv)
    try:
        mix, counts = build_mix(args.data)
    except (OSError, ValueError) as error:
        print(f"mix: {error}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("".join(f"{s}\t{t}\n" for s, t in mix), encoding="utf-8")
    for name, count in counts.items():
        print(f"{count:6d}  {name}", file=sys.stderr)
    errors = sum(s != t for s, t in mix)
    print(f"{len(mix)} pairs ({errors} with errors) written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
