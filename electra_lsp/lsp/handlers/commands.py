"""workspace/executeCommand: the electraLsp.* commands (also offered by code actions).

Handlers take `*args`: pygls passes the JSON arguments as they are, validated here.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from electra_lsp.lsp import actions
from electra_lsp.lsp.config import CLIENT_REQUEST_TIMEOUT
from electra_lsp.lsp.documents import Document, code_units
from electra_lsp.lsp.handlers.actions import VERSIONED_EDITS
from electra_lsp.lsp.scheduler import Priority
from electra_lsp.lsp.server import ElectraServer

MODEL_WAIT = 120.0  # seconds a proofread request waits for the models to load


def _string(args: tuple[Any, ...], index: int, name: str) -> str:
    if len(args) <= index or not isinstance(args[index], str) or not args[index].strip():
        raise JsonRpcInvalidParams(f"argument {index + 1} ({name}) must be a non-empty string")
    return args[index]


def _document(ls: ElectraServer, args: tuple[Any, ...]) -> Document:
    uri = _string(args, 0, "document URI")
    document = ls.documents.get(uri)
    if document is None:
        raise JsonRpcInvalidParams(f"{uri} is not an open document")
    return document


async def _ready_checker(ls: ElectraServer):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MODEL_WAIT
    while ls.host.checker() is None:
        if ls.host.state == "error" or ls.shutdown_requested:
            raise JsonRpcInternalError(f"the models are not available: {ls.host.state_message}")
        if loop.time() > deadline:
            raise JsonRpcInternalError("the models are still loading; try again shortly")
        await asyncio.sleep(0.05)
    return ls.host.checker()


async def check_document(ls: ElectraServer, *args):
    document = _document(ls, args)
    ls.queue.schedule(document.uri, Priority.EDIT)
    await ls.publisher.wait(document)
    findings = document.findings()
    return {"uri": document.uri, "version": document.version,
            "findings": None if findings is None else len(findings)}


async def fix_all(ls: ElectraServer, *args):
    document = _document(ls, args)
    await ls.publisher.wait(document)
    version = document.version
    findings = document.findings() or []
    edits = actions.fix_all_edits(document, findings, ls.codec)
    if not edits:
        # "unsure": findings left for the user (a quick fix each), so the client can say why
        # nothing was applied rather than "nothing to fix".
        return {"applied": False, "edits": 0,
                "unsure": sum(1 for f in findings if f.best is not None and f.fixable)}
    edit = actions.workspace_edit(document, edits, ls.client_supports(VERSIONED_EDITS))
    try:
        result = await asyncio.wait_for(ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label="electra-lsp: fix all")),
            CLIENT_REQUEST_TIMEOUT)
    except Exception as error:
        return {"applied": False, "edits": len(edits), "error": str(error)}
    return {"applied": bool(result.applied), "edits": len(edits), "version": version}


def add_to_dictionary(ls: ElectraServer, *args):
    word = _string(args, 0, "word").strip()
    if "\n" in word or "\r" in word:
        raise JsonRpcInvalidParams("a dictionary word must be on one line")
    checker = ls.host.loaded_checker()
    if checker is not None:
        dictionary = checker.dictionary
    else:  # no models yet: write the file; the checker reads it when the models load
        from electra_lsp.dictionary import open_dictionary

        dictionary, _ = open_dictionary(ls.settings.dictionaryPath)
    try:
        added = dictionary.add(word)
    except OSError as error:  # DictionaryError: the file cannot be written
        ls.show(types.MessageType.Error, f"electra-lsp: {error}")
        return {"added": False, "word": word, "error": str(error)}
    ls.host.generation += 1  # findings already computed may include the word
    ls.recheck_all(Priority.EDIT)
    return {"added": added, "word": word,
            "path": str(dictionary.path) if dictionary.path else None}


def ignore_in_document(ls: ElectraServer, *args):
    document = _document(ls, args)
    word = _string(args, 1, "character or word").strip()
    document.ignored.add(word)
    ls.publisher.changed(document)
    return {"uri": document.uri, "ignored": sorted(document.ignored)}


def reload_models(ls: ElectraServer, *args):
    ls.spawn(ls.host.load())
    return {"state": "loading"}


async def proofread_text(ls: ElectraServer, *args):
    """Proofread a text that is not a document (a chat message): {text, kind?} ->
    {corrected, findings: [{start, end, original, suggestions, score, explanation,
    autoFix}], model}, offsets into `text` in the negotiated position encoding."""
    from electra_lsp.proofread import ProofreadError, proofread

    if len(args) != 1 or not isinstance(args[0], dict) or "text" not in args[0]:
        raise JsonRpcInvalidParams('expected one argument {"text": string, "kind"?: '
                                   '"plaintext"|"markdown"}')
    text, kind = args[0]["text"], args[0].get("kind", "plaintext")
    checker = await _ready_checker(ls)
    try:
        result = await ls.worker.run(partial(proofread, checker.check, text, kind))
    except ProofreadError as error:
        raise JsonRpcInvalidParams(str(error)) from None
    offsets = result.to_json(lambda index: code_units(ls.codec, text[:index]))
    models = ls.host.models
    return {**offsets, "model": models.model if models else None}


def show_status(ls: ElectraServer, *args) -> dict[str, Any]:
    """The server's state, models, cache figures and settings (the status bar's tooltip)."""
    host, models = ls.host, ls.host.models
    checker = models.checker if models else None
    stats = checker.stats if checker else None
    # An enum in some pygls versions, a str in others: always the wire value ("utf-16").
    encoding = ls.workspace.position_encoding
    encoding = str(getattr(encoding, "value", encoding))
    latency = ls.publisher.last_latency_ms
    return {
        "state": host.state,
        "message": host.state_message,
        "model": models.model if models else None,
        "backend": models.backend if models else None,
        "device": models.device if models else None,
        "lexicon": models.lexicon if models else None,
        "decision": None if checker is None
        else "fused" if checker.combiner is not None else "models only",
        "sentencesChecked": stats.sentences_checked if stats else 0,
        "cacheHits": stats.cache_hits if stats else 0,
        "cacheMisses": stats.cache_misses if stats else 0,
        "cacheHitRate": round(stats.hit_rate, 4) if stats else 0.0,
        "lastLatencyMs": None if latency is None else round(latency, 1),
        "documents": len(ls.documents),
        # The workspace's vocabulary (workspace.py): None until read, or without a folder.
        "workspace": None if ls.vocabulary is None else {
            "files": len(ls.vocabulary.files), "characters": ls.vocabulary.characters,
            "complete": not ls.vocabulary.truncated},
        "checksDropped": ls.runner.dropped,
        "checksSuspended": ls.runner.suspensions,
        "positionEncoding": encoding,
        "diagnosticMode": "pull" if ls.publisher.pull else "push",
        "settings": ls.settings.to_json(),
    }
