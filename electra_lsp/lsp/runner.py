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
from electra_lsp.lsp.documents import CheckResult, Document
from electra_lsp.lsp.memory import release_free_memory
from electra_lsp.lsp.scheduler import CheckQueue, Priority
from electra_lsp.lsp.worker import ModelWorker

if TYPE_CHECKING:
    from electra_lsp.checker import Checker
    from electra_lsp.lsp.publish import Publisher
    from electra_lsp.text.segments import Segment
    from electra_lsp.workspace import WorkspaceVocabulary

log = logging.getLogger(__name__)
CHUNK_SENTENCES = 64
# Reading a document this large into sentences takes seconds (Markdown parsing); it runs in a
# thread of its own so the model worker stays free for the document being edited.
LARGE_TEXT = 100_000
# Below this many characters of workspace prose its words are counted on the event loop
# (well under a millisecond a finding), above it in the text worker.
INLINE_VOCABULARY = 200_000
# Completed checks between two returns of freed memory to the OS (lsp/memory.py).
TRIM_EVERY = 200


@dataclass(frozen=True)
class Snapshot:
    """What one check works from, fixed when its document is dequeued: the document, the version
    being checked, how it is read (`kind`, None: not checked), the checker and the generation of
    models and settings it belongs to. The check is stale once any of them moved on."""

    document: Document
    version: int
    kind: str | None
    checker: Checker
    generation: int
    vocabulary: WorkspaceVocabulary | None = None  # the workspace's, once read


@dataclass
class _Check:
    """A check of one document version, resumable after suspension (kept on the document)."""

    snapshot: Snapshot
    started: float
    sentences: list[Segment] | None = None
    labels: list[tuple[int, int]] = field(default_factory=list)  # see link_label_ranges
    done: int = 0
    findings: list[Finding] = field(default_factory=list)
    reading: asyncio.Future[None] | None = None  # a large document being read into sentences


def file_path(uri: str) -> str | None:
    """The file system path of a file: URI (None for other schemes: untitled documents)."""
    from pygls import uris

    return uris.to_fs_path(uri) if uri.startswith("file:") else None


