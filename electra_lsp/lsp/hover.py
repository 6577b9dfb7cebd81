"""Hover over a flagged character: the detector's score and the ranked suggestions."""

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
        f"discriminator score (replaced probability): **{finding.score:.3f}**",
        "",
    ]
    if finding.suggestions:
        lines += ["| # | suggestion 建议 | probability | score |", "|---|---|---|---|"]
        lines += [
            f"| {rank} | {s.text} | {s.probability:.3f} | {s.score:.3f} |"
            for rank, s in enumerate(finding.suggestions, start=1)
        ]
    else:
        lines.append("no suggestion")
    return "\n".join(lines)
