"""Character bigram and trigram counts of edited Chinese text: how often a context was seen.

Where the lexicon knows words, these counts know contexts: 配置文件 and 配制文件 are both made
of known words, but "置文件" is common in edited text and "制文件" is not. The evidence
(evidence.py) compares the counts of the n-grams covering a position as written and with a
candidate.

Storage (`data/ngrams/char_ngrams.npz`, numpy arrays only, loaded without pickle): sorted uint64
keys (code points packed 21 bits each) and uint16 counts (capped at 65,535) for bigrams and
trigrams seen at least `MIN_COUNT` times. Built by `python -m electra_lsp.train.ngrams` from the
shared corpus (see data/ngrams/NOTICE.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from electra_lsp.paths import data_dir

NGRAMS_FILE = "char_ngrams.npz"
MIN_COUNT = 2
_BITS = np.uint64(21)


class NgramError(OSError):
    """The n-gram file is missing or unreadable; the message names it."""


def pack(codes: np.ndarray) -> np.ndarray:
    """(rows, n) code points → (rows,) uint64 keys (n ≤ 3)."""
    keys = np.zeros(codes.shape[0], dtype=np.uint64)
    for column in range(codes.shape[1]):
        keys = (keys << _BITS) | codes[:, column].astype(np.uint64)
    return keys


@dataclass
class CharNgrams:
    """Counts of character bigrams and trigrams; `count` looks many up at once."""

    bigram_keys: np.ndarray  # sorted uint64
    bigram_counts: np.ndarray  # uint16
    trigram_keys: np.ndarray
    trigram_counts: np.ndarray
    load_seconds: float = 0.0

    def count(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts),) counts of 2- or 3-character strings (0 when unseen); all one length."""
        if not texts:
            return np.zeros(0, dtype=np.int64)
        width = len(texts[0])
        if any(len(text) != width for text in texts):
            raise ValueError("count() takes strings of one length")
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.uint64).reshape(len(texts), width)
        keys_sorted, counts = ((self.bigram_keys, self.bigram_counts) if codes.shape[1] == 2
                               else (self.trigram_keys, self.trigram_counts))
        keys = pack(codes)
        at = np.searchsorted(keys_sorted, keys)
        at[at >= len(keys_sorted)] = 0
        found = keys_sorted[at] == keys if len(keys_sorted) else np.zeros(len(keys), bool)
        return np.where(found, counts[at] if len(counts) else 0, 0).astype(np.int64)

    def save(self, path: Path) -> None:
        """Write the counts to `path` (a .npz file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, bigram_keys=self.bigram_keys,
                            bigram_counts=self.bigram_counts, trigram_keys=self.trigram_keys,
                            trigram_counts=self.trigram_counts)


def count_ngrams(lines: Sequence[str], min_count: int = MIN_COUNT) -> CharNgrams:
    """Bigram and trigram counts within each line (n-grams never cross a line break)."""
    tables = []
    for n in (2, 3):
        keys = []
        for start in range(0, len(lines), 20000):
            text = "\n".join(lines[start:start + 20000]) + "\n"
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            breaks = codes == 10
            grams = np.stack([codes[i:len(codes) - n + 1 + i] for i in range(n)], axis=1)
            inside = ~np.any(np.stack([breaks[i:len(codes) - n + 1 + i] for i in range(n)],
                                      axis=1), axis=1)
            keys.append(pack(grams[inside]))
        unique, counts = np.unique(np.concatenate(keys), return_counts=True)
        kept = counts >= min_count
        tables += [unique[kept], np.minimum(counts[kept], 65535).astype(np.uint16)]
    return CharNgrams(*tables)


def load_ngrams(path: Path | None = None) -> CharNgrams:
    """The shipped counts (default data/ngrams/char_ngrams.npz). Raises NgramError."""
    began = time.perf_counter()
    path = path or data_dir() / "ngrams" / NGRAMS_FILE
    try:
        with np.load(path, allow_pickle=False) as data:
            ngrams = CharNgrams(data["bigram_keys"], data["bigram_counts"],
                                data["trigram_keys"], data["trigram_counts"])
    except FileNotFoundError:
        raise NgramError(f"n-gram counts missing: {path}. Reinstall electra-lsp or set "
                         "ELECTRA_LSP_DATA to a copy of its data/ directory.") from None
    except (OSError, ValueError, KeyError) as error:
        raise NgramError(f"cannot read n-gram counts {path}: {error}") from None
    ngrams.load_seconds = time.perf_counter() - began
    return ngrams


_SHARED: dict[Path, CharNgrams] = {}


def shared_ngrams(path: Path | None = None) -> CharNgrams:
    """One table per file for the whole process."""
    key = (path or data_dir() / "ngrams" / NGRAMS_FILE).resolve()
    if key not in _SHARED:
        _SHARED[key] = load_ngrams(key)
    return _SHARED[key]
