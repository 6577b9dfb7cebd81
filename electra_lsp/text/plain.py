"""Plain text -> prose segments: every line is a segment (a line break never joins words)."""

from __future__ import annotations

import re

from electra_lsp.text.directives import disabled_ranges, drop_ranges
from electra_lsp.text.segments import Segment

_NEWLINE_RE = re.compile(r"\r\n?|\n")


def plain_segments(text: str) -> list[Segment]:
    """One segment per non-blank line, with directives applied."""
    segments: list[Segment] = []
    start = 0
    for match in _NEWLINE_RE.finditer(text):
        if text[start : match.start()].strip():
            segments.append(Segment.contiguous(text[start : match.start()], start))
        start = match.end()
    if text[start:].strip():
        segments.append(Segment.contiguous(text[start:], start))
    return drop_ranges(segments, disabled_ranges(text))
