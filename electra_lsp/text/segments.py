"""Prose segments: text to check plus the map from each of its characters to document offsets."""

from __future__ import annotations

from dataclasses import dataclass

# Stands in a segment for an inline element inside a sentence (inline code, math, HTML, a URL),
# so the sentence reaches the model whole instead of as fragments. A non-CJK letter: no word can
# be formed across it, yet the model sees that something stood there. It has no document offset.
PLACEHOLDER = "X"


@dataclass(frozen=True)
class Segment:
    """A run of prose. `offsets[i]` is the document offset (code points) of `text[i]`, or -1 where
    `text[i]` is a `PLACEHOLDER`; every other character, CJK included, has its exact offset.
    Extracted segments never end or start with a placeholder; a sentence split from one may."""

    text: str
    offsets: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.text) != len(self.offsets):
            raise ValueError("Segment text and offsets differ in length")

    @classmethod
    def contiguous(cls, text: str, start: int) -> Segment:
        """A segment whose characters sit at consecutive document offsets from `start`."""
        return cls(text, tuple(range(start, start + len(text))))

    def slice(self, start: int, end: int) -> Segment:
        """The characters [start, end) of this segment, with their offsets."""
        return Segment(self.text[start:end], self.offsets[start:end])


def trim_placeholders(segment: Segment) -> Segment | None:
    """`segment` without placeholders at its ends (nor the blanks beyond them): there they stand
    next to nothing. None when nothing but blanks is left."""
    text, offsets = segment.text, segment.offsets
    start, end = 0, len(text)
    index = 0
    while index < end and (offsets[index] == -1 or text[index].isspace()):
        if offsets[index] == -1:
            start = index + 1
        index += 1
    index = end
    while index > start and (offsets[index - 1] == -1 or text[index - 1].isspace()):
        if offsets[index - 1] == -1:
            end = index - 1
        index -= 1
    if start == 0 and end == len(text):
        return segment
    trimmed = segment.slice(start, end)
    return trimmed if trimmed.text.strip() else None
