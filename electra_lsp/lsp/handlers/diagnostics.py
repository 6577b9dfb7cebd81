"""textDocument/diagnostic (pull): waits for the check of the current version."""

from __future__ import annotations

from lsprotocol import types

from electra_lsp.lsp.server import ElectraServer


async def pull_diagnostics(ls: ElectraServer, params: types.DocumentDiagnosticParams):
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    await ls.publisher.wait(document)
    result_id = f"{document.version}.{document.revision}"
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=ls.publisher.diagnostics(document),
                                                     result_id=result_id)
