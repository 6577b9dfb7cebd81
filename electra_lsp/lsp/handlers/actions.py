"""textDocument/codeAction and textDocument/hover over the findings of a document."""

from __future__ import annotations

from lsprotocol import types

from electra_lsp.lsp import actions
from electra_lsp.lsp import hover as hovers
from electra_lsp.lsp.constants import SOURCE
from electra_lsp.lsp.diagnostics import to_diagnostic
from electra_lsp.lsp.documents import Document
from electra_lsp.lsp.server import ElectraServer

VERSIONED_EDITS = "workspace.workspace_edit.document_changes"


def _findings(ls: ElectraServer, document: Document):
    """The findings shown for the current version, or None (not checked, or not yet)."""
    from electra_lsp.lsp.config import checked_kind

    if checked_kind(ls.settings, document.language_id, len(document.text)) is None:
        return None
    return document.findings()


def code_action(ls: ElectraServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return []
    findings = _findings(ls, document)
    ours = [d for d in params.context.diagnostics if d.source == SOURCE]
    if not ours and findings:  # a client that sends no diagnostics: use what we know
        start, end = document.offsets_of(params.range, ls.codec)
        ours = [to_diagnostic(document, f, ls.codec, ls.settings.severity)
                for f in findings if f.start <= end and f.end >= start]
    return actions.code_actions(document, params.context.only, ours, findings, ls.codec,
                                ls.client_supports(VERSIONED_EDITS))


def hover(ls: ElectraServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None or params.position.line >= document.line_count:
        return None
    findings = _findings(ls, document)
    if not findings:
        return None
    finding = hovers.finding_at(findings, document.offset_at(params.position, ls.codec))
    if finding is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                     value=hovers.hover_markdown(document.text, finding)),
        range=document.range_at(finding.start, finding.end, ls.codec),
    )
