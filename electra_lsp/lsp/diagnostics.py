"""Findings as LSP diagnostics: bilingual message, exact range, suggestions in `data`."""

from __future__ import annotations

from dataclasses import dataclass
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


# The keys of `Finding.to_json` a diagnostic carries (positions are the diagnostic's range;
# the evidence is in the message).
_FINDING_KEYS = ("original", "score", "autoFix", "suggestions", "fixable")


@dataclass(frozen=True)
class DiagnosticData:
    """What code actions need, carried in Diagnostic.data (clients send it back verbatim).

    On the wire: the finding's own JSON (`Finding.to_json`: original, score, autoFix,
    suggestions [{text, probability, score}], fixable only when false) plus `word`, the word
    offered to the user dictionary.
    """

    original: str
    word: str
    suggestions: tuple[str, ...]  # texts, best first
    fixable: bool = True  # False: a link label, which gets no quick fix
    json: Any = None  # the payload as sent

    @classmethod
    def of(cls, text: str, finding: Finding) -> DiagnosticData:
        """The payload of `finding` in a document whose text is `text`."""
        found = finding.to_json()
        word = context_word(text, finding)
        payload = {"word": word, **{k: found[k] for k in _FINDING_KEYS if k in found}}
        return cls(finding.original, word, tuple(s.text for s in finding.suggestions),
                   finding.fixable, payload)

    @classmethod
    def parse(cls, diagnostic: types.Diagnostic) -> DiagnosticData | None:
        """The payload of one of our diagnostics as a client sent it back; None when the
        diagnostic is another tool's or its data is not ours."""
        data = diagnostic.data
        if diagnostic.source != SOURCE or not isinstance(data, dict):
            return None
        original, raw = data.get("original"), data.get("suggestions")
        if not isinstance(original, str) or not isinstance(raw, list):
            return None
        texts = tuple(s["text"] for s in raw
                      if isinstance(s, dict) and isinstance(s.get("text"), str))
        word = data.get("word") if isinstance(data.get("word"), str) else original
        return cls(original, word, texts, data.get("fixable") is not False, data)


def to_diagnostic(document: Document, finding: Finding, codec: PositionCodec,
                  severity: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=document.range_at(finding.start, finding.end, codec),
        message=message(document.text, finding),
        severity=SEVERITIES.get(severity, types.DiagnosticSeverity.Information),
        code=CODE,
        source=SOURCE,
        data=DiagnosticData.of(document.text, finding).json,
    )

