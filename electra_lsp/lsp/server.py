"""The language server's state and behaviour: model lifecycle, checking, publishing, settings.

pygls 2. The LSP handlers live in `features.py` and `commands.py`; this module keeps what they
share. Everything here runs on the event loop; only model loading and inference run in the
model worker thread. No torch/transformers import happens on this module's import path, so
`initialize` is answered at once; the models load after `initialized`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer

from electra_lsp import __version__
from electra_lsp.findings import Finding
from electra_lsp.lsp import config
from electra_lsp.lsp.constants import SERVER_NAME, STATUS_NOTIFICATION
from electra_lsp.lsp.diagnostics import to_diagnostic
from electra_lsp.lsp.documents import Document, DocumentStore
from electra_lsp.lsp.model_host import LoadedModels, describe_error, open_dictionary
from electra_lsp.lsp.runner import CheckResult, CheckRunner
from electra_lsp.lsp.scheduler import CheckQueue, Priority
from electra_lsp.lsp.worker import ModelWorker
from electra_lsp.settings import SECTION, Settings

log = logging.getLogger(__name__)
CLIENT_REQUEST_TIMEOUT = 10.0  # seconds to wait for the client to answer one of our requests


class ElectraServer(LanguageServer):
    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__(SERVER_NAME, __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.base_settings = settings or Settings()  # command line + initializationOptions
        self.settings = self.base_settings
        self.documents = DocumentStore()
        self.queue = CheckQueue()
        self.worker = ModelWorker()
        self.runner = CheckRunner(self.documents, self.queue, self.worker, self.checker,
                                  lambda: self.generation, self.kind_of, self.on_result,
                                  self.on_failure)
        self.models: LoadedModels | None = None
        self.state = "starting"
        self.state_message = "waiting for the client"
        self.generation = 0  # bumped when models or settings change: older checks are stale
        self.results: dict[str, CheckResult] = {}
        self.ignored: dict[str, set[str]] = {}  # per document: characters or words not reported
        self.refused: set[str] = set()  # documents already told they are too large
        self.revisions: dict[str, int] = {}  # per document: changes to what would be shown
        self.waiters: dict[str, list[asyncio.Future[None]]] = {}
        self.pull = False  # the client pulls diagnostics (textDocument/diagnostic)
        self.shutdown_requested = False
        self.exit_code: int | None = None
        self.last_latency_ms: float | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loads = 0
        self._refresh_pending = False
        self._deferred_messages: list[tuple[types.MessageType, str]] = []
        self._initialized = False

    # -- client capabilities and messages ------------------------------------------------
    def client_supports(self, field: str) -> bool:
        return bool(get_capability(self.client_capabilities, field, None))

    @property
    def codec(self):
        return self.workspace.position_codec

    def _safely(self, send: Callable[..., Any], *args: Any) -> None:
        """Send to the client; a client that went away must not break the caller."""
        try:
            send(*args)
        except Exception as error:  # BrokenPipeError, closed transport
            log.warning("cannot reach the client: %s", error)

    def show(self, kind: types.MessageType, message: str) -> None:
        if not self._initialized:
            self._deferred_messages.append((kind, message))
            return
        self._safely(self.window_show_message, types.ShowMessageParams(type=kind, message=message))

    def log_to_client(self, kind: types.MessageType, message: str) -> None:
        log.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, "%s", message)
        self._safely(self.window_log_message, types.LogMessageParams(type=kind, message=message))

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Malformed input and handler failures go to the log, not to pop-ups."""
        if source is FeatureRequestError:
            return  # already answered with an error response
        self.log_to_client(types.MessageType.Error, f"electra-lsp: {error}")

    def spawn(self, coroutine) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    def start(self) -> None:
        """After `initialized`: flush deferred messages, start checking, load the models."""
        self._initialized = True
        for kind, message in self._deferred_messages:
            self.show(kind, message)
        self._deferred_messages.clear()
        self.spawn(self.runner.run_forever())

    # -- status ---------------------------------------------------------------------------
    def set_state(self, state: str, message: str) -> None:
        self.state, self.state_message = state, message
        log.info("state %s: %s", state, message)
        self._safely(self.protocol.notify, STATUS_NOTIFICATION,
                     {"state": state, "message": message})

    def status(self) -> dict[str, Any]:
        checker = self.models.checker if self.models else None
        stats = checker.stats if checker else None
        # An enum in some pygls versions, a str in others: always the wire value ("utf-16").
        encoding = self.workspace.position_encoding
        encoding = str(getattr(encoding, "value", encoding))
        return {
            "state": self.state,
            "message": self.state_message,
            "model": self.models.model if self.models else None,
            "backend": self.models.backend if self.models else None,
            "device": self.models.device if self.models else None,
            "lexicon": self.models.lexicon if self.models else None,
            "decision": None if checker is None
            else "fused" if checker.combiner is not None else "models only",
            "sentencesChecked": stats.sentences_checked if stats else 0,
            "cacheHits": stats.cache_hits if stats else 0,
            "cacheMisses": stats.cache_misses if stats else 0,
            "cacheHitRate": round(stats.hit_rate, 4) if stats else 0.0,
            "lastLatencyMs": None if self.last_latency_ms is None
            else round(self.last_latency_ms, 1),
            "documents": len(self.documents),
            "checksDropped": self.runner.dropped,
            "checksSuspended": self.runner.suspensions,
            "positionEncoding": encoding,
            "diagnosticMode": "pull" if self.pull else "push",
            "settings": self.settings.to_json(),
        }

    # -- models ---------------------------------------------------------------------------
    def checker(self):
        if self.models is None or self.state != "ready" or self.shutdown_requested:
            return None
        return self.models.checker

    async def load_models(self) -> None:
        from electra_lsp.lsp.model_host import build_checker, load_models_backend

        self.generation += 1
        generation, settings = self.generation, self.settings
        started = time.perf_counter()
        self._loads += 1
        what = "models " + " + ".join(
            name for name in (settings.discriminator, settings.generator) if name) \
            if settings.discriminator or settings.generator else "the default models"
        self.set_state("loading", f"loading {what}")
        token = await self.begin_progress(f"electra-lsp: loading {what}")
        try:
            backend = await self.worker.run(partial(load_models_backend, settings))
            self.report_progress(token, "loading the lexicon and confusion sets", 70)
            loaded = await self.worker.run(partial(build_checker, backend, settings))
        except Exception as error:
            self.end_progress(token, "failed")
            if generation != self.generation:
                return  # a newer load is under way
            message = describe_error(error)
            self.models = None
            self.set_state("error", message)
            self.show(types.MessageType.Error, f"electra-lsp: cannot load the models: {message}")
            self.clear_all()
            return
        self.end_progress(token, "ready")
        if generation != self.generation:
            return
        if self.settings != settings:
            loaded.checker.update_settings(self.settings)
        loaded.seconds = time.perf_counter() - started
        self.models = loaded
        for warning in loaded.warnings:
            self.show(types.MessageType.Warning, f"electra-lsp: {warning}")
        self.set_state("ready", f"{loaded.model} ({loaded.backend}, {loaded.device}) loaded "
                                f"in {loaded.seconds:.1f} s")
        self.recheck_all(Priority.OPEN)

    async def begin_progress(self, title: str) -> str | None:
        if not self.client_supports("window.work_done_progress"):
            return None
        token = f"electra-lsp-load-{self._loads}"
        try:
            await asyncio.wait_for(self.work_done_progress.create_async(token),
                                   CLIENT_REQUEST_TIMEOUT)
            self.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title=title, message="loading discriminator and generator", percentage=0,
                cancellable=False))
        except Exception as error:  # the client refused or did not answer: no progress bar
            log.info("no progress reporting: %s", error)
            return None
        return token

    def report_progress(self, token: str | None, message: str, percentage: int) -> None:
        if token is not None:
            self._safely(self.work_done_progress.report, token,
                         types.WorkDoneProgressReport(message=message, percentage=percentage))

    def end_progress(self, token: str | None, message: str) -> None:
        if token is not None:
            self._safely(self.work_done_progress.end, token,
                         types.WorkDoneProgressEnd(message=message))

    # -- checking -------------------------------------------------------------------------
    def checks_document(self, document: Document) -> bool:
        return config.checks_language(self.settings, document.language_id) and \
            len(document.text) <= self.settings.maxDocumentSize

    def kind_of(self, document: Document) -> str | None:
        """The text kind to check `document` as, or None when it is not checked."""
        if not config.checks_language(self.settings, document.language_id):
            return None
        size, limit = len(document.text), self.settings.maxDocumentSize
        if size > limit:
            if document.uri not in self.refused:
                self.refused.add(document.uri)
                self.show(types.MessageType.Warning,
                          f"electra-lsp: {document.uri} has {size:,} characters, more than "
                          f"maxDocumentSize ({limit:,}); it is not checked.")
            return None
        self.refused.discard(document.uri)
        return config.document_kind(document.language_id)

    def schedule(self, document: Document, priority: Priority, delay: float = 0.0) -> None:
        self.queue.schedule(document.uri, priority, delay)

    def recheck_all(self, priority: Priority = Priority.BACKGROUND) -> None:
        for document in self.documents:
            self.schedule(document, priority)

    def on_result(self, document: Document, result: CheckResult) -> None:
        if self.shutdown_requested:
            return
        self.results[document.uri] = result
        if result.sentences:
            self.last_latency_ms = result.seconds * 1000
        self.diagnostics_changed(document)

    def on_failure(self, uri: str, error: Exception) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        self.log_to_client(types.MessageType.Error,
                           f"electra-lsp: checking {uri} failed: {describe_error(error)}")
        self.on_result(document, CheckResult(document.version, [], 0, 0.0))

    def diagnostics_changed(self, document: Document) -> None:
        """What would be shown for `document` changed: push it, or let pull waiters see it."""
        self.revisions[document.uri] = self.revisions.get(document.uri, 0) + 1
        woken = self.wake(document.uri)
        if not self.pull:
            self.publish(document)
        elif not woken:
            self.request_refresh()  # nobody is waiting: ask the client to pull again

    def wake(self, uri: str) -> int:
        waiters = self.waiters.pop(uri, [])
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        return len(waiters)

    def clear_all(self) -> None:
        """No models: nothing is shown, and nobody waits for results that will not come."""
        self.results.clear()
        for document in self.documents:
            self.diagnostics_changed(document)

    async def wait_for_result(self, document: Document) -> None:
        """Until the current version of `document` is checked (or cannot be)."""
        loop = asyncio.get_running_loop()
        while self.documents.get(document.uri) is document and self.state != "error" and \
                self.checks_document(document) and not self.shutdown_requested:
            result = self.results.get(document.uri)
            if result is not None and result.version == document.version:
                return
            if not self.queue.waiting(document.uri) and self.runner.current != document.uri:
                self.schedule(document, Priority.EDIT)
            waiter: asyncio.Future[None] = loop.create_future()
            self.waiters.setdefault(document.uri, []).append(waiter)
            await waiter

    def findings(self, document: Document) -> list[Finding] | None:
        """Findings of the current version without the ignored ones; None if not checked yet."""
        result = self.results.get(document.uri)
        if result is None or result.version != document.version:
            return None
        ignored = self.ignored.get(document.uri)
        if not ignored:
            return result.findings
        from electra_lsp.dictionary import UserDictionary

        words = UserDictionary(words=ignored)
        return [f for f in result.findings if not words.covers(document.text, f.start, f.end)]

    def diagnostics(self, document: Document) -> list[types.Diagnostic]:
        findings = self.findings(document) or []
        if not self.checks_document(document):
            findings = []
        return [to_diagnostic(document, f, self.codec, self.settings.severity) for f in findings]

    def publish(self, document: Document) -> None:
        params = types.PublishDiagnosticsParams(
            uri=document.uri, diagnostics=self.diagnostics(document), version=document.version)
        self._safely(self.text_document_publish_diagnostics, params)

    def request_refresh(self) -> None:
        if self._refresh_pending or \
                not self.client_supports("workspace.diagnostics.refresh_support"):
            return
        self._refresh_pending = True

        def send() -> None:
            self._refresh_pending = False
            self._safely(self.workspace_diagnostic_refresh, None)

        asyncio.get_running_loop().call_later(0.05, send)

    # -- settings -------------------------------------------------------------------------
    def apply_initialization_options(self, options: Any) -> None:
        values = config.section_values(options)
        if values is None:
            return
        applied = config.apply_values(self.base_settings, self.base_settings, values)
        self._report_settings(applied)
        self.base_settings = self.settings = applied.settings

    async def pull_configuration(self) -> None:
        params = types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        try:
            result = await asyncio.wait_for(self.workspace_configuration_async(params),
                                            CLIENT_REQUEST_TIMEOUT)
        except Exception as error:
            log.warning("workspace/configuration failed: %s", error)
            return
        if result and isinstance(result[0], dict):
            self.apply_configuration(result[0])

    def apply_configuration(self, values: dict[str, Any]) -> None:
        applied = config.apply_values(self.base_settings, self.settings, values)
        self._report_settings(applied)
        old, self.settings = self.settings, applied.settings
        self.settings_changed(old, self.settings)

    def _report_settings(self, applied: config.Applied) -> None:
        if applied.unknown:
            log.info("ignoring client settings that are not the server's: %s", applied.unknown)
        if applied.errors:
            self.show(types.MessageType.Error,
                      "electra-lsp: invalid settings (previous values kept): "
                      + "; ".join(applied.errors))

    def settings_changed(self, old: Settings, new: Settings) -> None:
        keys = config.changed(old, new)
        if not keys or not self._initialized:
            return
        if keys & config.RELOAD_KEYS:
            self.spawn(self.load_models())
            return
        if self.models is None:
            return  # the models being loaded pick the settings up when ready
        checker = self.models.checker
        if keys & config.CHECKER_KEYS:
            checker.update_settings(new)
        if "dictionaryPath" in keys:
            checker.dictionary, warnings = open_dictionary(new)
            for warning in warnings:
                self.show(types.MessageType.Warning, f"electra-lsp: {warning}")
        if keys & (config.CHECKER_KEYS | config.RECHECK_KEYS | {"dictionaryPath"}):
            self.generation += 1
            self.recheck_all()
        elif "severity" in keys:
            for document in self.documents:
                self.diagnostics_changed(document)
