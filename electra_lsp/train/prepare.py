"""Everything the loop needs before its first step: the vocabulary and tokenizer, the corpus and
pairs split into train and dev (seeded, so --resume rebuilds the same split), the confusion
table weighted by training-corpus frequency."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from electra_lsp.evaluate.runner import read_pairs
from electra_lsp.train.batches import SpecialIds
from electra_lsp.train.corpus import (
    Chunks,
    EncodedPair,
    encode_corpus,
    encode_pairs,
    read_lines,
    split_dev,
)
from electra_lsp.train.corruption import ConfusionTable
from electra_lsp.train.vocab import build_vocab, count_tokens, make_tokenizer, write_vocab


@dataclass
class Data:
    vocab: list[str]
    tokenizer: object
    special: SpecialIds
    train_chunks: Chunks
    dev_chunks: Chunks
    train_pairs: list[EncodedPair]
    dev_pairs: list[EncodedPair]
    dev_pair_text: list[tuple[str, str]]
    dev_lines: list[str]
    table: ConfusionTable


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(corpus: list[Path], pairs_file: Path | None, vocab: list[str] | None,
            vocab_size: int, seq_len: int, dev_size: int, seed: int, workdir: Path) -> Data:
    """`vocab` None builds one from the training split of the corpus."""
    lines = list(read_lines(corpus))
    if len(lines) < 4:
        raise ValueError(f"the corpus has {len(lines)} non-empty lines; at least 4 are needed")
    train_lines, dev_lines = split_dev(lines, dev_size, seed)
    pairs = read_pairs(pairs_file) if pairs_file else []
    train_text, dev_text = split_dev(pairs, dev_size, seed) if pairs else ([], [])
    log(f"corpus: {len(train_lines)} training lines, {len(dev_lines)} dev lines; pairs: "
        f"{len(train_text)} training, {len(dev_text)} dev")
    if vocab is None:
        vocab = build_vocab(count_tokens(train_lines + [t for _, t in train_text]), vocab_size)
        log(f"vocabulary: {len(vocab)} tokens built from the training split")
    workdir.mkdir(parents=True, exist_ok=True)
    write_vocab(vocab, workdir / "vocab.txt")
    tokenizer = make_tokenizer(workdir / "vocab.txt")
    body = seq_len - 2
    train_chunks = encode_corpus(train_lines, tokenizer, body)
    dev_chunks = encode_corpus(dev_lines, tokenizer, body)
    train_pairs = encode_pairs(train_text, tokenizer, body)
    dev_pairs = encode_pairs(dev_text, tokenizer, body)
    unk = float(np.mean(train_chunks.tokens == tokenizer.unk_token_id))
    log(f"tokens: {len(train_chunks.tokens)} in {len(train_chunks)} training chunks "
        f"({unk:.2%} [UNK]); {len(dev_chunks)} dev chunks")
    frequency = np.bincount(train_chunks.tokens, minlength=len(vocab))
    table = ConfusionTable(vocab, frequency)
    return Data(vocab, tokenizer, SpecialIds.of(tokenizer), train_chunks, dev_chunks,
                train_pairs, dev_pairs, dev_text, dev_lines, table)
