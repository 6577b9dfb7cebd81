"""In-document switches that exclude regions from checking.

`<!-- electra-lsp-disable -->` ... `<!-- electra-lsp-enable -->` excludes everything between
(from the start of the first comment to the end of the second; to the end of the document when
no enable follows). `<!-- electra-lsp-disable-next-line -->` excludes the line after the one
holding the comment. The same comments work in plain text, where they are matched literally.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from electra_lsp.text.segments import Segment

_DIRECTIVE_RE = re.compile(r"<!--\s*electra-lsp-(disable-next-line|disable|enable)\s*-->")
_NEWLINE_RE = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class Directive:
    """An `electra-lsp-*` comment directive found in a document, with its offsets."""

    kind: str  # "disable", "enable" or "disable-next-line"
    start: int
    end: int


def find_directives(text: str) -> list[Directive]:
    """Every directive comment in `text`, in document order."""
    return [Directive(m.group(1), m.start(), m.end()) for m in _DIRECTIVE_RE.finditer(text)]


def _line_end(text: str, pos: int) -> tuple[int, int]:
    """(end of the line containing pos, start of the next line or len(text))."""
    match = _NEWLINE_RE.search(text, pos)
    if match is None:
        return len(text), len(text)
    return match.start(), match.end()


def disabled_ranges(
    text: str, accept: Callable[[Directive], bool] | None = None
) -> list[tuple[int, int]]:
    """Half-open document ranges excluded by directives, sorted and merged.

    `accept` filters directives; the Markdown extractor uses it to honour only real HTML
    comments (a directive shown inside a code block is documentation, not a switch).
    """
    ranges: list[tuple[int, int]] = []
    disabled_from: int | None = None
    for directive in find_directives(text):
        if accept is not None and not accept(directive):
            continue
        if directive.kind == "disable":
            if disabled_from is None:
                disabled_from = directive.start
        elif directive.kind == "enable":
            if disabled_from is not None:
                ranges.append((disabled_from, directive.end))
                disabled_from = None
        else:
            _, next_start = _line_end(text, directive.end)
            next_end, _ = _line_end(text, next_start)
            ranges.append((directive.start, directive.end))
            if next_start < len(text):
                ranges.append((next_start, next_end))
    if disabled_from is not None:
        ranges.append((disabled_from, len(text)))
    return merge_ranges(ranges)


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping [start, end) ranges covering the same offsets."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def drop_ranges(segments: Iterable[Segment], ranges: list[tuple[int, int]]) -> list[Segment]:
    """Remove characters whose offsets fall in `ranges` (sorted, merged); a removed run splits
    its segment, so no text is joined across an excluded region."""
    segments = list(segments)
    if not ranges:
        return segments
    starts = [start for start, _ in ranges]
    result: list[Segment] = []
    for segment in segments:
        run_start: int | None = None
        for index, offset in enumerate(segment.offsets):
            slot = bisect_right(starts, offset) - 1
            inside = slot >= 0 and offset < ranges[slot][1]
            if inside:
                if run_start is not None:
                    result.append(segment.slice(run_start, index))
                    run_start = None
            elif run_start is None:
                run_start = index
        if run_start is not None:
            result.append(segment.slice(run_start, len(segment.text)))
    return result
