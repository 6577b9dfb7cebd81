"""The one line index of the project: line starts and offset → (line, column).

Lines end at LSP's terminators only: \\n, \\r\\n and a lone \\r (old Mac files) — Python's
`str.splitlines` also breaks on \\f, \\v, U+2028 and others, which editors do not, so it would
shift every line after such a character. Offsets and columns count code points; the LSP
server converts columns to the negotiated code units itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right

LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[int]:
    """Code-point offsets where each line begins; the first is always 0."""
    starts = [0]
    starts.extend(match.end() for match in LINE_BREAK.finditer(text))
    return starts


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its terminator (the last may have none)."""
    starts = line_starts(text)
    ends = starts[1:] + [len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True) if end > start]


def line_of(offset: int, starts: list[int]) -> int:
    """0-based line holding `offset` (an offset between \\r and \\n belongs to the first)."""
    return max(0, bisect_right(starts, offset) - 1)


def line_and_column(offset: int, starts: list[int]) -> tuple[int, int]:
    """0-based line and code-point column of `offset`."""
    line = line_of(offset, starts)
    return line, offset - starts[line]


def line_end(text: str, starts: list[int], line: int) -> int:
    """Offset where line `line` ends, before its terminator."""
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    if text.endswith("\r\n", start, end):
        return end - 2
    if end > start and text[end - 1] in "\r\n":
        return end - 1
    return end


class LineIndex:
    """Line starts of one text, computed once; positions 1-based for people (the CLI)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)

    def __len__(self) -> int:
        return len(self.starts)

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, column in code points)."""
        return line_and_column(offset, self.starts)

    def human(self, offset: int) -> tuple[int, int]:
        """1-based (line, column in characters), as `check` prints them."""
        line, column = self.position(offset)
        return line + 1, column + 1

    def line_text(self, line: int) -> str:
        """Line `line` (0-based) without its terminator."""
        return self.text[self.starts[line]:line_end(self.text, self.starts, line)]
