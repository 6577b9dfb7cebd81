"""Findings as LSP diagnostics: bilingual message, exact range, suggestions in `data`."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from electra_lsp.engine.charclass import is_cjk
from electra_lsp.findings import Finding
from electra_lsp.lsp.constants import CODE, SOURCE
from electra_lsp.lsp.documents import Document

# Appended to the message of a finding that may not be fixed alone (`Finding.fixable`).
LINK_LABEL_NOTE = " (link label: fix it together with its definition)"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def context_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The flagged characters with their Chinese neighbour on each side (what a reader sees)."""
    if start > 0 and is_cjk(text[start - 1]):
        start -= 1
    if end < len(text) and is_cjk(text[end]):
        end += 1
    return start, end


def context_word(text: str, finding: Finding) -> str:
    """The word offered to the user dictionary: the written word the fix would change (以经,
    侯选人) when the fused decision knows it, else the flagged character with its neighbours."""
    if finding.evidence is not None and len(finding.evidence.written_word) > 1:
        return finding.evidence.written_word
    start, end = context_span(text, finding.start, finding.end)
    return text[start:end]


def message(text: str, finding: Finding) -> str:
    start, end = context_span(text, finding.start, finding.end)
    written = text[start:end]
    best = finding.best
    label = "" if finding.fixable else LINK_LABEL_NOTE
    if best is None:
        return f"疑似错字「{written}」 (possible typo: {finding.original}){label}"
    corrected = text[start:finding.start] + best.text + text[finding.end:end]
    reason = f"\n{finding.evidence.reason()}" if finding.evidence is not None else ""
    return (f"疑似错字「{written}」→「{corrected}」? "
            f"(possible typo: {finding.original} → {best.text}){label}{reason}")


def finding_data(text: str, finding: Finding) -> dict[str, Any]:
    """What code actions need, carried in Diagnostic.data (clients send it back verbatim)."""
    data: dict[str, Any] = {
        "original": finding.original,
        "word": context_word(text, finding),
        "score": round(finding.score, 4),
        "autoFix": finding.auto_fix,
        "suggestions": [
            {"text": s.text, "probability": round(s.probability, 4), "score": round(s.score, 4)}
            for s in finding.suggestions
        ],
    }
    if not finding.fixable:
        data["fixable"] = False  # no quick fix (a link label)
    return data


def to_diagnostic(document: Document, finding: Finding, codec: PositionCodec,
                  severity: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=document.range_at(finding.start, finding.end, codec),
        message=message(document.text, finding),
        severity=SEVERITIES.get(severity, types.DiagnosticSeverity.Information),
        code=CODE,
        source=SOURCE,
        data=finding_data(document.text, finding),
    )


def suggestions_of(diagnostic: types.Diagnostic) -> tuple[str, list[str]] | None:
    """(original, suggestion texts best first) from one of our diagnostics, or None."""
    data = diagnostic.data
    if diagnostic.source != SOURCE or not isinstance(data, dict):
        return None
    original = data.get("original")
    raw = data.get("suggestions")
    if not isinstance(original, str) or not isinstance(raw, list):
        return None
    texts = [s["text"] for s in raw if isinstance(s, dict) and isinstance(s.get("text"), str)]
    return original, texts
