"""Estimate how likely each kind of similar character is to be what a writer meant, from real
error pairs (never a test set), and write `similarity_weights.json` for the confusion sets.

    electra-lsp tune similarity-weights PAIRS.tsv [--exclude DEV.tsv] \\
        [--vocab VOCAB.txt] [--output data/confusion/similarity_weights.json]

For each misspelt character w whose correction c is among its similar characters, count the
kind of (w, c) and the kinds of all of w's candidates. A kind's weight is (corrections of that
kind + 1) / (candidates of that kind + 1): how often one candidate of the kind is the right one.
Weights are scaled so an exact homophone (same_tone, the commonest real error) weighs 1, which
keeps minRatio's meaning when a rarer kind turns out likelier. The checker multiplies the
generator's probability of a candidate by its kind's weight (a noisy-channel prior).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from electra_lsp.engine.charclass import is_cjk
from electra_lsp.engine.confusion import KINDS, WEIGHTS_FILE, ConfusionSets, load_confusion


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """The aligned (same-length) pairs of a `source<TAB>target` file (see `evaluate.runner`)."""
    from electra_lsp.evaluate.runner import read_pairs

    return [(source, target) for source, target in read_pairs(path)
            if len(source) == len(target)]


def misspellings(pairs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(written, meant) for every substituted Chinese character."""
    for source, target in pairs:
        for written, meant in zip(source, target, strict=True):
            if written != meant and is_cjk(written) and is_cjk(meant):
                yield written, meant


def estimate(pairs: Iterable[tuple[str, str]], sets: ConfusionSets, universe: frozenset[str]
             ) -> dict:
    corrections: Counter[str] = Counter()
    candidates: Counter[str] = Counter()
    unreachable = 0
    for written, meant in misspellings(pairs):
        similar = sets.similar(written) & universe
        if meant not in similar:
            unreachable += 1  # the confusion sets cannot propose it: no evidence either way
            continue
        corrections[sets.kind(written, meant) or ""] += 1
        candidates.update(sets.kind(written, other) or "" for other in similar)
    raw = {kind: (corrections[kind] + 1) / (candidates[kind] + 1) for kind in KINDS}
    unit = raw["same_tone"]
    return {"weights": {kind: round(value / unit, 4) for kind, value in raw.items()},
            "corrections": {kind: corrections[kind] for kind in KINDS},
            "candidates": {kind: candidates[kind] for kind in KINDS},
            "unreachable": unreachable}


def run(args: argparse.Namespace) -> int:
    """`electra-lsp tune similarity-weights` (arguments: commands/tune.py)."""
    from electra_lsp.paths import data_dir, default_model_dir
    from electra_lsp.train.vocab import read_vocab

    if "test" in args.pairs.name:
        print(f"refusing to estimate on {args.pairs}: use training pairs", file=sys.stderr)
        return 2
    vocab_file = args.vocab or default_model_dir() / "discriminator" / "vocab.txt"
    universe = frozenset(t for t in read_vocab(vocab_file) if len(t) == 1 and is_cjk(t))
    excluded = {source for path in args.exclude for source, _ in read_pairs(path)}
    pairs = [p for p in read_pairs(args.pairs) if p[0] not in excluded]
    sets = load_confusion(universe)
    report = estimate(pairs, sets, universe)
    report["source"] = {"pairs": args.pairs.name, "used": len(pairs),
                        "excluded": [p.name for p in args.exclude]}
    output = args.output or data_dir() / "confusion" / WEIGHTS_FILE
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # the same as `electra-lsp tune similarity-weights`
    from electra_lsp.cli import main

    raise SystemExit(main(["tune", "similarity-weights", *sys.argv[1:]]))
