"""Spelling-realistic corruption for the discriminator, and the generator's MLM masking.

Real text has 0-3 misspelt characters per sentence, most of them homophones, some look-alikes.
So a share of sentences stays clean, a corrupted one gets 1 + Binomial(n-1, extra_rate) errors,
and each error is a similar-sound character (most), a similar-shape one, or a generator sample
(the ELECTRA replacement, which teaches context plausibility). Candidates are weighted by corpus
frequency (writers slip into common characters) and same-reading homophones beat fuzzy ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOUND, SHAPE, GENERATOR = 0, 1, 2


@dataclass(frozen=True)
class CorruptionRates:
    clean: float = 0.25  # share of sentences left untouched
    extra: float = 0.03  # chance that each further character is also misspelt
    kinds: tuple[float, float, float] = (0.6, 0.15, 0.25)  # sound, shape, generator
    mask: float = 0.15  # generator MLM masking rate over real tokens


class ConfusionTable:
    """For each vocabulary id: similar-sound and similar-shape candidate ids with weights."""

    def __init__(self, vocab: list[str], frequency: np.ndarray) -> None:
        from electra_lsp.engine.charclass import is_cjk
        from electra_lsp.engine.confusion import load_confusion, readings

        index = {token: i for i, token in enumerate(vocab)}
        chars = [t for t in vocab if len(t) == 1 and is_cjk(t)]
        sets = load_confusion(frozenset(chars))
        reading = {c: set(readings(c)) for c in chars}
        prior = np.sqrt(frequency.astype(np.float64) + 1.0)
        self.is_cjk = np.zeros(len(vocab), dtype=bool)
        self.sound: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.shape: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for char in chars:
            i = index[char]
            self.is_cjk[i] = True
            sound = sorted(index[c] for c in sets.similar_sound(char) if c in index)
            if sound:
                same = np.array([bool(reading[vocab[j]] & reading[char]) for j in sound])
                self.sound[i] = _cumulative(sound, prior[sound] * np.where(same, 3.0, 1.0))
            shape = sorted(index[c] for c in sets.similar_shape(char) if c in index)
            if shape:
                self.shape[i] = _cumulative(shape, prior[shape])

    def sample(self, rng: np.random.Generator, token: int, kind: int) -> int | None:
        """A replacement for `token` of the given kind, or None when it has no such neighbour."""
        table = self.sound if kind == SOUND else self.shape
        entry = table.get(token)
        if entry is None:
            return None
        ids, cumulative = entry
        return int(ids[np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right")])


def _cumulative(ids: list[int], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(ids, dtype=np.int64), np.cumsum(weights)


@dataclass
class Plan:
    """One batch's corruption: what the generator sees and what the discriminator will see."""

    generator_input: np.ndarray  # original ids with [MASK] at masked positions
    masked: np.ndarray  # bool: generator predicts here
    discriminator_input: np.ndarray  # ids with confusion replacements already applied
    sample_here: np.ndarray  # bool: take the generator's sample here


def plan_corruption(
    ids: np.ndarray,
    real: np.ndarray,
    table: ConfusionTable,
    rng: np.random.Generator,
    mask_id: int,
    rates: CorruptionRates,
    corrupt_rows: np.ndarray,
) -> Plan:
    """Corrupt rows where `corrupt_rows` is True (supervised rows keep their real errors)."""
    discriminator_input = ids.copy()
    sample_here = np.zeros_like(real)
    eligible = table.is_cjk[ids] & real
    kind_choices = np.asarray(rates.kinds) / sum(rates.kinds)
    for row in np.flatnonzero(corrupt_rows):
        positions = np.flatnonzero(eligible[row])
        if len(positions) == 0 or rng.random() < rates.clean:
            continue
        count = 1 + rng.binomial(len(positions) - 1, rates.extra)
        for position in rng.choice(positions, size=count, replace=False):
            kind = int(rng.choice(3, p=kind_choices))
            replacement = None
            for fallback in (kind, SOUND, SHAPE) if kind != GENERATOR else ():
                replacement = table.sample(rng, int(ids[row, position]), fallback)
                if replacement is not None:
                    break
            if replacement is None:
                sample_here[row, position] = True
            else:
                discriminator_input[row, position] = replacement
    masked = ((rng.random(ids.shape) < rates.mask) & real) | sample_here
    generator_input = np.where(masked, mask_id, ids)
    return Plan(generator_input, masked, discriminator_input, sample_here)
