"""Helpers for the language-server tests: a recording pytest-lsp client talking to
`python -m electra_lsp --stdio` over stdio, a scripted model, and an independent oracle for LSP
positions (so the server's position mapping is checked against something it does not share).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, LanguageClient, register_lsp_features
from support import REPO

SERVER_COMMAND = [sys.executable, "-m", "electra_lsp", "--stdio"]
# 有→友 and 在→再 sound the same (you, zai), so the checker's confusion filter keeps them.
PLANTED = {"name": "planted", "score": 0.97,
           "errors": {"有": {"友": 0.9}, "在": {"再": 0.8}}}
STATUS = "electraLsp/status"


def write_script(directory: Path, script: dict | None = None) -> Path:
    path = directory / "planted.json"
    path.write_text(json.dumps(script or PLANTED, ensure_ascii=False), encoding="utf-8")
    return path


# -- an independent position oracle ---------------------------------------------------------
_BREAK = re.compile(r"\r\n|\r|\n")


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _BREAK.finditer(text)]


def position_of(text: str, offset: int, encoding: str = "utf-16") -> tuple[int, int]:
    starts = _line_starts(text)
    line = max(i for i, start in enumerate(starts) if start <= offset)
    return line, _units(text[starts[line]:offset], encoding)


def offset_of(text: str, line: int, character: int, encoding: str = "utf-16") -> int:
    start = _line_starts(text)[line]
    offset = start
    while _units(text[start:offset], encoding) < character:
        offset += 1
    assert _units(text[start:offset], encoding) == character, "position inside a character"
    return offset


def lsp_range(text: str, start: int, end: int, encoding: str = "utf-16") -> types.Range:
    (l1, c1), (l2, c2) = position_of(text, start, encoding), position_of(text, end, encoding)
    return types.Range(start=types.Position(line=l1, character=c1),
                       end=types.Position(line=l2, character=c2))


def range_offsets(text: str, range_: types.Range, encoding: str = "utf-16") -> tuple[int, int]:
    return (offset_of(text, range_.start.line, range_.start.character, encoding),
            offset_of(text, range_.end.line, range_.end.character, encoding))


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    spans = sorted(((*range_offsets(text, e.range, encoding), e.new_text) for e in edits),
                   reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def edits_of(edit: types.WorkspaceEdit, uri: str) -> tuple[list[types.TextEdit], int | None]:
    """The text edits for `uri` and the version they were computed for (documentChanges)."""
    if edit.document_changes:
        for change in edit.document_changes:
            if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri:
                return list(change.edits), change.text_document.version
    return list((edit.changes or {}).get(uri, [])), None


# -- the client --------------------------------------------------------------------------------
class Doc:
    """A document as the client holds it."""

    def __init__(self, client: LanguageClient, uri: str, text: str, language: str = "markdown"):
        self.client, self.uri, self.text, self.language, self.version = (
            client, uri, text, language, 1)

    def open(self) -> Doc:
        self.client.texts[self.uri] = self
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=self.uri, language_id=self.language,
                                                 version=self.version, text=self.text)))
        return self

    def replace(self, start: int, end: int, new_text: str) -> None:
        """An incremental change, positions in the negotiated encoding."""
        change = types.TextDocumentContentChangePartial(
            range=lsp_range(self.text, start, end, self.client.encoding), text=new_text)
        self.text = self.text[:start] + new_text + self.text[end:]
        self.version += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri,
                                                                version=self.version),
            content_changes=[change]))

    def close(self) -> None:
        self.client.texts.pop(self.uri, None)
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri)))

    def apply(self, edit: types.WorkspaceEdit) -> bool:
        edits, version = edits_of(edit, self.uri)
        if version is not None and version != self.version:
            return False  # what an editor does with an edit for another version
        self.replace_all(apply_edits(self.text, edits, self.client.encoding))
        return True

    def replace_all(self, text: str) -> None:
        self.replace(0, len(self.text), text)


def _record_publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    ls.diagnostics[params.uri] = params.diagnostics
    ls.published.append(params)


def _record_status(ls: LanguageClient, params: Any) -> None:
    # pygls turns the params of a method it does not know into a namedtuple
    ls.statuses.append(params._asdict() if hasattr(params, "_asdict") else dict(params))


def _apply_edit(ls: LanguageClient, params: types.ApplyWorkspaceEditParams):
    ls.applied_edits.append(params)
    uris = {c.text_document.uri for c in params.edit.document_changes or []} | \
        set(params.edit.changes or {})
    applied = all(uri in ls.texts and ls.texts[uri].apply(params.edit) for uri in uris)
    return types.ApplyWorkspaceEditResult(applied=applied)


def _register(ls: LanguageClient, params: types.RegistrationParams) -> None:
    ls.registrations.extend(params.registrations)


def _converter():
    """pygls' converter, with CodeAction told apart from Command the way LSP defines it.

    lsprotocol 2025.0.0 reads any item with a `command` key as a Command, so a CodeAction that
    runs a command (add to dictionary, ignore) would come out as a garbled Command.
    """
    converter = default_converter()

    def code_action_or_command(item: Any, _: type) -> Any:
        if isinstance(item.get("command"), str):
            return converter.structure(item, types.Command)
        return converter.structure(item, types.CodeAction)

    # typing.Union, not `|`: the hook must be keyed like lsprotocol's own.
    converter.register_structure_hook(Union[types.Command, types.CodeAction],  # noqa: UP007
                                      code_action_or_command)
    return converter


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=_converter)
    client.published = []
    client.statuses = []
    client.applied_edits = []
    client.texts = {}
    client.registrations = []
    client.encoding = "utf-16"
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_publish
    features[STATUS] = _record_status
    features[types.WORKSPACE_APPLY_EDIT] = _apply_edit
    features[types.CLIENT_REGISTER_CAPABILITY] = _register
    register_lsp_features(client, features)
    return client


def capabilities(*, pull: bool = False, encodings: list[str] | None = None,
                 progress: bool = True, configuration: bool = True,
                 refresh: bool = True, watch: bool = False) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings)
        if encodings else None,
        window=types.WindowClientCapabilities(work_done_progress=progress),
        workspace=types.WorkspaceClientCapabilities(
            apply_edit=True, configuration=configuration,
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=refresh),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True) if watch else None,
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                version_support=True, data_support=True),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix,
                                   types.CodeActionKind.SourceFixAll])),
                is_preferred_support=True, data_support=True),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
        ),
    )


async def start_server(tmp: Path, *, caps: types.ClientCapabilities | None = None,
                       init_options: dict | None = None, env: dict[str, str] | None = None,
                       configuration: dict | None = None, script: bool = True,
                       command: list[str] | None = None) -> LanguageClient:
    """Start the server, initialize it; `client.encoding` is the negotiated encoding."""
    client = make_client()
    if configuration is not None:
        client.set_configuration(configuration, section="electraLsp")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("ELECTRA_LSP_")}
    environment["XDG_DATA_HOME"] = str(tmp / "xdg")  # never the real user dictionary
    if "ELECTRA_LSP_CACHE_DIR" in os.environ:  # the tests' graph cache (conftest.py)
        environment["ELECTRA_LSP_CACHE_DIR"] = os.environ["ELECTRA_LSP_CACHE_DIR"]
    if script:
        environment["ELECTRA_LSP_SCRIPTED_MODEL"] = str(write_script(tmp))
    environment.update(env or {})
    options = {"dictionaryPath": str(tmp / "dictionary.txt"), "debounceMs": 50}
    options.update(init_options or {})
    await client.start_io(*(command or SERVER_COMMAND), env=environment, cwd=str(REPO))
    started = time.perf_counter()
    result = await client.initialize_session(types.InitializeParams(
        capabilities=caps or capabilities(), initialization_options={"electraLsp": options},
        root_uri=tmp.as_uri()))
    client.initialize_seconds = time.perf_counter() - started
    client.init_result = result
    client.encoding = str(result.capabilities.position_encoding or "utf-16")
    return client


async def stop_server(client: LanguageClient) -> None:
    if client._server is not None and client._server.returncode is None:
        await asyncio.wait_for(client.shutdown_session(), 30)
    await client.stop()


async def wait_until(predicate: Callable[[], Any], timeout: float = 20.0,
                     what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


async def diagnostics_for(doc: Doc, timeout: float = 20.0) -> list[types.Diagnostic]:
    """The diagnostics published for the document's current version."""
    def latest():
        for params in reversed(doc.client.published):
            if params.uri == doc.uri:
                return params if params.version == doc.version else None
        return None

    params = await wait_until(latest, timeout, f"diagnostics of {doc.uri} v{doc.version}")
    return list(params.diagnostics)


async def ready(client: LanguageClient, timeout: float = 60.0) -> dict:
    return await wait_until(
        lambda: next((s for s in client.statuses if s.get("state") in ("ready", "error")), None),
        timeout, "the models")


async def command(client: LanguageClient, name: str, *arguments: Any) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments)))


async def status(client: LanguageClient) -> dict:
    return await command(client, "electraLsp.showStatus")


async def code_actions(doc: Doc, range_: types.Range, diagnostics: list[types.Diagnostic],
                       only: list[str] | None = None) -> list[types.CodeAction]:
    result = await doc.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri), range=range_,
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]