class CheckRunner:
    """Takes documents off the queue one at a time and checks them in the model worker.

    `snapshot(uri)` gives what a dequeued document is checked with (None: closed, or no models
    yet); `generation()` the current generation, against which a running check is found stale.
    Results and failures go to the publisher.
    """

    def __init__(self, queue: CheckQueue, worker: ModelWorker,
                 snapshot: Callable[[str], Snapshot | None], generation: Callable[[], int],
                 publisher: Publisher) -> None:
        self._queue = queue
        self._worker = worker
        self._text_worker = ModelWorker("electra-lsp-text")
        self._snapshot = snapshot
        self._generation = generation
        self._publisher = publisher
        self.dropped = 0  # checks abandoned because their version or settings went stale
        self.suspensions = 0
        self.completed = 0  # checks that ran to the end and were published
        self.current: str | None = None  # the document being checked

    def stop(self) -> None:
        self._text_worker.stop()

    async def run_forever(self) -> None:
        while True:
            uri, priority = await self._queue.get()
            self.current = uri
            snapshot = None
            try:
                snapshot = self._snapshot(uri)
                if snapshot is not None:
                    await self.check(snapshot, priority)
            except Exception as error:  # a bug or a backend failure must not stop all checking
                log.exception("check of %s failed", uri)
                if snapshot is not None:
                    self._publisher.failed(snapshot, error)
            finally:
                self.current = None

    async def check(self, snapshot: Snapshot, priority: Priority) -> None:
        """Check the snapshot's document (or resume its suspended check) and publish the
        result, unless the check goes stale or yields to a more urgent document."""
        document = snapshot.document
        if snapshot.kind is None:
            self._publisher.result(document, CheckResult.nothing(snapshot.version,
                                                                 snapshot.generation))
            return
        job = self._job(snapshot)
        if job.sentences is None:
            read = partial(_read_document, snapshot.checker, document.text, snapshot.kind)
            if len(document.text) > LARGE_TEXT:  # read in the background, then queued again
                document.suspended = job
                if job.reading is None:
                    job.reading = asyncio.ensure_future(self._read(document, job, read,
                                                                   priority))
                return
            job.sentences, job.labels = await self._worker.run(read)
        if not await self._check_sentences(job, priority) or self._stale(job.snapshot):
            return
        # loaded with the models
        from electra_lsp.checker import mark_link_labels, without_document_vocabulary

        document.memo.finish()  # this version's sentences are what the next check re-uses
        job.findings = sorted(mark_link_labels(without_document_vocabulary(
            document.text, job.sentences, job.findings), job.labels),
                              key=lambda f: (f.start, f.end))
        if job.snapshot.vocabulary is not None and not await self._weigh_workspace(job):
            return
        self._publisher.result(document, CheckResult(
            job.snapshot.version, job.findings, len(job.sentences),
            time.perf_counter() - job.started, job.snapshot.generation))
        self.completed += 1
        if self.completed % TRIM_EVERY == 0:  # in the worker, between checks
            self._worker.submit(release_free_memory)

    async def _weigh_workspace(self, job: _Check) -> bool:
        """The workspace's vocabulary weighs on the job's findings, the document's current
        prose counting instead of its file's; False when the check went stale meanwhile."""
        from electra_lsp.checker import prose
        from electra_lsp.workspace import without_workspace_words

        vocabulary, sentences = job.snapshot.vocabulary, job.sentences
        assert vocabulary is not None and sentences is not None
        if (path := file_path(job.snapshot.document.uri)) is not None:
            vocabulary.open(path, prose(sentences))
        if not any(f.evidence is not None for f in job.findings):
            return True
        weigh = partial(without_workspace_words, job.findings, vocabulary)
        if vocabulary.characters < INLINE_VOCABULARY:
            job.findings = weigh()
            return True
        # Counting in a large workspace's prose takes milliseconds a finding.
        job.findings = await self._text_worker.run(weigh)
        return not self._stale(job.snapshot)

    def _job(self, snapshot: Snapshot) -> _Check:
        """The document's suspended check when still current, else a new one."""
        job, snapshot.document.suspended = snapshot.document.suspended, None
        if job is not None and self._stale(job.snapshot, count=False):
            self.dropped += 1  # a suspended check of an older version or older settings
            job = None
        if job is not None:
            return job
        from electra_lsp.checker import SentenceMemo  # loaded with the models

        if snapshot.document.memo is None:
            snapshot.document.memo = SentenceMemo()
        snapshot.document.memo.restart()
        return _Check(snapshot, time.perf_counter())

    async def _check_sentences(self, job: _Check, priority: Priority) -> bool:
        """Run the job's sentences through the checker chunk by chunk; False when it went
        stale or was suspended for a more urgent document (and queued again)."""
        assert job.sentences is not None
        document = job.snapshot.document
        while job.done < len(job.sentences):
            if self._stale(job.snapshot):
                return False
            if self._queue.more_urgent_than(priority):
                document.suspended = job
                self.suspensions += 1
                self._queue.schedule(document.uri, priority)
                return False
            chunk = job.sentences[job.done:job.done + CHUNK_SENTENCES]
            found = await self._worker.run(partial(job.snapshot.checker.check_sentences,
                                                   [s.text for s in chunk], document.memo))
            for sentence, local in zip(chunk, found, strict=True):
                job.findings.extend(f.relocated(sentence.offsets) for f in local)
            job.done += len(chunk)
        return True

    async def _read(self, document: Document, job: _Check,
                    read: Callable[[], tuple[list[Segment], list[tuple[int, int]]]],
                    priority: Priority) -> None:
        try:
            job.sentences, job.labels = await self._text_worker.run(read)
        except Exception as error:
            log.exception("reading %s failed", document.uri)
            if document.suspended is job:
                document.suspended = None
                self._publisher.failed(job.snapshot, error)
            return
        if document.suspended is job:  # still wanted: continue with the models
            self._queue.schedule(document.uri, priority)

    def _stale(self, snapshot: Snapshot, count: bool = True) -> bool:
        document = snapshot.document
        if not document.closed and document.version == snapshot.version and \
                snapshot.generation == self._generation():
            return False
        self.dropped += count
        return True


def _read_document(checker: Checker, text: str, kind: str
                   ) -> tuple[list[Segment], list[tuple[int, int]]]:
    """The sentences of a document and its link-label ranges (in one go: the second is
    remembered from reading the first)."""
    from electra_lsp.checker import link_label_ranges  # loaded with the models

    return checker.sentences(text, kind), link_label_ranges(text, kind)
