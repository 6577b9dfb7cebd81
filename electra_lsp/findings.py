"""The result type of the checking core: what every adapter (LSP, CLI, eval) consumes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Suggestion:
    """One replacement for a flagged character, best first in `Finding.suggestions`."""

    text: str
    probability: float  # generator probability of `text` at the masked position
    score: float  # ranking score (probability ratio combined with the detector's score)


@dataclass(frozen=True)
class Finding:
    """A suspected misspelling at document offsets [start, end) (Python code-point indices)."""

    start: int
    end: int
    original: str
    score: float  # discriminator's replaced-probability for the character
    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)
    context: str = ""  # the sentence the character was found in (for messages and hover)

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    def relocated(self, offsets: Sequence[int]) -> Finding:
        """This finding, found in a sentence, moved to document offsets (`Segment.offsets`)."""
        start = offsets[self.start]
        return replace(self, start=start, end=start + (self.end - self.start))

    def to_json(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "score": round(self.score, 4),
            "suggestions": [
                {"text": s.text, "probability": round(s.probability, 4), "score": round(s.score, 4)}
                for s in self.suggestions
            ],
        }


def apply_findings(text: str, findings: Sequence[Finding]) -> str:
    """`text` with each finding's best suggestion applied (overlapping ones: first wins)."""
    pieces: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        best = finding.best
        if best is None or finding.start < position:
            continue
        if text[finding.start:finding.end] != finding.original:
            raise ValueError(
                f"finding {finding.original!r} at {finding.start}:{finding.end} does not match "
                f"the text there: {text[finding.start:finding.end]!r}"
            )
        pieces.append(text[position:finding.start])
        pieces.append(best.text)
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)
