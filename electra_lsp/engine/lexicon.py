"""Word knowledge: which strings are words, how common they are, and which similar character
would turn the text around a position into a word.

Sources (see data/lexicon/NOTICE.md):
- general words with counts: `jieba`'s `dict.txt` (349,046 words; MIT), read from the installed
  package through importlib.resources;
- domain vocabularies and idioms (THUOCL, MIT), person and place names (pycorrector,
  Apache-2.0), copied into `data/lexicon/`;
- confusable word pairs (`confusable_words.tsv`): reduced to the characters that differ, with
  one character of context on each side (see `ConfusablePairs`).

A string's log-probability is the unigram log-probability of its best segmentation into words
(Viterbi over words of at most `MAX_WORD` characters; a character that is no word alone costs
`unknown_logp`). The *lexical gain* of writing `c` at position `p` instead of what is there is
the difference of those log-probabilities over a window around `p`: 以经 → 已经 gains about 8
nats, because 已经 is one of the commonest words and 以 + 经 are two unrelated characters.

Candidates come from lookups, not from segmenting every variant: `masked` maps each word with
one character replaced by `MASK` (已经 → "\\0经", "已\\0") to the characters that fill it.
"""

from __future__ import annotations

import importlib.resources
import math
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from electra_lsp.engine.charclass import is_cjk
from electra_lsp.paths import data_dir

NO_WORD = -25.0  # log-probability standing for "no word of 2+ characters here"
MAX_WORD = 4  # longest word the window segmentation uses (idioms are 4 characters)
WINDOW = 3  # characters on each side of a position that its lexical evidence looks at
MASK = "\0"
# jieba's rarest entries (count 1-2) hold many machine-found "names" such as 侯选人 (a typo of
# 候选人 tagged nr): they are not known words here.
MIN_COUNT = 3
# Only common words are proposed as corrections (and indexed, which keeps the index small):
# at least this count for each length; domain terms (IT, finance, law, medicine) and idioms
# are proposed whatever their count.
MIN_PROPOSE = {2: 3, 3: 20, 4: 50}
# Domain lists count documents, not words: a domain term absent from jieba's list gets a
# count on jieba's scale of its document frequency divided by this (泛型: 25,331 → 253), at
# least DOMAIN_FLOOR (a term nobody used is still a term).
DOMAIN_SCALE = 100.0
DOMAIN_FLOOR = 20

# Flags of where a word comes from (a word can have several). PROPOSE: a domain term or idiom
# that may be proposed as a correction whatever its count.
DOMAIN, IDIOM, NAME, PLACE, PROPOSE = 1, 2, 4, 8, 16
# Domains whose terms writers of documentation, reports and articles use (proposed) ...
PROPOSED_DOMAINS = ("thuocl_it", "thuocl_caijing", "thuocl_law", "thuocl_medical")
# ... and domains whose terms are only protected from being flagged.
KNOWN_DOMAINS = ("thuocl_car", "thuocl_diming", "thuocl_food", "thuocl_lishimingren",
                 "thuocl_animal", "thuocl_poem")
IDIOM_FILE = "thuocl_chengyu"
NAME_FILE = "person_name"
PLACE_FILE = "place_name"
CONFUSABLE_FILE = "confusable_words"


class LexiconError(OSError):
    """A lexicon file is missing or unreadable; the message names it."""


