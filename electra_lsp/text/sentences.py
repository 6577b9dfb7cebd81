"""Split prose segments into sentences (and chunks) that fit the model's 128-token window.

A sentence ends after Chinese 。！？；… (any run of them) or ASCII !?; followed by a space or the
end, together with the closing quotes/brackets that follow. Line breaks always end a sentence
and are dropped. Sentences are trimmed of surrounding whitespace. A sentence longer than
`max_chars` is cut into chunks, preferably just after a comma-like mark in the second half of
the window (the model sees less context near a cut), else at a space, else hard.

By default sentences without a single Chinese ideograph are dropped here (there is nothing to
check in them); pass `require_cjk=False` to keep them. Runs in linear time.
"""

from __future__ import annotations

import re

from electra_lsp.engine.charclass import CJK_CLASS
from electra_lsp.text.segments import Segment

DEFAULT_MAX_CHARS = 126  # 128 tokens minus [CLS] and [SEP]; one token per Chinese character

_CLOSERS = "”’\"')\\]」』）】》〕"
_BOUNDARY_RE = re.compile(
    r"(?P<newline>[\r\n]+)"
    rf"|(?:[。！？；…]+|[!?;]+(?=[{_CLOSERS}]*(?:\s|$)))[{_CLOSERS}]*"
)
_CJK_RE = re.compile(CJK_CLASS)
_SOFT_CUTS = "，、,：:；;"  # cut just after one of these when a sentence is too long


def split_sentences(
    segment: Segment, max_chars: int = DEFAULT_MAX_CHARS, require_cjk: bool = True
) -> list[Segment]:
    """Sentences of `segment`, each at most `max_chars` long, offsets preserved."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    text = segment.text
    result: list[Segment] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        end = match.start() if match.group("newline") else match.end()
        _emit(segment, start, end, max_chars, require_cjk, result)
        start = match.end()
    _emit(segment, start, len(text), max_chars, require_cjk, result)
    return result


def _emit(
    segment: Segment, start: int, end: int, max_chars: int, require_cjk: bool, out: list[Segment]
) -> None:
    text = segment.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end or require_cjk and not _CJK_RE.search(text, start, end):
        return
    while end - start > max_chars:
        cut = _cut_point(text, start, start + max_chars)
        _emit(segment, start, cut, max_chars, require_cjk, out)  # a chunk: fits, just trims
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end and (not require_cjk or _CJK_RE.search(text, start, end)):
        out.append(segment.slice(start, end))


def _cut_point(text: str, start: int, limit: int) -> int:
    """Where to end a chunk starting at `start` that may not pass `limit`."""
    earliest = start + (limit - start) // 2
    soft = max(text.rfind(mark, earliest, limit) for mark in _SOFT_CUTS)
    if soft >= 0:
        return soft + 1
    space = max(text.rfind(blank, earliest, limit) for blank in (" ", "\t", "\u3000"))
    if space > start:
        return space
    return limit
