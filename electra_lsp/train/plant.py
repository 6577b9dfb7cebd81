"""Plant realistic typos into clean lines: what a native writer with a pinyin input method
gets wrong (已经 → 以经, 安装 → 按装), plus a share of near-sound and shape slips.

One typo per line: a character of a common word (a word of 2+ Chinese characters in the line's
best segmentation, at least `min_count` in the lexicon) is replaced by
- with probability `shares[0]`: a character with the same pinyin, any tone (input methods
  ignore tones);
- `shares[1]`: a near-sound character (fuzzy initials/finals: zh/z, n/l, -ing/-in ...);
- `shares[2]`: a similar-looking character.
The replacement is drawn in proportion to its frequency: an input method lists common
characters first, so those are what a slip picks. Lines with no usable word are returned
unchanged (a negative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from electra_lsp.engine.charclass import is_cjk
from electra_lsp.engine.confusion import ConfusionSets
from electra_lsp.engine.lexicon import Lexicon

SAME_PINYIN = ("same_tone", "other_tone", "sound_and_shape")
NEAR_SOUND = ("fuzzy_sound",)
SHAPE = ("shape", "sound_and_shape")
DEFAULT_SHARES = (0.8, 0.1, 0.1)


def plant_typos(lines: Sequence[str], lexicon: Lexicon, confusion: ConfusionSets,
                vocabulary: frozenset[str], seed: int, min_count: int = 100,
                shares: tuple[float, float, float] = DEFAULT_SHARES) -> list[tuple[str, str]]:
    """(source with one typo, clean target) for each line; seeded, deterministic."""
    rng = np.random.default_rng(seed)
    pairs = []
    for line in lines:
        planted = _plant(line, lexicon, confusion, vocabulary, rng, min_count, shares)
        pairs.append((planted or line, line))
    return pairs


def _plant(line: str, lexicon: Lexicon, confusion: ConfusionSets, vocabulary: frozenset[str],
           rng: np.random.Generator, min_count: int,
           shares: tuple[float, float, float]) -> str | None:
    _, spans = lexicon.best_segmentation(line)
    words = [(low, high) for low, high in spans
             if high - low >= 2 and all(is_cjk(c) for c in line[low:high])
             and lexicon.count(line[low:high]) >= min_count]
    if not words:
        return None
    group = (SAME_PINYIN, NEAR_SOUND, SHAPE)[rng.choice(3, p=np.asarray(shares) / sum(shares))]
    for _ in range(4):  # a few tries: some characters have no similar one of the group
        low, high = words[rng.integers(len(words))]
        position = int(rng.integers(low, high))
        written = line[position]
        options = sorted(c for c, kind in confusion.similar_kinds(written).items()
                         if kind in group and c in vocabulary and c != written)
        if not options:
            continue
        weights = np.array([math.exp(lexicon.char_logp(c)) for c in options])
        choice = options[rng.choice(len(options), p=weights / weights.sum())]
        return line[:position] + choice + line[position + 1:]
    return None