class Lexicon:
    """Words with their log-probabilities on one scale, their source flags, and the masked-word
    index.

    Built from counts (`counts`: word → count, any positive scale); `logp(word)` is
    log(count / total) in nats, None for a string that is not a known word. Only the log counts
    are kept (looked up in every segmentation: no log per lookup); the caller's counts are not
    referenced after construction, so once loaded they take no more memory than the counts did.
    """

    def __init__(self, counts: dict[str, int], flags: dict[str, int] | None = None,
                 confusable: ConfusablePairs | None = None, load_seconds: float = 0.0) -> None:
        self.flags = flags if flags is not None else {}
        self.confusable = confusable
        self.load_seconds = load_seconds
        self.total = float(sum(counts.values())) or 1.0
        self._log_total = math.log(self.total)
        # A character that is no word at all costs a bit less than the rarest word.
        self.unknown_logp = math.log(0.5) - self._log_total
        self.masked = self._index(counts)
        self.log_counts = {word: math.log(count) for word, count in counts.items()}

    def _index(self, counts: dict[str, int]) -> dict[str, str]:
        masked: dict[str, str] = {}
        for word, count in counts.items():
            flag = self.flags.get(word, 0)
            if not 2 <= len(word) <= MAX_WORD or flag & (NAME | PLACE) and not flag & PROPOSE:
                continue
            if count < MIN_PROPOSE[len(word)] and not flag & PROPOSE:
                continue
            if not all(is_cjk(c) for c in word):
                continue
            for i in range(len(word)):
                key = word[:i] + MASK + word[i + 1:]
                masked[key] = masked.get(key, "") + word[i]  # short strings: a small peak
        return masked

    def __contains__(self, word: str) -> bool:
        return word in self.log_counts

    def __len__(self) -> int:
        return len(self.log_counts)

    def logp(self, word: str) -> float | None:
        """Natural log of the word's relative frequency, or None for a word not in the lexicon."""
        log_count = self.log_counts.get(word)
        return None if log_count is None else log_count - self._log_total

    def count(self, word: str) -> int:
        """The word's count on the lexicon's scale (0 for a word not in it)."""
        log_count = self.log_counts.get(word)
        return 0 if log_count is None else round(math.exp(log_count))

    def char_logp(self, char: str) -> float:
        """How common a character is as a word of its own (the unknown cost if it is none)."""
        log_count = self.log_counts.get(char)
        return self.unknown_logp if log_count is None else log_count - self._log_total

    # -- segmentation ----------------------------------------------------------------------
    def best_segmentation(self, text: str) -> tuple[float, list[tuple[int, int]]]:
        """(log-probability, word spans) of the most probable segmentation of `text`.

        Viterbi over words of at most MAX_WORD characters; every single character is allowed
        (its own word count, or `unknown_logp`). O(len(text) · MAX_WORD) lookups.
        """
        return self.resegment(text, self.viterbi_prefix(text, len(text)))

    def viterbi_prefix(self, text: str, length: int) -> tuple[list[float], list[int]]:
        """The Viterbi state (best log-probability and last word's length for each prefix)
        of text[:length]: shared by every text that starts the same (one character changed
        at `length`: `resegment` goes on from there)."""
        best = [0.0] + [-math.inf] * length
        back = [0] * (length + 1)
        self._forward(text, best, back, 1, length)
        return best, back

    def resegment(self, text: str, prefix: tuple[list[float], list[int]]
                  ) -> tuple[float, list[tuple[int, int]]]:
        """`best_segmentation(text)` given `viterbi_prefix` of a text with text's first
        len(prefix) - 1 characters."""
        done = len(prefix[0]) - 1
        n = len(text)
        best = prefix[0] + [-math.inf] * (n - done)
        back = prefix[1] + [0] * (n - done)
        self._forward(text, best, back, done + 1, n)
        spans = []
        end = n
        while end > 0:
            spans.append((end - back[end], end))
            end -= back[end]
        spans.reverse()
        return best[n], spans

    def _forward(self, text: str, best: list[float], back: list[int], first: int, last: int
                 ) -> None:
        log_counts = self.log_counts
        log_total = self._log_total
        unknown = self.unknown_logp
        for end in range(first, last + 1):
            for length in range(1, min(MAX_WORD, end) + 1):
                log_count = log_counts.get(text[end - length:end])
                if log_count is None:
                    if length > 1:
                        continue
                    score = best[end - 1] + unknown
                else:
                    score = best[end - length] + log_count - log_total
                if score > best[end]:
                    best[end] = score
                    back[end] = length

    def window(self, sentence: str, position: int) -> tuple[int, int]:
        """The window [start, end) of `sentence` whose segmentation judges `position`: up to
        WINDOW characters each side, stopping at anything that is not a Chinese character."""
        start = position
        while start > 0 and position - start < WINDOW and is_cjk(sentence[start - 1]):
            start -= 1
        end = position + 1
        while end < len(sentence) and end - position <= WINDOW and is_cjk(sentence[end]):
            end += 1
        return start, end

    def word_at(self, sentence: str, position: int) -> tuple[float, str]:
        """(window log-probability, the word of the best segmentation that holds `position`)."""
        start, end = self.window(sentence, position)
        score, spans = self.best_segmentation(sentence[start:end])
        for low, high in spans:
            if low <= position - start < high:
                return score, sentence[start + low:start + high]
        return score, sentence[position]

    # -- candidates ------------------------------------------------------------------------
    def completions(self, sentence: str, position: int,
                    allowed: Collection[str] | None = None,
                    window: tuple[int, int] | None = None) -> tuple[dict[str, float], float]:
        """({character: log-probability of the most common word it makes}, log-probability of
        the most common word the written text makes) at `position`.

        Words are known words of 2..MAX_WORD Chinese characters covering `position`. A
        character is listed when its word is more common than every word of the same length or
        longer that the written text makes there (配制 keeps 配置 out; 是从 does not keep 无所适从
        out of 无所是从: a longer word matched in all its other characters is evidence of its
        own, which the segmentation gain weighs); `allowed`: only these characters (e.g. those
        similar to the written one); `window`: the result of `self.window(sentence, position)`
        when the caller has it. No word: NO_WORD."""
        found: dict[str, float] = {}
        start, end = window if window is not None else self.window(sentence, position)
        # Every key below is a slice of the window with the position masked: one string built
        # per position instead of two slices and two joins per key.
        text = sentence[start:end]
        local = position - start
        masked_text = text[:local] + MASK + text[local + 1:]
        size = end - start
        written = -math.inf  # the most common written word of this length or longer
        log_counts = self.log_counts
        index = self.masked
        for length in range(MAX_WORD, 1, -1):
            lows = range(max(0, local - length + 1), min(local, size - length) + 1)
            for low in lows:
                log_count = log_counts.get(text[low:low + length])
                if log_count is not None and log_count > written:
                    written = log_count
            for low in lows:
                high = low + length
                chars = index.get(masked_text[low:high])
                if chars:
                    prefix, suffix = text[low:local], text[local + 1:high]
                    if allowed is not None:  # walk the shorter of the two
                        if len(chars) > len(allowed):
                            chars = [c for c in allowed if c in chars]
                        else:
                            chars = [c for c in chars if c in allowed]
                    for char in chars:
                        value = log_counts[prefix + char + suffix]
                        if value > written and value > found.get(char, -math.inf):
                            found[char] = value
        found.pop(sentence[position], None)
        return ({c: v - self._log_total for c, v in found.items()},
                max(NO_WORD, written - self._log_total))

    def flags_at(self, sentence: str, position: int) -> int:
        """Union of the source flags of every known word (2+ characters, up to 4) of the text
        that covers `position`: is the written text part of a name, an idiom, a domain term?"""
        result = 0
        n = len(sentence)
        for length in range(2, MAX_WORD + 1):
            for low in range(max(0, position - length + 1), min(position, n - length) + 1):
                result |= self.flags.get(sentence[low:low + length], 0)
        return result


