"""Runs checks of open documents in the model worker, one document at a time.

A check is cut into chunks of sentences. Between chunks the runner (on the event loop) looks
again: a check of a version the client has replaced, or with models/settings since changed, is
dropped and never published; when a more urgent document is waiting (the user typing), the
check is suspended and resumed afterwards from where it stopped. So a 5 MB document never
holds up the document being edited, and the server keeps answering throughout (inference
runs in the worker thread).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from electra_lsp.findings import Finding
from electra_lsp.lsp.documents import Document, DocumentStore
from electra_lsp.lsp.scheduler import CheckQueue, Priority
from electra_lsp.lsp.worker import ModelWorker

if TYPE_CHECKING:
    from electra_lsp.checker import Checker
    from electra_lsp.text.segments import Segment

log = logging.getLogger(__name__)
CHUNK_SENTENCES = 64
# Reading a document this large into sentences takes seconds (Markdown parsing); it runs in a
# thread of its own so the model worker stays free for the document being edited.
LARGE_TEXT = 100_000


@dataclass(frozen=True)
class CheckResult:
    version: int
    findings: list[Finding]
    sentences: int
    seconds: float


@dataclass
class _Check:
    """A check of one document version, resumable after suspension."""

    version: int
    generation: int
    kind: str
    started: float
    sentences: list[Segment] | None = None
    labels: list[tuple[int, int]] = field(default_factory=list)  # see link_label_ranges
    done: int = 0
    findings: list[Finding] = field(default_factory=list)
    reading: asyncio.Future[None] | None = None  # a large document being read into sentences


class CheckRunner:
    def __init__(self, documents: DocumentStore, queue: CheckQueue, worker: ModelWorker,
                 checker: Callable[[], Checker | None], generation: Callable[[], int],
                 kind_of: Callable[[Document], str | None],
                 on_result: Callable[[Document, CheckResult], None],
                 on_failure: Callable[[str, Exception], None]) -> None:
        self._documents = documents
        self._queue = queue
        self._worker = worker
        self._text_worker = ModelWorker("electra-lsp-text")
        self._checker = checker
        self._generation = generation
        self._kind_of = kind_of  # None: this document is not checked (on_result gets no findings)
        self._on_result = on_result
        self._on_failure = on_failure
        self._suspended: dict[str, _Check] = {}
        self.dropped = 0  # checks abandoned because their version or settings went stale
        self.suspensions = 0
        self.current: str | None = None  # the document being checked

    def stop(self) -> None:
        self._text_worker.stop()

    def forget(self, uri: str) -> None:
        self._suspended.pop(uri, None)

    async def run_forever(self) -> None:
        while True:
            uri, priority = await self._queue.get()
            self.current = uri
            try:
                await self.check(uri, priority)
            except Exception as error:  # a bug or a backend failure must not stop all checking
                log.exception("check of %s failed", uri)
                self._on_failure(uri, error)
            finally:
                self.current = None

    async def check(self, uri: str, priority: Priority) -> None:
        document = self._documents.get(uri)
        checker = self._checker()
        if document is None or checker is None:
            return  # closed, or no models yet (every open document is queued when they load)
        kind = self._kind_of(document)
        if kind is None:
            self._on_result(document, CheckResult(document.version, [], 0, 0.0))
            return
        job = self._suspended.pop(uri, None)
        if job is not None and (job.version != document.version or
                                job.generation != self._generation()):
            self.dropped += 1  # a suspended check of an older version or older settings
            job = None
        if job is None:
            job = _Check(document.version, self._generation(), kind, time.perf_counter())
        if job.sentences is None:
            if len(document.text) > LARGE_TEXT:  # read in the background, then queued again
                self._suspended[uri] = job
                if job.reading is None:
                    job.reading = asyncio.ensure_future(
                        self._read(uri, job, partial(_read_document, checker,
                                                     document.text, kind), priority))
                return
            job.sentences, job.labels = await self._worker.run(
                partial(_read_document, checker, document.text, kind))
        while job.done < len(job.sentences):
            if self._stale(uri, document, job):
                return
            if self._queue.more_urgent_than(priority):
                self._suspended[uri] = job
                self.suspensions += 1
                self._queue.schedule(uri, priority)
                return
            chunk = job.sentences[job.done:job.done + CHUNK_SENTENCES]
            found = await self._worker.run(partial(checker.check_sentences,
                                                   [s.text for s in chunk]))
            for sentence, local in zip(chunk, found, strict=True):
                job.findings.extend(f.relocated(sentence.offsets) for f in local)
            job.done += len(chunk)
        if self._stale(uri, document, job):
            return
        # loaded with the models
        from electra_lsp.checker import mark_link_labels, without_document_vocabulary

        job.findings = sorted(mark_link_labels(without_document_vocabulary(
            document.text, job.sentences, job.findings), job.labels),
                              key=lambda f: (f.start, f.end))
        self._on_result(document, CheckResult(job.version, job.findings, len(job.sentences),
                                              time.perf_counter() - job.started))

    async def _read(self, uri: str, job: _Check,
                    read: Callable[[], tuple[list[Segment], list[tuple[int, int]]]],
                    priority: Priority) -> None:
        try:
            job.sentences, job.labels = await self._text_worker.run(read)
        except Exception as error:
            log.exception("reading %s failed", uri)
            if self._suspended.get(uri) is job:
                del self._suspended[uri]
                self._on_failure(uri, error)
            return
        if self._suspended.get(uri) is job:  # still wanted: continue with the models
            self._queue.schedule(uri, priority)

    def _stale(self, uri: str, document: Document, job: _Check) -> bool:
        if self._documents.get(uri) is document and document.version == job.version and \
                job.generation == self._generation():
            return False
        self.dropped += 1
        return True


def _read_document(checker: Checker, text: str, kind: str
                   ) -> tuple[list[Segment], list[tuple[int, int]]]:
    """The sentences of a document and its link-label ranges (in one go: the second is
    remembered from reading the first)."""
    from electra_lsp.checker import link_label_ranges  # loaded with the models

    return checker.sentences(text, kind), link_label_ranges(text, kind)
