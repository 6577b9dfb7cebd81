"""Server lifecycle: a light import path, a model that fails to load (one clear message, the
server stays up), shutdown/exit codes, a client that disconnects mid-check, and TCP."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import pytest
from lsp_fixtures import (
    PLANTED,
    REPO,
    SERVER_COMMAND,
    Doc,
    capabilities,
    code_actions,
    command,
    lsp_range,
    make_client,
    ready,
    start_server,
    status,
    stop_server,
    wait_until,
    write_script,
)
from lsprotocol import types


def test_server_import_path_has_no_torch():
    code = ("import sys, electra_lsp.cli, electra_lsp.commands.serve, electra_lsp.lsp.app; "
            "print(sorted(m for m in ('torch', 'transformers', 'pypinyin') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True).stdout
    assert out.strip() == "[]"


def test_serve_defaults_to_stdio_and_localhost():
    from electra_lsp.cli import build_parser

    args = build_parser().parse_args(["serve", "--tcp"])
    assert args.tcp and args.host == "127.0.0.1" and args.port == 2087
    assert not build_parser().parse_args(["serve"]).tcp


async def test_model_load_failure_is_one_message_and_the_server_stays_up(tmp_path):
    missing = tmp_path / "no-such-model"
    client = await start_server(tmp_path, script=False,
                                init_options={"discriminator": str(missing),
                                              "generator": str(missing)})
    try:
        state = await ready(client)
        assert state["state"] == "error" and "discriminator model not found" in state["message"]
        await wait_until(lambda: client.messages, what="the error message")
        (message,) = client.messages
        assert message.type == types.MessageType.Error
        assert str(missing) in message.message and "--discriminator" in message.message

        text = "我的朋有在这里。\n"
        doc = Doc(client, "file:///failed.md", text).open()
        result = await command(client, "electraLsp.checkDocument", doc.uri)
        assert result["findings"] is None
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            position=types.Position(line=0, character=3)))
        assert hover is None
        assert await code_actions(doc, lsp_range(text, 3, 4), []) == []
        info = await status(client)
        assert info["state"] == "error" and info["model"] is None
        assert all(len(p.diagnostics) == 0 for p in client.published)
        assert len(client.messages) == 1  # one message, not one per request or document
    finally:
        await stop_server(client)
    assert client._server.returncode == 0  # shutdown then exit


async def test_exit_without_shutdown_exits_with_1(tmp_path):
    client = await start_server(tmp_path)
    await ready(client)
    client.exit(None)
    assert await asyncio.wait_for(client._server.wait(), 20) == 1
    await client.stop()


async def test_client_disconnecting_mid_check_ends_the_server_cleanly(tmp_path):
    log = tmp_path / "server.log"
    client = await start_server(tmp_path, command=[*SERVER_COMMAND, "--log-file", str(log)])
    await ready(client)
    lines = "".join(f"第{i}段文字里有一些事情需要记录下来。\n" for i in range(40000))
    Doc(client, "file:///big.md", lines).open()
    await asyncio.sleep(0.5)  # the check is under way
    client._server.stdin.close()  # the editor vanished
    returncode = await asyncio.wait_for(client._server.wait(), 20)
    await client.stop()
    assert returncode == 1  # no shutdown request came: an unclean end, but not a crash
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text and "state ready" in text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_tcp_transport(tmp_path):
    from lsp_fixtures import write_script

    port = _free_port()
    env = {"ELECTRA_LSP_SCRIPTED_MODEL": str(write_script(tmp_path)),
           "XDG_DATA_HOME": str(tmp_path)}
    import os

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "electra_lsp", "--tcp", "--port", str(port), cwd=REPO,
        env={**os.environ, **env})
    try:
        client = make_client()
        for _ in range(200):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        client.capabilities = capabilities()
        await client.initialize_async(types.InitializeParams(
            capabilities=client.capabilities,
            initialization_options={"dictionaryPath": str(tmp_path / "d.txt"),
                                    "severity": "loud"}))
        client.initialized(types.InitializedParams())
        assert (await ready(client))["state"] == "ready"
        # An invalid initialization option is reported once the session is initialized.
        (message,) = client.messages
        assert message.type == types.MessageType.Error and "electraLsp.severity" in message.message
        doc = Doc(client, "file:///tcp.md", "朋有来了。\n").open()
        await wait_until(lambda: client.diagnostics.get(doc.uri), what="diagnostics over TCP")
        await client.shutdown_async(None)
        client.exit(None)
        assert await asyncio.wait_for(process.wait(), 20) == 0
        await client.stop()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.parametrize("flag", [["--port", "0"], ["--threshold", "2"]])
def test_serve_rejects_bad_flags(flag):
    result = subprocess.run([*SERVER_COMMAND, *flag], capture_output=True, text=True, cwd=REPO,
                            stdin=subprocess.DEVNULL, timeout=30)
    assert result.returncode == 2 and "electra-lsp: error:" in result.stderr


async def test_a_word_added_while_the_models_load_does_not_lose_the_load(tmp_path):
    """Adding a dictionary word (or changing a setting) while the models load marks the
    findings computed so far as stale; it must not make the load think a newer one overtook
    it, which left the server "loading" for good and every Fix All waiting."""
    write_script(tmp_path, {**PLANTED, "loadSeconds": 1.5})
    client = await start_server(tmp_path, script=False, env={
        "ELECTRA_LSP_SCRIPTED_MODEL": str(tmp_path / "planted.json")})
    try:
        await wait_until(lambda: any(s.get("state") == "loading" for s in client.statuses),
                         what="loading")
        added = await command(client, "electraLsp.addToDictionary", "朋有")
        assert added["added"] is True
        assert not any(s.get("state") == "ready" for s in client.statuses)  # still loading
        assert (await ready(client, timeout=30))["state"] == "ready"
        doc = Doc(client, "file:///during-load.md", "我的朋有在这里。\n").open()
        result = await asyncio.wait_for(command(client, "electraLsp.fixAll", doc.uri), 30)
        assert result["edits"] == 1  # 在 → 再 only: 朋有 is in the dictionary now
    finally:
        await stop_server(client)
