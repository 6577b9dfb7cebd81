"""Getting results to the client: a check's result is stored on its document, and what would be
shown is pushed (`textDocument/publishDiagnostics`) or, for a client that pulls, handed to the
pull requests waiting for it, else announced with `workspace/diagnostic/refresh`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types

from electra_lsp.lsp import config
from electra_lsp.lsp.diagnostics import to_diagnostic
from electra_lsp.lsp.documents import CheckResult, Document
from electra_lsp.lsp.model_host import describe_error
from electra_lsp.lsp.scheduler import Priority

if TYPE_CHECKING:
    from electra_lsp.lsp.runner import Snapshot
    from electra_lsp.lsp.server import ElectraServer

REFRESH_DELAY = 0.05  # seconds: changes to several documents become one refresh request


class Publisher:
    def __init__(self, ls: ElectraServer) -> None:
        self._ls = ls
        self.pull = False  # the client pulls diagnostics (textDocument/diagnostic)
        self.last_latency_ms: float | None = None
        self._refresh_pending = False

    def result(self, document: Document, result: CheckResult) -> None:
        """A check finished: keep its result and show it."""
        if self._ls.shutdown_requested:
            return
        document.result = result
        if result.sentences:
            self.last_latency_ms = result.seconds * 1000
        self.changed(document)

    def failed(self, snapshot: Snapshot, error: Exception) -> None:
        """The check of `snapshot` failed: say so in the log and show nothing for its document
        (a result of the snapshot's version and generation, not of the current ones)."""
        document = snapshot.document
        if document.closed:
            return
        self._ls.log_to_client(types.MessageType.Error, f"electra-lsp: checking {document.uri} "
                                                        f"failed: {describe_error(error)}")
        self.result(document, CheckResult.nothing(snapshot.version, snapshot.generation))

    def changed(self, document: Document) -> None:
        """What would be shown for `document` may have changed: push it, or let pull waiters
        see it. For a pulling client the result id moves only when the version or the
        diagnostics do: a re-check with the same outcome (the workspace's vocabulary arriving,
        say) answers a pull with `unchanged` and asks for no refresh."""
        if self.pull:
            shown = (document.version, self.diagnostics(document))
            if shown == document.shown:
                document.wake()
                return
            document.shown = shown
        woken = document.changed()
        if not self.pull:
            self.publish(document)
        elif not woken:
            self.request_refresh()  # nobody is waiting: ask the client to pull again

    def changed_all(self) -> None:
        for document in self._ls.documents:
            self.changed(document)

    def clear_all(self) -> None:
        """No models: nothing is shown, and nobody waits for results that will not come."""
        for document in self._ls.documents:
            document.result = None
        self.changed_all()

    async def wait(self, document: Document) -> None:
        """Until the current version of `document` is checked with the current models and
        settings (or cannot be: closed, no models, not a checked document, shutting down).
        Fix All right after a settings change must not apply what the old settings found."""
        ls = self._ls
        loop = asyncio.get_running_loop()
        while not document.closed and ls.host.state != "error" and not ls.shutdown_requested \
                and config.checked_kind(ls.settings, document.language_id,
                                        len(document.text)) is not None:
            result = document.result
            if result is not None and result.version == document.version \
                    and result.generation == ls.host.generation:
                return
            # Queued now, ahead of a background re-check (the queue keeps the most urgent).
            if ls.runner.current != document.uri:
                ls.queue.schedule(document.uri, Priority.EDIT)
            waiter: asyncio.Future[None] = loop.create_future()
            document.waiters.append(waiter)
            await waiter

    def diagnostics(self, document: Document) -> list[types.Diagnostic]:
        """What is shown for `document` now (nothing when it is not, or no longer, checked)."""
        settings = self._ls.settings
        findings = document.findings() or []
        if config.checked_kind(settings, document.language_id, len(document.text)) is None:
            findings = []
        return [to_diagnostic(document, f, self._ls.codec, settings.severity) for f in findings]

    def publish(self, document: Document) -> None:
        self._ls.send(self._ls.text_document_publish_diagnostics, types.PublishDiagnosticsParams(
            uri=document.uri, diagnostics=self.diagnostics(document), version=document.version))

    def closed(self, uri: str) -> None:
        """Clear what was shown for a document that closed (a pull client asks no more)."""
        if not self.pull:
            self._ls.send(self._ls.text_document_publish_diagnostics,
                          types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def request_refresh(self) -> None:
        if self._refresh_pending or \
                not self._ls.client_supports("workspace.diagnostics.refresh_support"):
            return
        self._refresh_pending = True

        def send() -> None:
            self._refresh_pending = False
            self._ls.send(self._ls.workspace_diagnostic_refresh, None)

        asyncio.get_running_loop().call_later(REFRESH_DELAY, send)
