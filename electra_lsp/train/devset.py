"""The held-out dev split, never trained on: char-level detection P/R/F1 on synthetically
corrupted corpus chunks (confusion-set errors only, so it does not depend on the generator) and
on real supervised pairs, plus the generator's accuracy among confusion candidates there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from electra_lsp.train.batches import SpecialIds, pad_rows
from electra_lsp.train.corpus import Chunks, EncodedPair
from electra_lsp.train.corruption import ConfusionTable, CorruptionRates, plan_corruption

_DEV_RATES = CorruptionRates(kinds=(0.8, 0.2, 0.0))
_BATCH = 64


@dataclass
class Detection:
    rows: list[tuple[np.ndarray, np.ndarray]]  # (input ids without specials, 0/1 labels)


def synthetic_detection(chunks: Chunks, table: ConfusionTable, special: SpecialIds,
                        seed: int) -> Detection:
    rng = np.random.default_rng([seed, 7])
    rows = [chunks.get(i) for i in range(len(chunks))]
    detection = Detection([])
    for first in range(0, len(rows), _BATCH):
        ids, real = pad_rows(rows[first:first + _BATCH], special)
        plan = plan_corruption(ids, real, table, rng, special.mask, _DEV_RATES,
                               np.ones(len(ids), dtype=bool))
        for i, row in enumerate(rows[first:first + _BATCH]):
            corrupted = plan.discriminator_input[i, 1:len(row) + 1]
            detection.rows.append((corrupted, (corrupted != row).astype(np.int64)))
    return detection


def pair_detection(pairs: Sequence[EncodedPair]) -> Detection:
    return Detection([(p.source, p.labels) for p in pairs])


@torch.no_grad()
def replaced_probabilities(disc, rows: Sequence[np.ndarray], special: SpecialIds,
                           device: torch.device) -> list[np.ndarray]:
    out = []
    for first in range(0, len(rows), _BATCH):
        part = rows[first:first + _BATCH]
        ids, _ = pad_rows(part, special)
        tensor = torch.from_numpy(ids).to(device)
        logits = disc(input_ids=tensor, attention_mask=(tensor != special.pad).long()).logits
        probabilities = torch.sigmoid(logits.float()).cpu().numpy()
        out.extend(probabilities[i, 1:len(row) + 1] for i, row in enumerate(part))
    return out


def detection_scores(disc, detection: Detection, table: ConfusionTable, special: SpecialIds,
                     device: torch.device, threshold: float = 0.5) -> dict[str, float]:
    """Char-level P/R/F1 over CJK positions."""
    probabilities = replaced_probabilities(disc, [ids for ids, _ in detection.rows], special,
                                           device)
    tp = fp = fn = 0
    for (ids, labels), probs in zip(detection.rows, probabilities, strict=True):
        cjk = table.is_cjk[ids] | (labels == 1)
        flagged = (probs >= threshold) & cjk
        tp += int((flagged & (labels == 1)).sum())
        fp += int((flagged & (labels == 0)).sum())
        fn += int((~flagged & (labels == 1)).sum())
    return prf(tp, fp, fn)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (`evaluate.metrics.Score`), rounded to 4 places."""
    from electra_lsp.evaluate.metrics import Score

    score = Score(correct=tp, predicted=tp + fp, gold=tp + fn)
    return {"precision": round(score.precision, 4), "recall": round(score.recall, 4),
            "f1": round(score.f1, 4)}


@torch.no_grad()
def candidate_accuracy(gen, pairs: Sequence[EncodedPair], vocab: list[str], special: SpecialIds,
                       device: torch.device) -> dict[str, float]:
    """Mask each real error in its (still misspelt) source sentence, as the checker does; is the
    generator's best among the written character's sound/shape neighbours the right one?"""
    from electra_lsp.engine.confusion import load_confusion
    from electra_lsp.train.objective import masked_logits

    index = {token: i for i, token in enumerate(vocab)}
    sets = load_confusion(frozenset(t for t in vocab if len(t) == 1))
    queries = [(p.source, int(i), int(p.target[i])) for p in pairs
               for i in np.flatnonzero(p.labels)]
    covered = correct = top1 = 0
    for first in range(0, len(queries), _BATCH):
        part = queries[first:first + _BATCH]
        ids, _ = pad_rows([q[0] for q in part], special)
        masked = np.zeros(ids.shape, dtype=bool)
        masked[np.arange(len(part)), [q[1] + 1 for q in part]] = True
        ids[masked] = special.mask
        tensor = torch.from_numpy(ids).to(device)
        logits = masked_logits(gen, tensor, (tensor != special.pad).long(),
                               torch.from_numpy(masked).to(device)).float().cpu().numpy()
        for (source, position, target), row in zip(part, logits, strict=True):
            top1 += int(row.argmax() == target)
            written = vocab[int(source[position])]
            candidates = [index[c] for c in sets.similar(written) if c in index]
            if target not in candidates:
                continue
            covered += 1
            correct += int(candidates[int(np.argmax(row[candidates]))] == target)
    total = max(len(queries), 1)
    return {"errors": len(queries), "target_in_confusion": round(covered / total, 4),
            "accuracy_among_candidates": round(correct / max(covered, 1), 4),
            "top1_accuracy": round(top1 / total, 4)}
