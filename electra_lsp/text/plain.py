"""Plain text -> prose segments: every line is a segment (a line break never joins words).

URLs, e-mail addresses and file paths (`non_prose_spans`) become one `PLACEHOLDER` inside a
line, like inline elements in Markdown; none is left at either end of a segment.
"""

from __future__ import annotations

import re

from electra_lsp.text.directives import disabled_ranges, drop_ranges
from electra_lsp.text.segments import PLACEHOLDER, Segment, trim_placeholders
from electra_lsp.text.spans import non_prose_spans

_NEWLINE_RE = re.compile(r"\r\n?|\n")


def _line_segment(line: str, start: int) -> Segment:
    """The line at document offset `start`, each span replaced by a placeholder; one after
    another with only blanks between collapse into one (the blanks go too)."""
    spans = non_prose_spans(line)
    if not spans:
        return Segment.contiguous(line, start)
    chars: list[str] = []
    offsets: list[int] = []
    position = 0
    for span_start, span_end in spans:
        between = line[position:span_start]
        # A placeholder with only blanks before this span already stands for it too.
        if not (offsets and offsets[-1] == -1 and not between.strip()):
            chars.extend(between)
            offsets.extend(range(start + position, start + span_start))
            chars.append(PLACEHOLDER)
            offsets.append(-1)
        position = span_end
    chars.extend(line[position:])
    offsets.extend(range(start + position, start + len(line)))
    return Segment("".join(chars), tuple(offsets))


def plain_segments(text: str) -> list[Segment]:
    """One segment per non-blank line, with directives applied."""
    segments: list[Segment] = []
    start = 0
    for match in _NEWLINE_RE.finditer(text):
        if text[start : match.start()].strip():
            segments.append(_line_segment(text[start : match.start()], start))
        start = match.end()
    if text[start:].strip():
        segments.append(_line_segment(text[start:], start))
    kept = drop_ranges(segments, disabled_ranges(text))
    return [segment for segment in map(trim_placeholders, kept) if segment is not None]
