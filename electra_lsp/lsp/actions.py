"""Code actions: one quick fix per suggestion, add to dictionary, ignore in this document, and
`source.fixAll.electraLsp` applying the best suggestion everywhere.

Quick fixes use the range of the diagnostic the client sends back and are versioned, so an edit
computed for an older text is rejected by the client instead of corrupting the document; a
diagnostic whose range no longer holds the flagged character is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from electra_lsp.findings import Finding
from electra_lsp.lsp.constants import ADD_TO_DICTIONARY, FIX_ALL_KIND, IGNORE_IN_DOCUMENT
from electra_lsp.lsp.diagnostics import DiagnosticData
from electra_lsp.lsp.documents import Document


def wants(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a client's `only` filter admits `kind` (kinds are hierarchical: a.b admits a.b.c)."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def workspace_edit(document: Document, edits: list[types.TextEdit],
                   versioned: bool) -> types.WorkspaceEdit:
    if versioned:
        identifier = types.OptionalVersionedTextDocumentIdentifier(
            uri=document.uri, version=document.version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])
    return types.WorkspaceEdit(changes={document.uri: edits})


def quick_fixes(document: Document, diagnostic: types.Diagnostic, codec: PositionCodec,
                versioned: bool) -> list[types.CodeAction]:
    data = DiagnosticData.parse(diagnostic)
    if data is None:
        return []
    original, word = data.original, data.word
    start, end = document.offsets_of(diagnostic.range, codec)
    if document.text[start:end] != original:
        return []  # the text moved on since this diagnostic was computed
    # A link label: fixing it alone would break the link.
    suggestions = data.suggestions if data.fixable else ()
    actions = [
        types.CodeAction(
            title=f"改为「{text}」 (replace {original} with {text})",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=rank == 0,
            edit=workspace_edit(document, [types.TextEdit(range=diagnostic.range,
                                                          new_text=text)], versioned),
        )
        for rank, text in enumerate(suggestions)
    ]
    actions.append(types.CodeAction(
        title=f"将「{word}」加入词典 (add 「{word}」 to dictionary)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(title=f"add 「{word}」 to dictionary", command=ADD_TO_DICTIONARY,
                              arguments=[word]),
    ))
    actions.append(types.CodeAction(
        title=f"在本文档中忽略「{original}」 (ignore 「{original}」 in this document)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        command=types.Command(title=f"ignore 「{original}」 in this document",
                              command=IGNORE_IN_DOCUMENT, arguments=[document.uri, original]),
    ))
    return actions


def fix_all_edits(document: Document, findings: Sequence[Finding],
                  codec: PositionCodec) -> list[types.TextEdit]:
    """The best suggestion for every finding sure enough to apply unasked (`auto_fix`, see
    the autoFixThreshold setting) and fixable alone (`fixable`); findings are for the
    document's current text."""
    return [
        types.TextEdit(range=document.range_at(f.start, f.end, codec), new_text=f.best.text)
        for f in findings
        if f.best is not None and f.auto_fix and f.fixable
        and document.text[f.start:f.end] == f.original
    ]


def fix_all_action(document: Document, findings: Sequence[Finding], codec: PositionCodec,
                   versioned: bool) -> types.CodeAction | None:
    edits = fix_all_edits(document, findings, codec)
    if not edits:
        return None
    return types.CodeAction(
        title=f"修正全部错字 (fix all {len(edits)} possible typo{'' if len(edits) == 1 else 's'})",
        kind=FIX_ALL_KIND,
        edit=workspace_edit(document, edits, versioned),
    )


def code_actions(document: Document, only: Sequence[str] | None,
                 diagnostics: Sequence[types.Diagnostic], findings: Sequence[Finding] | None,
                 codec: PositionCodec, versioned: bool) -> list[types.CodeAction]:
    """Actions for `diagnostics` (ours, in the requested range) and the whole document.

    `findings`: those of the document's current version, or None when not yet known.
    """
    actions: list[types.CodeAction] = []
    if wants(only, types.CodeActionKind.QuickFix):
        for diagnostic in diagnostics:
            actions.extend(quick_fixes(document, diagnostic, codec, versioned))
    if findings and wants(only, FIX_ALL_KIND):
        action = fix_all_action(document, findings, codec, versioned)
        if action is not None:
            actions.append(action)
    return actions
