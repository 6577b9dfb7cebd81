"""The LSP methods the server answers, registered on an ElectraServer."""

from __future__ import annotations

from lsprotocol import types

from electra_lsp.lsp import actions, hover
from electra_lsp.lsp.config import section_values
from electra_lsp.lsp.constants import FIX_ALL_KIND, SOURCE
from electra_lsp.lsp.diagnostics import to_diagnostic
from electra_lsp.lsp.scheduler import Priority
from electra_lsp.lsp.server import ElectraServer


def register(server: ElectraServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        # Runs inside pygls' initialize, before the capabilities are computed: pull diagnostics
        # are offered only to clients that announce them (the others get pushed diagnostics).
        server.pull = get_diagnostic_capability(params) is not None
        if server.pull:
            server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
                identifier=SOURCE, inter_file_dependencies=False,
                workspace_diagnostics=False))(pull_diagnostics)
        server.apply_initialization_options(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        server.start()
        if server.client_supports("workspace.configuration"):
            await server.pull_configuration()
        await server.load_models()

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.shutdown_requested = True  # no more checks or diagnostics

    @server.feature(types.EXIT)
    def exit_(params: None) -> None:
        server.exit_code = 0 if server.shutdown_requested else 1

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        document = server.documents.open(params.text_document)
        server.refused.discard(document.uri)
        server.schedule(document, Priority.OPEN)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        document = server.documents.get(params.text_document.uri)
        if document is None:
            return  # pygls has already reported a change to a document never opened
        document.apply(params.content_changes, params.text_document.version, server.codec)
        server.schedule(document, Priority.EDIT, server.settings.debounceMs / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.documents.close(uri)
        server.queue.discard(uri)
        server.runner.forget(uri)
        for table in (server.results, server.ignored, server.revisions):
            table.pop(uri, None)
        server.refused.discard(uri)
        server.wake(uri)
        if not server.pull:  # clear what was shown for it
            server._safely(server.text_document_publish_diagnostics,
                           types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        if server.client_supports("workspace.configuration"):
            await server.pull_configuration()
            return
        values = section_values(params.settings)
        if values is not None:
            server.apply_configuration(values)

    async def pull_diagnostics(params: types.DocumentDiagnosticParams):
        document = server.documents.get(params.text_document.uri)
        if document is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        await server.wait_for_result(document)
        result_id = f"{document.version}.{server.revisions.get(document.uri, 0)}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=server.diagnostics(document),
                                                         result_id=result_id)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]))
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        document = server.documents.get(params.text_document.uri)
        if document is None:
            return []
        findings = server.findings(document) if server.checks_document(document) else None
        ours = [d for d in params.context.diagnostics if d.source == SOURCE]
        if not ours and findings:  # a client that sends no diagnostics: use what we know
            start, end = document.offsets_of(params.range, server.codec)
            ours = [to_diagnostic(document, f, server.codec, server.settings.severity)
                    for f in findings if f.start <= end and f.end >= start]
        versioned = server.client_supports("workspace.workspace_edit.document_changes")
        return actions.code_actions(document, params.context.only, ours, findings,
                                    server.codec, versioned)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover_(params: types.HoverParams) -> types.Hover | None:
        document = server.documents.get(params.text_document.uri)
        if document is None:
            return None
        findings = server.findings(document)
        if not findings or not server.checks_document(document):
            return None
        if params.position.line >= document.line_count:
            return None
        finding = hover.finding_at(findings, document.offset_at(params.position, server.codec))
        if finding is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                         value=hover.hover_markdown(document.text, finding)),
            range=document.range_at(finding.start, finding.end, server.codec),
        )


def get_diagnostic_capability(params: types.InitializeParams):
    text_document = params.capabilities.text_document
    return text_document.diagnostic if text_document is not None else None
