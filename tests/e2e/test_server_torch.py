"""The real model path: tiny random ELECTRA pairs (tests/tiny_models.py) loaded by the server in
the background with threshold 0 and minRatio 0, so even random weights produce findings."""

from __future__ import annotations

import pytest
from lsp_fixtures import (
    Doc,
    diagnostics_for,
    range_offsets,
    ready,
    start_server,
    status,
    stop_server,
)

from electra_lsp.engine.charclass import is_cjk


async def test_server_loads_torch_models_and_publishes_valid_diagnostics(tmp_path, tiny_pair):
    discriminator, generator = tiny_pair
    client = await start_server(tmp_path, script=False, init_options={
        "discriminator": str(discriminator), "generator": str(generator),
        "backend": "torch", "threshold": 0.0, "minRatio": 0.0})
    try:
        assert client.initialize_seconds < 5  # answered before any model is loaded
        text = "# 标题\n\n我们今天去公园玩，朋友很高兴。😀𠀀你好！\n\n`代码` 不查。\n"
        doc = Doc(client, "file:///torch.md", text).open()
        assert not any(s["state"] == "ready" for s in client.statuses)  # still loading
        state = await ready(client, timeout=120)
        assert state["state"] == "ready", state
        assert [s["state"] for s in client.statuses[:2]] == ["loading", "ready"]

        diagnostics = await diagnostics_for(doc, timeout=120)  # opened before ready: checked
        assert diagnostics
        for diagnostic in diagnostics:
            start, end = range_offsets(text, diagnostic.range)
            assert end == start + 1 and text[start] == diagnostic.data["original"]
            assert is_cjk(text[start]) and text[start] not in "代码"  # inline code is skipped
            assert diagnostic.data["suggestions"] and diagnostic.source == "electra-lsp"
        info = await status(client)
        assert info["backend"] == "torch" and info["device"] == "cpu"
        assert info["model"] and info["sentencesChecked"] >= 2
    finally:
        await stop_server(client)


async def test_server_default_backend_is_onnx_when_installed(tmp_path, tiny_pair):
    """backend auto: onnxruntime is a dev dependency here, so the server runs the ONNX graphs
    and its diagnostics match the torch run's positions."""
    pytest.importorskip("onnxruntime")
    discriminator, generator = tiny_pair
    text = "我们今天去公园玩，朋友很高兴。😀𠀀你好！\n"
    found = {}
    for backend in ("auto", "torch"):
        client = await start_server(tmp_path / backend, script=False, init_options={
            "discriminator": str(discriminator), "generator": str(generator),
            "backend": backend, "threshold": 0.0, "minRatio": 0.0})
        try:
            doc = Doc(client, "file:///auto.md", text).open()
            assert (await ready(client, timeout=120))["state"] == "ready"
            found[backend] = sorted(
                (d.range.start.character, d.data["original"])
                for d in await diagnostics_for(doc, timeout=120))
            assert (await status(client))["backend"] == ("onnx" if backend == "auto" else "torch")
        finally:
            await stop_server(client)
    assert found["auto"] and found["auto"] == found["torch"]
