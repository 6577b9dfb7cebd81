"""workspace/executeCommand: the electraLsp.* commands (also offered by code actions)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from electra_lsp.lsp import actions
from electra_lsp.lsp.constants import (
    ADD_TO_DICTIONARY,
    CHECK_DOCUMENT,
    FIX_ALL,
    IGNORE_IN_DOCUMENT,
    PROOFREAD,
    RELOAD_MODELS,
    SHOW_STATUS,
)
from electra_lsp.lsp.documents import Document, code_units
from electra_lsp.lsp.model_host import open_dictionary
from electra_lsp.lsp.scheduler import Priority
from electra_lsp.lsp.server import CLIENT_REQUEST_TIMEOUT, ElectraServer


def _string(args: tuple[Any, ...], index: int, name: str) -> str:
    if len(args) <= index or not isinstance(args[index], str) or not args[index].strip():
        raise JsonRpcInvalidParams(f"argument {index + 1} ({name}) must be a non-empty string")
    return args[index]


def _document(server: ElectraServer, args: tuple[Any, ...]) -> Document:
    uri = _string(args, 0, "document URI")
    document = server.documents.get(uri)
    if document is None:
        raise JsonRpcInvalidParams(f"{uri} is not an open document")
    return document


MODEL_WAIT = 120.0  # seconds a proofread request waits for the models to load


async def _ready_checker(server: ElectraServer):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MODEL_WAIT
    while server.checker() is None:
        if server.state == "error" or server.shutdown_requested:
            raise JsonRpcInternalError(f"the models are not available: {server.state_message}")
        if loop.time() > deadline:
            raise JsonRpcInternalError("the models are still loading; try again shortly")
        await asyncio.sleep(0.05)
    return server.checker()


def register(server: ElectraServer) -> None:
    # Handlers take *args: pygls passes the JSON arguments as they are, validated here.

    @server.command(CHECK_DOCUMENT)
    async def check_document(*args):
        document = _document(server, args)
        server.schedule(document, Priority.EDIT)
        await server.wait_for_result(document)
        findings = server.findings(document)
        return {"uri": document.uri, "version": document.version,
                "findings": None if findings is None else len(findings)}

    @server.command(FIX_ALL)
    async def fix_all(*args):
        document = _document(server, args)
        await server.wait_for_result(document)
        version = document.version
        edits = actions.fix_all_edits(document, server.findings(document) or [], server.codec)
        if not edits:
            return {"applied": False, "edits": 0}
        versioned = server.client_supports("workspace.workspace_edit.document_changes")
        edit = actions.workspace_edit(document, edits, versioned)
        try:
            result = await asyncio.wait_for(server.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label="electra-lsp: fix all")),
                CLIENT_REQUEST_TIMEOUT)
        except Exception as error:
            return {"applied": False, "edits": len(edits), "error": str(error)}
        return {"applied": bool(result.applied), "edits": len(edits), "version": version}

    @server.command(ADD_TO_DICTIONARY)
    def add_to_dictionary(*args):
        word = _string(args, 0, "word").strip()
        if "\n" in word or "\r" in word:
            raise JsonRpcInvalidParams("a dictionary word must be on one line")
        if server.models is not None:
            dictionary = server.models.checker.dictionary
        else:  # no models yet: write the file; the checker reads it when the models load
            dictionary, _ = open_dictionary(server.settings)
        try:
            added = dictionary.add(word)
        except OSError as error:  # DictionaryError: the file cannot be written
            server.show(types.MessageType.Error, f"electra-lsp: {error}")
            return {"added": False, "word": word, "error": str(error)}
        server.generation += 1  # findings already computed may include the word
        server.recheck_all(Priority.EDIT)
        return {"added": added, "word": word,
                "path": str(dictionary.path) if dictionary.path else None}

    @server.command(IGNORE_IN_DOCUMENT)
    def ignore_in_document(*args):
        document = _document(server, args)
        word = _string(args, 1, "character or word").strip()
        server.ignored.setdefault(document.uri, set()).add(word)
        server.diagnostics_changed(document)
        return {"uri": document.uri, "ignored": sorted(server.ignored[document.uri])}

    @server.command(RELOAD_MODELS)
    def reload_models(*args):
        server.spawn(server.load_models())
        return {"state": "loading"}

    @server.command(PROOFREAD)
    async def proofread_text(*args):
        """Proofread a text that is not a document (a chat message): {text, kind?} ->
        {corrected, findings: [{start, end, original, suggestions, score, explanation,
        autoFix}], model}, offsets into `text` in the negotiated position encoding."""
        from electra_lsp.proofread import ProofreadError, proofread

        if len(args) != 1 or not isinstance(args[0], dict) or "text" not in args[0]:
            raise JsonRpcInvalidParams('expected one argument {"text": string, "kind"?: '
                                       '"plaintext"|"markdown"}')
        text, kind = args[0]["text"], args[0].get("kind", "plaintext")
        checker = await _ready_checker(server)
        try:
            result = await server.worker.run(partial(proofread, checker.check, text, kind))
        except ProofreadError as error:
            raise JsonRpcInvalidParams(str(error)) from None
        offsets = result.to_json(lambda index: code_units(server.codec, text[:index]))
        return {**offsets, "model": server.models.model if server.models else None}

    @server.command(SHOW_STATUS)
    def show_status(*args):
        return server.status()
