"""Document synchronisation: didOpen, didChange, didClose keep the server's one copy of each
open document (pygls keeps none, see `ElectraProtocol`) and queue its check;
didChangeWorkspaceFolders has the workspace's vocabulary read anew, didChangeWatchedFiles
updates it."""

from __future__ import annotations

from lsprotocol import types

from electra_lsp.lsp.runner import file_path
from electra_lsp.lsp.scheduler import Priority
from electra_lsp.lsp.server import ElectraServer


def did_open(ls: ElectraServer, params: types.DidOpenTextDocumentParams) -> None:
    document = ls.documents.open(params.text_document)
    ls.queue.schedule(document.uri, Priority.OPEN)


def did_change(ls: ElectraServer, params: types.DidChangeTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        ls.log_to_client(types.MessageType.Error, f"electra-lsp: change to "
                         f"{params.text_document.uri}, which is not open: ignored")
        return
    document.apply(params.content_changes, params.text_document.version, ls.codec)
    ls.queue.schedule(document.uri, Priority.EDIT, ls.settings.debounceMs / 1000)


def did_close(ls: ElectraServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.documents.close(uri)  # its state goes with it; pull requests waiting on it return
    if ls.vocabulary is not None and (path := file_path(uri)) is not None:
        ls.vocabulary.close(path)  # its file on disk counts again
    ls.queue.discard(uri)
    ls.publisher.closed(uri)


def did_change_workspace_folders(ls: ElectraServer,
                                 params: types.DidChangeWorkspaceFoldersParams) -> None:
    """pygls has updated its folders: read the workspace's vocabulary anew."""
    ls.workspace_host.read(again=True)


def did_change_watched_files(ls: ElectraServer, params: types.DidChangeWatchedFilesParams
                             ) -> None:
    """Markdown or text files changed on disk: the workspace's vocabulary follows."""
    ls.workspace_host.files_changed(list(params.changes))
