"""Proofreading a pasted text: the findings, the corrected text and the reasons, for the
conversational adapters (`electra-lsp chat`, the `electraLsp.proofread` request, the VS Code
chat participant). A thin layer over `Checker.check`; it knows nothing of terminals or LSP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from electra_lsp.dictionary import UserDictionary
from electra_lsp.findings import Finding, apply_findings

MAX_TEXT = 200_000  # characters in one message: a chat message is a few pages, not a book


class ProofreadError(ValueError):
    """The text cannot be proofread (too long, not a string); the message says why."""


@dataclass(frozen=True)
class Proofread:
    """A proofread text: its corrected form and the findings (code-point offsets into it)."""

    text: str
    findings: tuple[Finding, ...]  # sorted by position, offsets into `text` (code points)

    @property
    def corrected(self) -> str:
        """The text with every finding's best suggestion applied."""
        return apply_findings(self.text, self.findings)

    def marked(self, mark: Callable[[str, str], str] = lambda written, fix: f"【{written}→{fix}】"
               ) -> str:
        """The text with each finding replaced by `mark(written, best suggestion)`."""
        pieces, position = [], 0
        for finding in self.findings:
            if finding.best is None or finding.start < position:
                continue
            pieces += [self.text[position:finding.start],
                       mark(self.text[finding.start:finding.end], finding.best.text)]
            position = finding.end
        pieces.append(self.text[position:])
        return "".join(pieces)

    def lines(self) -> list[str]:
        """One line per finding: number, 原 → 建议 (others), probability, reason."""
        result = []
        for number, finding in enumerate(self.findings, start=1):
            best = finding.best
            others = "、".join(s.text for s in finding.suggestions[1:])
            reason = finding.evidence.reason() if finding.evidence else ""
            result.append(f"{number}. {finding.original} → {best.text if best else '?'}"
                          + (f" (或 {others})" if others else "")
                          + f"  {finding.score:.2f}" + (f"  {reason}" if reason else ""))
        return result

    def to_json(self, offset: Callable[[int], int] = lambda index: index) -> dict:
        """{corrected, findings: [{start, end, original, suggestions, score, explanation,
        autoFix}]}; `offset` converts code-point offsets (e.g. to UTF-16 code units)."""
        findings = []
        for finding in self.findings:
            data = finding.to_json()
            findings.append({
                "start": offset(finding.start), "end": offset(finding.end),
                "original": finding.original, "suggestions": data["suggestions"],
                "score": data["score"],
                "explanation": data.get("explanation", ""), "autoFix": finding.auto_fix,
            })
        return {"corrected": self.corrected, "findings": findings}


def proofread(check: Callable[[str, str], list[Finding]], text: object,
              kind: str = "plaintext", ignored: frozenset[str] = frozenset()) -> Proofread:
    """Check `text` (a pasted message; kind "plaintext" or "markdown") with `check` (normally
    `Checker.check`), leaving out findings inside an `ignored` word.

    Raises ProofreadError when `text` is not a string or longer than MAX_TEXT characters."""
    if not isinstance(text, str):
        raise ProofreadError("text must be a string")
    if len(text) > MAX_TEXT:
        raise ProofreadError(f"text too long: {len(text):,} characters (at most {MAX_TEXT:,} "
                             "in one message)")
    if kind not in ("plaintext", "markdown"):
        raise ProofreadError(f"kind must be plaintext or markdown, got {kind!r}")
    skipped = UserDictionary(words=set(ignored))  # in memory: the same covering rule
    findings = [f for f in check(text, kind) if not skipped.covers(text, f.start, f.end)]
    return Proofread(text, tuple(findings))
