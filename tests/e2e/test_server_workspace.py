"""The server weighs the workspace's vocabulary: a word the workspace folder's files write
often is not flagged in an open document, once the folder is read; a typo still is. The
scripted model runs with a hand-made combiner, so the fused decision and the shipped lexicon
decide (行数 → 函数 and 以经 → 已经 are both found in a document alone)."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from lsp_fixtures import (
    Doc,
    capabilities,
    ready,
    start_server,
    status,
    stop_server,
    wait_until,
)
from lsprotocol import types

from electra_lsp.engine.decide import Combiner, LinearModel
from electra_lsp.engine.evidence import FEATURES, INDEX
from electra_lsp.workspace import WORKSPACE_REPEATS

pytestmark = pytest.mark.asyncio


def script() -> dict:
    coefficients = np.zeros(len(FEATURES))
    coefficients[INDEX["lexical_gain"]] = 1.0
    coefficients[INDEX["name"]] = -20.0
    combiner = Combiner(LinearModel(coefficients, -4.0), 0.5, 0.99)
    return {"name": "fused-script", "score": 0.9,
            "errors": {"行": {"函": 0.9}, "以": {"已": 0.9}},
            "recommended": {"combiner": combiner.to_json()}}


async def flagged(doc: Doc) -> list[str]:
    def latest():
        for params in reversed(doc.client.published):
            if params.uri == doc.uri and params.version == doc.version:
                return params
        return None

    params = await wait_until(latest, 30, "diagnostics")
    return sorted(doc.text[d.range.start.character] for d in params.diagnostics)


async def fused_server(tmp_path, **options):
    """A server on tmp_path with the scripted pair and its combiner, its models ready."""
    path = tmp_path / "model.json"
    path.write_text(json.dumps(script(), ensure_ascii=False), encoding="utf-8")
    client = await start_server(tmp_path, env={"ELECTRA_LSP_SCRIPTED_MODEL": str(path)},
                                **options)
    assert (await ready(client))["state"] == "ready"
    return client


async def workspace_status(client, expected_files: int) -> dict:
    for _ in range(600):
        info = await status(client)
        if info["workspace"] is not None and info["workspace"]["files"] == expected_files:
            return info
        await asyncio.sleep(0.05)
    raise AssertionError(f"the workspace never held {expected_files} files: {info}")


async def test_a_word_the_workspace_writes_often_is_not_flagged(tmp_path):
    for number in range(WORKSPACE_REPEATS):
        (tmp_path / "docs" / f"{number}.md").parent.mkdir(exist_ok=True)
        (tmp_path / "docs" / f"{number}.md").write_text(f"第{number}页统计行数。\n",
                                                        encoding="utf-8")
    client = await fused_server(tmp_path)
    try:
        # the folder is read in the background once the models are in
        info = await workspace_status(client, WORKSPACE_REPEATS)
        assert info["workspace"] == {"files": WORKSPACE_REPEATS, "characters": 80,
                                     "complete": True}, info
        doc = Doc(client, (tmp_path / "open.md").as_uri(), "这里显示行数，他以经走了。").open()
        assert await flagged(doc) == ["以"]  # 行数 is the workspace's word; 以经 a typo
        alone = Doc(client, "untitled:alone", "这里显示行数。").open()
        assert await flagged(alone) == []  # untitled: the workspace still counts
    finally:
        await stop_server(client)


async def test_without_the_folder_the_same_word_is_flagged(tmp_path):
    client = await fused_server(tmp_path)
    try:
        doc = Doc(client, (tmp_path / "open.md").as_uri(), "这里显示行数，他以经走了。").open()
        assert await flagged(doc) == ["以", "行"]
    finally:
        await stop_server(client)


async def test_a_folder_added_later_is_read(tmp_path):
    client = await fused_server(tmp_path)
    try:
        await workspace_status(client, 0)
        doc = Doc(client, (tmp_path / "open.md").as_uri(), "这里显示行数。").open()
        assert await flagged(doc) == ["行"]
        docs = tmp_path / "more"
        docs.mkdir()
        for number in range(WORKSPACE_REPEATS):
            (docs / f"{number}.md").write_text("统计行数。\n", encoding="utf-8")
        client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=docs.as_uri(), name="more")], removed=[])))
        await workspace_status(client, WORKSPACE_REPEATS)
        doc.replace(0, 0, "在")  # a new version, checked with the folder's words
        assert await flagged(doc) == []
    finally:
        await stop_server(client)


async def test_files_changed_on_disk_update_the_workspace(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for number in range(WORKSPACE_REPEATS - 2):
        (docs / f"{number}.md").write_text("统计行数。\n", encoding="utf-8")
    client = await fused_server(tmp_path, caps=capabilities(watch=True))
    try:
        await workspace_status(client, WORKSPACE_REPEATS - 2)
        # the server asked to hear of changes to Markdown and text files
        (registration,) = await wait_until(lambda: client.registrations, what="registration")
        assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        # (register_options arrive as plain JSON: their type depends on the method)
        assert {w["globPattern"] for w in registration.register_options["watchers"]} == \
            {"**/*.md", "**/*.markdown", "**/*.txt"}
        doc = Doc(client, (tmp_path / "open.md").as_uri(), "这里显示行数。").open()
        assert await flagged(doc) == ["行"]  # 9 uses with the open document's
        added = [docs / "new1.md", docs / "new2.md"]
        for new in added:
            new.write_text("限制行数。\n", encoding="utf-8")

        def notify(kind: types.FileChangeType) -> None:
            client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=new.as_uri(), type=kind) for new in added]))

        notify(types.FileChangeType.Created)
        await workspace_status(client, WORKSPACE_REPEATS)
        doc.replace(0, 0, "在")
        assert await flagged(doc) == []
        for new in added:
            new.unlink()
        notify(types.FileChangeType.Deleted)
        await workspace_status(client, WORKSPACE_REPEATS - 2)
        doc.replace(0, 1, "")
        assert await flagged(doc) == ["行"]
    finally:
        await stop_server(client)
