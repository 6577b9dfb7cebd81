"""Tokenize sentences and align tokens with characters through the fast tokenizer's offsets.

Only a token that covers exactly one CJK character is a candidate: Latin words become word
pieces, and [UNK] (e.g. most Extension B characters) carries no information about the character.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tokenizers import BertWordPieceTokenizer

from electra_lsp.engine.charclass import is_cjk


@dataclass(frozen=True)
class EncodedSentence:
    """One sentence as token ids, and the token position of each candidate (Chinese)
    character that is a token of its own."""

    ids: list[int]
    char_to_token: dict[int, int]  # character index -> token position, candidates only


class CharTokenizer:
    """A WordPiece tokenizer over a model's vocab.txt that keeps one token per Chinese character."""

    def __init__(self, vocab_file: Path, max_length: int = 512) -> None:
        self._tokenizer = BertWordPieceTokenizer(
            str(vocab_file), lowercase=True, handle_chinese_chars=True, strip_accents=True
        )
        self._tokenizer.enable_truncation(max_length)
        self.unk_id = self._tokenizer.token_to_id("[UNK]")
        self.mask_id = self._tokenizer.token_to_id("[MASK]")
        self.pad_id = self._tokenizer.token_to_id("[PAD]") or 0
        self._ids = self._tokenizer.get_vocab()
        self.vocabulary = frozenset(self._ids)

    def token_id(self, token: str) -> int | None:
        """The id of `token`, or None when it is not in the vocabulary."""
        return self._ids.get(token)  # a dict lookup: called for every candidate character

    def encode_batch(self, sentences: Sequence[str]) -> list[EncodedSentence]:
        """One `EncodedSentence` per sentence, in order."""
        encoded = []
        for sentence, encoding in zip(sentences, self._tokenizer.encode_batch(list(sentences)),
                                      strict=True):
            char_to_token = {}
            for position, (token_id, (start, end)) in enumerate(
                zip(encoding.ids, encoding.offsets, strict=True)
            ):
                if end - start == 1 and token_id != self.unk_id and is_cjk(sentence[start]):
                    char_to_token[start] = position
            encoded.append(EncodedSentence(list(encoding.ids), char_to_token))
        return encoded


def length_buckets(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, so padding stays small."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
