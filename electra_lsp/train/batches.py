"""Assemble one training batch: corpus chunks (synthetically corrupted) plus supervised pairs
(their real errors), padded, with the generator's masks and the discriminator's input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from electra_lsp.train.corpus import Chunks, EncodedPair
from electra_lsp.train.corruption import ConfusionTable, CorruptionRates, Plan, plan_corruption


@dataclass(frozen=True)
class SpecialIds:
    pad: int
    cls: int
    sep: int
    mask: int

    @classmethod
    def of(cls, tokenizer) -> SpecialIds:
        return cls(tokenizer.pad_token_id, tokenizer.cls_token_id, tokenizer.sep_token_id,
                   tokenizer.mask_token_id)


@dataclass
class Batch:
    original: np.ndarray  # correct ids with [CLS] ... [SEP] [PAD]...
    attention: np.ndarray  # 1 for [CLS], text and [SEP]
    real: np.ndarray  # bool: text tokens (where losses and metrics count)
    plan: Plan


def pad_rows(rows: Sequence[np.ndarray], special: SpecialIds) -> tuple[np.ndarray, np.ndarray]:
    """[CLS] row [SEP] padded to the longest row, rounded up to a multiple of 16 (few distinct
    shapes: oneDNN compiles kernels per shape); returns (ids, real-token mask)."""
    width = -(-(max(len(row) for row in rows) + 2) // 16) * 16
    ids = np.full((len(rows), width), special.pad, dtype=np.int64)
    real = np.zeros((len(rows), width), dtype=bool)
    for i, row in enumerate(rows):
        ids[i, 0] = special.cls
        ids[i, 1:len(row) + 1] = row
        ids[i, len(row) + 1] = special.sep
        real[i, 1:len(row) + 1] = True
    return ids, real


def make_batch(
    rng: np.random.Generator,
    chunks: Chunks,
    pairs: Sequence[EncodedPair],
    size: int,
    pair_share: float,
    table: ConfusionTable,
    special: SpecialIds,
    rates: CorruptionRates,
) -> Batch:
    pair_rows = min(size, round(size * pair_share)) if pairs else 0
    chosen_pairs = [pairs[i] for i in rng.integers(0, len(pairs), pair_rows)] if pair_rows else []
    chosen_chunks = [chunks.get(int(i))
                     for i in chunks.sample_similar_lengths(rng, size - pair_rows)]
    original, real = pad_rows([p.target for p in chosen_pairs] + chosen_chunks, special)
    synthetic = np.arange(len(original)) >= pair_rows
    plan = plan_corruption(original, real, table, rng, special.mask, rates, synthetic)
    if pair_rows:
        sources, _ = pad_rows([p.source for p in chosen_pairs], special)
        plan.discriminator_input[:pair_rows, :sources.shape[1]] = sources
        # The generator learns exactly the contexts where people misspell.
        errors = np.zeros_like(plan.masked)
        errors[:pair_rows, :sources.shape[1]] = sources != original[:pair_rows, :sources.shape[1]]
        plan.masked |= errors
        plan.generator_input[errors] = special.mask
    attention = (original != special.pad).astype(np.int64)
    return Batch(original, attention, real, plan)
