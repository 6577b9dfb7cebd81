"""The result type of the checking core: what every adapter (LSP, CLI, eval) consumes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Suggestion:
    """One replacement for a flagged character, best first in `Finding.suggestions`."""

    text: str
    probability: float  # generator probability of `text` at the masked position
    # Ranking score: with a fitted combiner, the probability that this is the intended
    # character; without one, the probability ratio combined with the detector's score.
    score: float


# ln P of a word in the lexicon from which it is among the commonest (jieba's counts: the
# 655 most common words of 2+ characters; 已经 -7.1, 这次 -8.7; 即使 -9.2 is just below).
COMMON_WORD_LOGP = -9.0
# A written word this many nats rarer than the fix's word (about 150 times) is called rare in a
# reason rather than "both are words": jieba lists 目地 and 行数, far rarer than 目的 and 函数.
RARER_NATS = 5.0
# How each kind of similarity (engine/confusion.py KINDS) reads in a reason.
KIND_WORDS = {"sound_and_shape": "音近形近", "same_tone": "同音", "other_tone": "同音异调",
              "listed": "音近", "fuzzy_sound": "音近", "shape": "形近"}


@dataclass(frozen=True)
class Evidence:
    """Why a finding was made (the fused decision's inputs), for hover and chat explanations."""

    detector: float  # discriminator's replaced-probability of the written character
    generator_ratio: float | None  # p(best) / p(written) under the generator (None: not asked)
    lexical_gain: float  # nats the window's best segmentation gains with the best suggestion
    written_word: str  # the text the candidate word replaces, as written (以经)
    candidate_word: str  # the known word the best suggestion makes ('' if none) (已经)
    written_known: bool  # the written text there is itself a known word
    kind: str  # how the suggestion is similar (confusion.KINDS)
    # ln P of the candidate word in the lexicon (lexicon.NO_WORD = -25.0 when there is none)
    candidate_logp: float = -25.0
    written_logp: float = -25.0  # ln P of the written word, likewise

    @property
    def fixes_a_common_word(self) -> bool:
        """The written text is no known word and the fix makes one of the commonest words
        (about the 650 commonest of 2+ characters: 已经, 这次, 表示). Such a typo stays a
        typo however often it is written: an input method that learnt it repeats it."""
        return not self.written_known and self.candidate_logp >= COMMON_WORD_LOGP

    def explanation(self) -> str:
        """The reason with the figures behind it, e.g. 「以经」不是常用词；「已经」是；同音
        (detector 0.07, generator ×2.76e+03, lexicon +7.0 nats)."""
        figures = f"detector {self.detector:.2f}"
        if self.generator_ratio is not None:
            figures += f", generator ×{self.generator_ratio:.3g}"
        figures += f", lexicon {self.lexical_gain:+.1f} nats"
        return f"{self.reason()} ({figures})"

    def reason(self) -> str:
        """The reason in words, e.g. 「以经」不是常用词；「已经」是；同音."""
        parts = []
        if self.candidate_word:
            if self.written_known and self.candidate_logp - self.written_logp >= RARER_NATS:
                parts.append(f"「{self.written_word}」少见，「{self.candidate_word}」常用得多，"
                             f"此处「{self.candidate_word}」更通顺")
            elif self.written_known:
                parts.append(f"「{self.written_word}」和「{self.candidate_word}」都是词，"
                             f"此处「{self.candidate_word}」更通顺")
            else:
                parts.append(f"「{self.written_word}」不是常用词；「{self.candidate_word}」是")
        parts.append(KIND_WORDS.get(self.kind, self.kind))
        return "；".join(parts)

    def to_json(self) -> dict:
        """The evidence as JSON (the detector score rounded to 4 places, the generator ratio to
        4 significant digits, the lexical gain to 3)."""
        return {
            "detector": round(self.detector, 4),
            "generatorRatio": None if self.generator_ratio is None
            else float(f"{self.generator_ratio:.4g}"),
            "lexicalGain": round(self.lexical_gain, 3),
            "writtenWord": self.written_word,
            "candidateWord": self.candidate_word,
            "writtenKnown": self.written_known,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Finding:
    """A suspected misspelling at document offsets [start, end) (Python code-point indices)."""

    start: int
    end: int
    original: str
    # With a fitted combiner: the probability that this is an error and the best suggestion
    # its fix; without one: the discriminator's replaced-probability for the character.
    score: float
    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)
    context: str = ""  # the sentence the character was found in (for messages and hover)
    evidence: Evidence | None = None
    auto_fix: bool = True  # sure enough for fixes applied unasked (fix --write, Fix All)
    # False where a fix alone would break something (a Markdown reference label, whose
    # definition would no longer be found): reported, but never fixed automatically and
    # offered no quick fix.
    fixable: bool = True

    @property
    def best(self) -> Suggestion | None:
        """The best suggestion, or None when there is none."""
        return self.suggestions[0] if self.suggestions else None

    def relocated(self, offsets: Sequence[int]) -> Finding:
        """This finding, found in a sentence, moved to document offsets (`Segment.offsets`)."""
        start = offsets[self.start]
        return replace(self, start=start, end=start + (self.end - self.start))

    def to_json(self) -> dict:
        """The finding as `check --format json` prints it (offsets in code points)."""
        data = {
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "score": round(self.score, 4),
            "suggestions": [
                {"text": s.text, "probability": round(s.probability, 4), "score": round(s.score, 4)}
                for s in self.suggestions
            ],
            "autoFix": self.auto_fix,
        }
        if not self.fixable:
            data["fixable"] = False
        if self.evidence is not None:
            data["evidence"] = self.evidence.to_json()
            data["explanation"] = self.evidence.explanation()
        return data


def apply_findings(text: str, findings: Sequence[Finding], automatic: bool = False) -> str:
    """`text` with each finding's best suggestion applied (overlapping ones: first wins).

    automatic: only findings sure enough for fixes applied unasked (`Finding.auto_fix`) and
    that may be fixed alone (`Finding.fixable`).
    """
    pieces: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        best = finding.best
        if best is None or finding.start < position or \
                automatic and not (finding.auto_fix and finding.fixable):
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
