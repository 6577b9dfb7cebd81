"""The language server: the wiring of its parts, and what every part needs from the client.

pygls 2. The parts: the open documents and their state (documents.py), the check queue
(scheduler.py), the runner that checks in the model worker (runner.py, worker.py), the models
(model_host.py), settings (config.py), getting diagnostics to the client (publish.py), and the
LSP methods (handlers/, registered in handlers/__init__.py). Everything runs on the event loop;
only model loading and inference run in the model worker thread. No torch/transformers import
happens on this module's import path, so `initialize` is answered at once; the models load
after `initialized`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import FeatureRequestError, JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from electra_lsp import __version__
from electra_lsp.lsp import config
from electra_lsp.lsp.constants import SERVER_NAME
from electra_lsp.lsp.documents import DocumentStore
from electra_lsp.lsp.model_host import ModelHost
from electra_lsp.lsp.publish import Publisher
from electra_lsp.lsp.runner import CheckRunner, Snapshot
from electra_lsp.lsp.scheduler import CheckQueue, Priority
from electra_lsp.lsp.worker import ModelWorker
from electra_lsp.lsp.workspace_host import WorkspaceHost
from electra_lsp.settings import Settings

if TYPE_CHECKING:
    from electra_lsp.workspace import WorkspaceVocabulary

log = logging.getLogger(__name__)


class ElectraProtocol(LanguageServerProtocol):
    """pygls' protocol without its copy of the open documents: `DocumentStore` holds the only
    one (see `Document`). The handlers in handlers/sync.py keep it."""

    def structure_message(self, data: dict[str, Any]):
        """pygls 2.1 raises on a request whose params do not fit the method (a hover without
        a position) before any handler runs, and only logs it: the client would wait for the
        answer for ever. A request gets its JSON-RPC error response (-32602) here."""
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=error.to_response_error())
            raise

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        """pygls 2.1 files the future of every handler it runs under its message id and takes
        it out only when it answers a request: notifications (a fresh uuid each, for the
        builtin generator handlers and async user handlers) and the steps of generator
        handlers stay for good, about 1 KB per didChange, so a long session grows without
        bound (issue 13's soak). Each future leaves the table once it is done; cancelling a
        request needs it only while it runs."""
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            def forget(done, table=self._request_futures) -> None:
                if table.get(msg_id) is done:
                    del table[msg_id]
            future.add_done_callback(forget)

    def _user(self, method: str, params: Any):
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)


class ElectraServer(LanguageServer):
    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(SERVER_NAME, __version__, protocol_cls=ElectraProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.base_settings = settings or Settings()  # command line + initializationOptions
        self.settings = self.base_settings
        self.documents = DocumentStore()
        self.queue = CheckQueue()
        self.worker = ModelWorker()
        self.host = ModelHost(self)
        self.publisher = Publisher(self)
        self.runner = CheckRunner(self.queue, self.worker, self.snapshot,
                                  lambda: self.host.generation, self.publisher)
        self.workspace_host = WorkspaceHost(self)
        self.started = False  # after `initialized`
        self.shutdown_requested = False
        self.exit_code: int | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._deferred_messages: list[tuple[types.MessageType, str]] = []

    def start(self) -> None:
        """After `initialized`: flush deferred messages, start checking."""
        self.started = True
        for kind, message in self._deferred_messages:
            self.show(kind, message)
        self._deferred_messages.clear()
        self.spawn(self.runner.run_forever())

    # -- checking ---------------------------------------------------------------------------
    def snapshot(self, uri: str) -> Snapshot | None:
        """What the runner checks a dequeued document with; None: closed, or no models yet
        (every open document is queued again when they load). A document too large to check
        is said so once."""
        document, checker = self.documents.get(uri), self.host.checker()
        if document is None or checker is None:
            return None
        size = len(document.text)
        kind = config.checked_kind(self.settings, document.language_id, size)
        if config.checks_language(self.settings, document.language_id):
            if kind is None and not document.refused:
                self.show(types.MessageType.Warning, f"electra-lsp: {uri} has {size:,} "
                          f"characters, more than maxDocumentSize "
                          f"({self.settings.maxDocumentSize:,}); it is not checked.")
            document.refused = kind is None
        return Snapshot(document, document.version, kind, checker, self.host.generation,
                        self.vocabulary)

    @property
    def vocabulary(self) -> WorkspaceVocabulary | None:
        """The workspace's vocabulary (workspace_host.py): None until read or without a folder."""
        return self.workspace_host.vocabulary

    def recheck_all(self, priority: Priority = Priority.BACKGROUND) -> None:
        for document in self.documents:
            self.queue.schedule(document.uri, priority)

    # -- the client ---------------------------------------------------------------------------
    def client_supports(self, field: str) -> bool:
        return bool(get_capability(self.client_capabilities, field, None))

    @property
    def codec(self):
        return self.workspace.position_codec

    def send(self, send: Callable[..., Any], *args: Any) -> None:
        """Send to the client; a client that went away must not break the caller."""
        try:
            send(*args)
        except Exception as error:  # BrokenPipeError, closed transport
            log.warning("cannot reach the client: %s", error)

    def show(self, kind: types.MessageType, message: str) -> None:
        """A message for the user (window/showMessage), held back until `initialized`."""
        if not self.started:
            self._deferred_messages.append((kind, message))
            return
        self.send(self.window_show_message, types.ShowMessageParams(type=kind, message=message))

    def log_to_client(self, kind: types.MessageType, message: str) -> None:
        log.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, "%s", message)
        self.send(self.window_log_message, types.LogMessageParams(type=kind, message=message))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Malformed input and handler failures go to the log, not to pop-ups."""
        if source is FeatureRequestError:
            return  # already answered with an error response
        self.log_to_client(types.MessageType.Error, f"electra-lsp: {error}")

    def spawn(self, coroutine) -> asyncio.Task[Any]:
        """Run `coroutine` in the background; its failure is logged, never lost."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())
