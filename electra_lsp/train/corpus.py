"""Training text: corpus lines (.txt / .txt.xz) tokenised into chunks that fit the model, and
supervised `source<TAB>target` pairs whose differing characters are the replaced ones."""

from __future__ import annotations

import lzma
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_SENTENCE_ENDS = "。！？；!?;"


def read_lines(paths: Sequence[Path]) -> Iterator[str]:
    """Non-empty stripped lines of every file, in order; `.xz` files are decompressed."""
    for path in paths:
        opener = lzma.open if path.suffix == ".xz" else open
        try:
            with opener(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    line = line.strip()
                    if line:
                        yield line
        except (OSError, lzma.LZMAError, UnicodeDecodeError) as error:
            raise ValueError(f"cannot read corpus {path}: {error}") from None


def split_dev(items: list, dev_size: int, seed: int) -> tuple[list, list]:
    """A seeded (train, dev) split; dev never overlaps train."""
    order = np.random.default_rng(seed).permutation(len(items))
    dev_size = min(dev_size, len(items) // 2)
    dev = [items[i] for i in sorted(order[:dev_size])]
    train = [items[i] for i in sorted(order[dev_size:])]
    return train, dev


@dataclass
class Chunks:
    """Token-id sequences (no [CLS]/[SEP]) stored flat: chunk i is tokens[starts[i]:ends[i]]."""

    tokens: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    by_length: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_length = np.argsort(self.ends - self.starts, kind="stable")

    def __len__(self) -> int:
        return len(self.starts)

    def get(self, index: int) -> np.ndarray:
        return self.tokens[self.starts[index]:self.ends[index]]

    def sample_similar_lengths(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """`count` chunk indices of similar length (little padding): drawn from a random
        window of the length-sorted order, so all chunks but the window's worth at either end
        are equally likely."""
        window = min(len(self), max(count, 32 * count))
        first = int(rng.integers(0, len(self) - window + 1))
        return self.by_length[first + rng.choice(window, size=count, replace=window < count)]


def _split_points(ids: list[int], max_len: int, breaks: frozenset[int]) -> list[tuple[int, int]]:
    """Cut a long sequence into pieces of at most `max_len`, preferring sentence ends."""
    pieces, start = [], 0
    while len(ids) - start > max_len:
        cut = next((i + 1 for i in range(start + max_len - 1, start, -1) if ids[i] in breaks),
                   start + max_len)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(ids)))
    return pieces


def encode_corpus(lines: Sequence[str], tokenizer, max_len: int, batch: int = 2048) -> Chunks:
    """Tokenise lines and cut them into chunks of at most `max_len` tokens."""
    breaks = frozenset(tokenizer.convert_tokens_to_ids(list(_SENTENCE_ENDS))) - {
        tokenizer.unk_token_id}
    flat: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    for first in range(0, len(lines), batch):
        encoded = tokenizer(list(lines[first:first + batch]), add_special_tokens=False)
        for ids in encoded["input_ids"]:
            for start, end in _split_points(ids, max_len, breaks):
                if end - start >= 4:  # fragments too short to give context are noise
                    starts.append(len(flat))
                    flat.extend(ids[start:end])
                    ends.append(len(flat))
    return Chunks(np.asarray(flat, dtype=np.int32), np.asarray(starts, dtype=np.int64),
                  np.asarray(ends, dtype=np.int64))


@dataclass
class EncodedPair:
    source: np.ndarray  # token ids, no special tokens
    target: np.ndarray
    labels: np.ndarray  # 1 where source != target


def encode_pairs(pairs: Sequence[tuple[str, str]], tokenizer, max_len: int) -> list[EncodedPair]:
    """Tokenise pairs; pairs whose sides tokenise to different lengths are skipped."""
    if not pairs:
        return []
    sources = tokenizer([s for s, _ in pairs], add_special_tokens=False)["input_ids"]
    targets = tokenizer([t for _, t in pairs], add_special_tokens=False)["input_ids"]
    encoded = []
    for source, target in zip(sources, targets, strict=True):
        if len(source) != len(target) or not source:
            continue
        source_ids = np.asarray(source[:max_len], dtype=np.int64)
        target_ids = np.asarray(target[:max_len], dtype=np.int64)
        encoded.append(EncodedPair(source_ids, target_ids,
                                   (source_ids != target_ids).astype(np.int64)))
    return encoded
