"""`python -m bench.dev_detection PAIR_DIR [PAIR_DIR ...]`: each pair's discriminator alone
on every dev set (csc/dev/*.tsv), side by side in one run, at an equal alarm budget.

For each pair and dev set the threshold is the lowest at which the discriminator flags at most
1 correct Chinese character per 1,000 correct Chinese characters of that set (the alarm budget
of issue 12); at that threshold it reports char-level detection precision, recall and F1 over
Chinese positions. Models are scored in float32 with torch, one batch of 64 sentences at a time.
A PAIR_DIR holds `discriminator/` (with vocab.txt); the first pair is the baseline of the
ratio column. Needs ../shared/data (or --data).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

BUDGET = 1e-3  # false alarms per correct Chinese character


def score_set(model, tokenizer, pairs: list[tuple[str, str]], body: int = 510
              ) -> tuple[np.ndarray, np.ndarray]:
    """Replaced-probabilities and 0/1 labels of every Chinese position of the sources, flat.

    Pairs whose two sides tokenise to different lengths are skipped (as in training)."""
    from electra_lsp.engine.charclass import is_cjk
    from electra_lsp.train.batches import SpecialIds
    from electra_lsp.train.corpus import encode_pairs
    from electra_lsp.train.devset import replaced_probabilities

    body = min(body, model.config.max_position_embeddings - 2)
    encoded = encode_pairs(pairs, tokenizer, body)
    vocab = tokenizer.convert_ids_to_tokens(list(range(tokenizer.vocab_size)))
    cjk = np.array([len(t) == 1 and is_cjk(t) for t in vocab])
    probs = replaced_probabilities(model, [p.source for p in encoded], SpecialIds.of(tokenizer),
                                   next(model.parameters()).device)
    scores, labels = [], []
    for pair, row in zip(encoded, probs, strict=True):
        keep = cjk[pair.source] | (pair.labels == 1)
        scores.append(row[keep])
        labels.append(pair.labels[keep])
    return np.concatenate(scores), np.concatenate(labels)


def at_budget(scores: np.ndarray, labels: np.ndarray, budget: float = BUDGET) -> dict:
    """P/R/F1 at the lowest threshold with false alarms <= budget x correct characters."""
    negatives = np.sort(scores[labels == 0])[::-1]
    allowed = int(budget * len(negatives))
    # Flag strictly above the (allowed+1)-th highest negative score.
    threshold = float(negatives[allowed]) if allowed < len(negatives) else 0.0
    flagged = scores > threshold
    tp = int((flagged & (labels == 1)).sum())
    fp = int((flagged & (labels == 0)).sum())
    fn = int((~flagged & (labels == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": threshold, "precision": precision, "recall": recall, "f1": f1,
            "false_alarms": fp, "correct_chars": len(negatives)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dev_detection", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pairs", type=Path, nargs="+", metavar="PAIR_DIR")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args(argv)
    dev_files = sorted((args.data / "csc" / "dev").glob("*.tsv"))
    if not dev_files:
        print(f"bench.dev_detection: no dev sets in {args.data}/csc/dev; pass --data",
              file=sys.stderr)
        return 2

    import torch
    from transformers import ElectraForPreTraining

    from electra_lsp.evaluate.runner import read_pairs
    from electra_lsp.train.vocab import make_tokenizer

    torch.set_grad_enabled(False)
    results: dict[str, list[dict]] = {}
    for pair in args.pairs:
        directory = pair / "discriminator"
        if not (directory / "vocab.txt").is_file():
            print(f"bench.dev_detection: no discriminator with vocab.txt in {pair}",
                  file=sys.stderr)
            return 2
        model = ElectraForPreTraining.from_pretrained(directory, dtype=torch.float32).eval()
        tokenizer = make_tokenizer(directory / "vocab.txt")
        results[str(pair)] = [at_budget(*score_set(model, tokenizer, read_pairs(path)))
                              for path in dev_files]

    names = list(results)
    header = ["dev set", *(f"{name}: P / R / F1 (thr)" for name in names)]
    if len(names) > 1:
        header += [f"F1 ratio {i + 1}:1" for i in range(1, len(names))]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for index, path in enumerate(dev_files):
        cells = [path.stem]
        for name in names:
            r = results[name][index]
            cells.append(f"{r['precision']:.3f} / {r['recall']:.3f} / {r['f1']:.3f} "
                         f"({r['threshold']:.3f})")
        base = results[names[0]][index]["f1"]
        for name in names[1:]:
            f1 = results[name][index]["f1"]
            cells.append(f"{f1 / base:.2f}×" if base else "n/a")
        print("| " + " | ".join(cells) + " |")
    print(f"alarm budget: ≤ {BUDGET * 1000:.0f} flagged correct character per 1,000 correct "
          "Chinese characters of each set", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
