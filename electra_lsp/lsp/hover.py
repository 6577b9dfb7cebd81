"""Hover over a flagged character: the evidence in words, the probability and the ranked
suggestions."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from electra_lsp.findings import Finding
from electra_lsp.lsp.diagnostics import context_word


def finding_at(findings: Sequence[Finding], offset: int) -> Finding | None:
    """The finding covering `offset` (findings sorted by start and not overlapping)."""
    index = bisect_right([f.start for f in findings], offset) - 1
    if index >= 0 and findings[index].start <= offset < findings[index].end:
        return findings[index]
    return None


def hover_markdown(text: str, finding: Finding) -> str:
    lines = [
        f"**electra-lsp** 疑似错字「{context_word(text, finding)}」 (possible typo: "
        f"`{finding.original}`)",
        "",
    ]
    if finding.evidence is not None:
        evidence = finding.evidence
        lines += [
            f"{evidence.explanation()}",
            "",
            f"probability of a typo with this fix: **{finding.score:.2f}**"
            + ("" if finding.auto_fix else " (not applied by Fix All: below autoFixThreshold)"),
            "",
        ]
    else:
        lines += [f"discriminator score (replaced probability): **{finding.score:.2f}**", ""]
    if finding.suggestions:
        # "generator": the masked LM's p(suggestion), one piece of evidence; "score": the
        # decision's probability of a typo with this fix (the figure above for the first).
        lines += ["| # | suggestion 建议 | generator p | score |", "|---|---|---|---|"]
        lines += [
            f"| {rank} | {s.text} | {s.probability:.2f} | {s.score:.2f} |"
            for rank, s in enumerate(finding.suggestions, start=1)
        ]
    else:
        lines.append("no suggestion")
    return "\n".join(lines)