@dataclass
class ConfusablePairs:
    """Known (wrong → right) character substitutions in context, from `confusable_words.tsv`.

    A row like 尽菅平凡 → 尽管平凡 becomes the key (菅, "尽\\0平") → 管: the written character,
    its neighbours with the character masked. The file is noisy (see NOTICE.md): the combiner
    weighs this evidence by what it was worth on the fitting data.
    """

    pairs: dict[tuple[str, str], str]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> ConfusablePairs:
        """Pairs from (written, meant) rows."""
        pairs: dict[tuple[str, str], str] = {}
        for wrong, right in rows:
            if len(wrong) != len(right):
                continue
            for i, (w, r) in enumerate(zip(wrong, right, strict=True)):
                if w != r and is_cjk(w) and is_cjk(r):
                    pairs[(w, _context(wrong, i))] = r
        return cls(pairs)

    def suggests(self, sentence: str, position: int, candidate: str) -> bool:
        """Whether the pairs correct sentence[position], in its context, to `candidate`."""
        return self.pairs.get((sentence[position], _context(sentence, position))) == candidate


def _context(text: str, i: int) -> str:
    return text[max(0, i - 1):i] + MASK + text[i + 1:i + 2]


# -- loading --------------------------------------------------------------------------------
def _read_tsv(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"lexicon file missing: {path}. Reinstall electra-lsp or set "
                           "ELECTRA_LSP_DATA to a copy of its data/ directory.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise LexiconError(f"cannot read lexicon file {path}: {error}") from None
    return [line.split("\t") for line in text.splitlines() if line.strip()]


def read_jieba_counts() -> dict[str, int]:
    """jieba's dict.txt (`word count tag` lines) from the installed jieba package: words of
    at most MAX_WORD characters seen at least MIN_COUNT times."""
    counts: dict[str, int] = {}
    try:
        resource = importlib.resources.files("jieba") / "dict.txt"
        with resource.open("r", encoding="utf-8") as lines:  # streamed: a smaller peak
            for line in lines:
                word, _, rest = line.partition(" ")
                if len(word) <= MAX_WORD:  # the segmentation never looks up longer words
                    count = int(rest.partition(" ")[0] or 0)
                    if count >= MIN_COUNT:
                        counts[word] = count
    except (ModuleNotFoundError, OSError, ValueError) as error:
        raise LexiconError(f"cannot read jieba's dict.txt ({error}); install the jieba package "
                           "(pip install jieba)") from None
    return counts


def _count(fields: list[str], path: Path) -> int:
    try:
        return int(float(fields[1])) if len(fields) > 1 and fields[1].strip() else 1
    except ValueError:
        raise LexiconError(f"{path}: expected word<TAB>count, found {fields!r}") from None


def load_lexicon(directory: Path | None = None, general: dict[str, int] | None = None
                 ) -> Lexicon:
    """The shipped lexicon: jieba's counts plus `directory` (default data/lexicon/).

    Raises LexiconError naming the file that is missing or unreadable.
    """
    began = time.perf_counter()
    directory = directory or data_dir() / "lexicon"
    counts = dict(general) if general is not None else read_jieba_counts()
    flags: dict[str, int] = {}

    def add(name: str, flag: int) -> None:
        path = directory / f"{name}.tsv"
        for fields in _read_tsv(path):
            word = fields[0].strip()
            if not 2 <= len(word) <= MAX_WORD or not any(is_cjk(c) for c in word):
                continue
            flags[word] = flags.get(word, 0) | flag
            if flag & (NAME | PLACE) and word not in counts:
                counts[word] = 1  # a name is known (not a typo) but never a likely reading
            elif word not in counts:
                counts[word] = max(DOMAIN_FLOOR, round(_count(fields, path) / DOMAIN_SCALE))

    for name in PROPOSED_DOMAINS:
        add(name, DOMAIN | PROPOSE)
    for name in KNOWN_DOMAINS:
        add(name, DOMAIN)
    add(IDIOM_FILE, IDIOM | PROPOSE)
    add(NAME_FILE, NAME)
    add(PLACE_FILE, PLACE)
    confusable = ConfusablePairs.from_rows(
        (f[0], f[1]) for f in _read_tsv(directory / f"{CONFUSABLE_FILE}.tsv") if len(f) == 2)
    lexicon = Lexicon(counts, flags, confusable)
    lexicon.load_seconds = time.perf_counter() - began
    return lexicon


_SHARED: dict[Path, Lexicon] = {}


def shared_lexicon(directory: Path | None = None) -> Lexicon:
    """One lexicon per directory for the whole process (checker, server, CLI share it)."""
    key = (directory or data_dir() / "lexicon").resolve()
    if key not in _SHARED:
        _SHARED[key] = load_lexicon(key)
    return _SHARED[key]
