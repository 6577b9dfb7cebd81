"""Character n-gram counts (n = 2 … 5) of edited Chinese text: how often a context was seen.

Where the lexicon knows words, these counts know contexts: 配置文件 and 配制文件 are both made
of known words, but "置文件" is common in edited text and "制文件" is not; longer n-grams see
past a word's edge (充分反映 against 充分反应). The evidence (evidence.py) compares the
counts of the n-grams covering a position as written and with a candidate.

Storage (`data/ngrams/char_ngrams.npz`, numpy arrays only, loaded without pickle): per order n,
sorted uint64 keys `keys_n` and uint16 counts `counts_n` (capped at 65,535) of the n-grams seen
at least `MIN_COUNT` times. Bigram and trigram keys are exact (code points packed 21 bits each);
4- and 5-grams do not fit 64 bits and are hashed (multiply-xor over the code points): the
corpus' 7.0 million distinct 4-grams and 8.8 million 5-grams all get distinct keys (checked),
and with ~2 million stored keys a random lookup meets a wrong one with probability ~1e-13. Built by
`python -m electra_lsp.train.ngrams` from the shared corpus (see data/ngrams/NOTICE.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from electra_lsp.paths import data_dir

NGRAMS_FILE = "char_ngrams.npz"
MIN_COUNT = 2
ORDERS = (2, 3, 4, 5)
_BITS = np.uint64(21)
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio, odd: a bijective multiply


class NgramError(OSError):
    """The n-gram file is missing or unreadable; the message names it."""


def pack(codes: np.ndarray) -> np.ndarray:
    """(rows, n) code points → (rows,) uint64 keys: exact for n ≤ 3, hashed for n ≥ 4."""
    keys = np.zeros(codes.shape[0], dtype=np.uint64)
    codes = codes.astype(np.uint64)
    if codes.shape[1] <= 3:
        for column in range(codes.shape[1]):
            keys = (keys << _BITS) | codes[:, column]
    else:
        for column in range(codes.shape[1]):
            keys = (keys * _MULTIPLIER) ^ codes[:, column]  # wraps modulo 2^64
    return keys


@dataclass
class CharNgrams:
    """Counts of character n-grams per order; `count` looks many up at once."""

    tables: dict[int, tuple[np.ndarray, np.ndarray]]  # n -> (sorted uint64 keys, uint16 counts)
    load_seconds: float = field(default=0.0, compare=False)

    def __len__(self) -> int:
        """Stored n-grams of all orders."""
        return sum(len(keys) for keys, _ in self.tables.values())

    def count(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts),) counts of n-character strings (0 when unseen); all of one length n,
        one of the stored orders. Raises ValueError for mixed lengths or another n."""
        if not texts:
            return np.zeros(0, dtype=np.int64)
        width = len(texts[0])
        if any(len(text) != width for text in texts):
            raise ValueError("count() takes strings of one length")
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        return self.count_codes(codes.reshape(len(texts), width))

    def count_codes(self, codes: np.ndarray) -> np.ndarray:
        """`count` for (rows, n) code points, n one of the stored orders → (rows,) counts."""
        if codes.shape[1] not in self.tables:
            raise ValueError(f"no {codes.shape[1]}-gram counts (stored: {sorted(self.tables)})")
        keys_sorted, counts = self.tables[codes.shape[1]]
        keys = pack(codes)
        if not len(keys_sorted):
            return np.zeros(len(keys), dtype=np.int64)
        at = np.searchsorted(keys_sorted, keys)
        at[at >= len(keys_sorted)] = 0
        return np.where(keys_sorted[at] == keys, counts[at], 0).astype(np.int64)

    def save(self, path: Path) -> None:
        """Write the counts to `path` (a .npz file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for n, (keys, counts) in self.tables.items():
            arrays[f"keys_{n}"], arrays[f"counts_{n}"] = keys, counts
        np.savez_compressed(path, **arrays)


def count_ngrams(lines: Sequence[str], min_count: int = MIN_COUNT,
                 orders: Sequence[int] = ORDERS) -> CharNgrams:
    """N-gram counts within each line (n-grams never cross a line break)."""
    tables = {}
    for n in orders:
        keys = []
        for start in range(0, len(lines), 20000):
            text = "\n".join(lines[start:start + 20000]) + "\n"
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            if len(codes) < n:
                continue
            breaks = codes == 10
            grams = np.stack([codes[i:len(codes) - n + 1 + i] for i in range(n)], axis=1)
            inside = ~np.any(np.stack([breaks[i:len(codes) - n + 1 + i] for i in range(n)],
                                      axis=1), axis=1)
            keys.append(pack(grams[inside]))
        unique, counts = np.unique(np.concatenate(keys) if keys else np.zeros(0, np.uint64),
                                   return_counts=True)
        kept = counts >= min_count
        tables[n] = (unique[kept], np.minimum(counts[kept], 65535).astype(np.uint16))
    return CharNgrams(tables)


def load_ngrams(path: Path | None = None) -> CharNgrams:
    """The shipped counts (default data/ngrams/char_ngrams.npz). Raises NgramError."""
    began = time.perf_counter()
    path = path or data_dir() / "ngrams" / NGRAMS_FILE
    try:
        with np.load(path, allow_pickle=False) as data:
            ngrams = CharNgrams({n: (data[f"keys_{n}"], data[f"counts_{n}"]) for n in ORDERS})
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
