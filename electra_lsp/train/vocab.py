"""A BERT-Chinese-style character vocabulary: every CJK character is one token, other scripts
split into single-character word pieces (`a`, `##b`), so nothing common becomes [UNK]."""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# Always present whatever the corpus holds, so English words and code-like text tokenise.
_ALWAYS_CHARS = string.ascii_lowercase + string.digits
_ALWAYS_PUNCT = string.punctuation + "，。！？；：、“”‘’（）《》【】—…·「」『』〈〉％～"
TOKENIZER_CONFIG = {
    "do_lower_case": True,
    "tokenize_chinese_chars": True,
    "strip_accents": None,
    "tokenizer_class": "BertTokenizer",
    "model_max_length": 512,
}


def count_tokens(lines: Iterable[str]) -> Counter[str]:
    """Count the character tokens BERT's normaliser and pre-tokeniser would produce."""
    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer

    normalizer = BertNormalizer(lowercase=True, handle_chinese_chars=True, clean_text=True)
    pre_tokenizer = BertPreTokenizer()
    counts: Counter[str] = Counter()
    for line in lines:
        for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(line)):
            counts[word[0]] += 1
            counts.update("##" + char for char in word[1:])
    return counts


def build_vocab(counts: Counter[str], size: int) -> list[str]:
    """Special tokens, the always-present ASCII set, then the most frequent tokens up to `size`."""
    always = [*_ALWAYS_PUNCT, *_ALWAYS_CHARS, *("##" + c for c in _ALWAYS_CHARS)]
    vocab: dict[str, None] = dict.fromkeys([*SPECIAL, *always])
    if size < len(vocab) + 1:
        raise ValueError(f"--vocab-size {size} is too small: at least {len(vocab) + 1} needed")
    for token, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if len(vocab) >= size:
            break
        vocab.setdefault(token, None)
    return list(vocab)


def write_vocab(tokens: list[str], path: Path) -> None:
    path.write_text("\n".join(tokens) + "\n", encoding="utf-8")


def read_vocab(path: Path) -> list[str]:
    """A vocab.txt, one token a line; must hold the special tokens."""
    try:
        tokens = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ValueError(f"cannot read vocabulary {path}: {error.strerror}") from None
    missing = [token for token in SPECIAL if token not in tokens]
    if missing:
        raise ValueError(f"vocabulary {path} lacks the special tokens {', '.join(missing)}")
    return tokens


def make_tokenizer(vocab_file: Path):  # -> BertTokenizerFast (import kept lazy)
    from transformers import BertTokenizerFast

    return BertTokenizerFast(str(vocab_file), do_lower_case=True, tokenize_chinese_chars=True)
