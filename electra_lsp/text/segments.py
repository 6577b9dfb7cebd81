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
        return cls(text, tuple(range(start, start + len(text))))

    def slice(self, start: int, end: int) -> Segment:
        return Segment(self.text[start:end], self.offsets[start:end])
