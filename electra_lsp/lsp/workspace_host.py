"""The workspace's vocabulary in the language server: reading the workspace folders once the
models are ready, again when the folders change, and following files the client reports
changed on disk (see workspace.py for what the vocabulary is and how it weighs).

Reading happens in threads of their own, never in the model worker, so checking goes on
meanwhile with the vocabulary read before (or none)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from electra_lsp.lsp import config
from electra_lsp.lsp.runner import file_path
from electra_lsp.lsp.scheduler import Priority
from electra_lsp.text import kinds

if TYPE_CHECKING:
    from electra_lsp.lsp.server import ElectraServer
    from electra_lsp.workspace import WorkspaceVocabulary

log = logging.getLogger(__name__)


class WorkspaceHost:
    """Holds the workspace's vocabulary (`vocabulary`: None until read, or without a folder)."""

    def __init__(self, ls: ElectraServer) -> None:
        self._ls = ls
        self.vocabulary: WorkspaceVocabulary | None = None
        self._scanning = False
        self._reread = False  # the folders changed since the vocabulary was read
        self._roots: list[Path] = []  # the folders it was read from
        self._watching = False  # file watching asked of the client

    def read(self, again: bool = False) -> None:
        """Read the workspace folders' vocabulary in a thread of its own, once the models are
        ready, then check the open documents again with it (see workspace.py). again: the
        folders changed, read them anew (the vocabulary read before serves meanwhile)."""
        self._reread |= again
        if self._scanning or self._ls.host.checker() is None or (
                self.vocabulary is not None and not self._reread):
            return
        self._reread = False
        roots = [Path(path) for path in self._roots_now()]
        if not roots:
            if self.vocabulary is not None:  # the last folder was removed
                self.vocabulary = None
                self._ls.recheck_all(Priority.BACKGROUND)
            return
        self._scanning = True
        self._ls.spawn(self._read(roots))

    async def _read(self, roots: list[Path]) -> None:
        from electra_lsp.checker import document_prose
        from electra_lsp.workspace import scan_workspace

        def read() -> WorkspaceVocabulary:
            vocabulary = scan_workspace(roots, document_prose)
            for path, text, kind in opened:  # their current text counts, not the file's
                vocabulary.open(path, document_prose(text, kind))
            return vocabulary

        started = time.perf_counter()
        opened = [(path, document.text, kinds.kind_of_language(document.language_id))
                  for document in self._ls.documents
                  if (path := file_path(document.uri)) is not None]
        try:
            vocabulary = await asyncio.to_thread(read)
        finally:
            self._scanning = False
        log.info("workspace vocabulary: %d files, %d characters of prose%s, read in %.1f s",
                 len(vocabulary.files), vocabulary.characters,
                 " (a limit was reached)" if vocabulary.truncated else "",
                 time.perf_counter() - started)
        self.vocabulary = vocabulary
        self._roots = roots
        self._ls.recheck_all(Priority.BACKGROUND)
        if self._reread:  # the folders changed while they were read
            self.read()
        elif not self._watching:
            self._watching = True
            await self._watch_files()

    async def _watch_files(self) -> None:
        """Ask the client to report changes to Markdown and text files (where it lets servers
        register for them), so that the vocabulary follows the disk."""
        if not self._ls.client_supports("workspace.did_change_watched_files.dynamic_registration"):
            return
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/*{suffix}")
                    for suffix in kinds.SUFFIXES]
        try:
            await asyncio.wait_for(self._ls.client_register_capability_async(
                types.RegistrationParams(registrations=[types.Registration(
                    id="electra-lsp-watch-prose", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=watchers))])), config.CLIENT_REQUEST_TIMEOUT)
        except Exception as error:  # the client refused: the vocabulary is read at start only
            log.info("no file watching: %s", error)

    def files_changed(self, changes: list[types.FileEvent]) -> None:
        """Files the client reports created, changed or deleted: read again or forgotten in
        the vocabulary (in a thread), then the open documents are checked again."""
        if self.vocabulary is None or self._scanning:
            self._reread |= self._scanning  # a read under way may have missed them
            return
        changed = [(Path(path), change.type == types.FileChangeType.Deleted)
                   for change in changes if (path := file_path(change.uri)) is not None]
        if changed:
            self._ls.spawn(self._update_files(self.vocabulary, changed))

    async def _update_files(self, vocabulary: WorkspaceVocabulary,
                            changed: list[tuple[Path, bool]]) -> None:
        from electra_lsp.checker import document_prose
        from electra_lsp.workspace import update_files

        touched = await asyncio.to_thread(update_files, vocabulary, self._roots, changed,
                                          document_prose)
        if touched and vocabulary is self.vocabulary:
            self._ls.recheck_all(Priority.BACKGROUND)

    def _roots_now(self) -> list[str]:
        try:
            folders = [folder.uri for folder in self._ls.workspace.folders.values()]
            root = self._ls.workspace.root_uri
        except RuntimeError:  # no workspace before `initialize`
            return []
        paths = [file_path(uri) for uri in folders or ([root] if root else [])]
        return [path for path in paths if path]

