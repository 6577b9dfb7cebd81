"""Prose segments: text to check plus the map from each of its characters to document offsets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """A run of prose. `offsets[i]` is the document offset (code points) of `text[i]`."""

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
