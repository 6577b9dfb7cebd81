"""Bad input never brings the server down: malformed messages, unknown methods, bad command
arguments, positions past the end, stale diagnostics, control characters, a 5 MB document."""

from __future__ import annotations

import asyncio
import json
import random
import time

import pytest
import pytest_asyncio
from lsp_fixtures import (
    Doc,
    code_actions,
    command,
    diagnostics_for,
    lsp_range,
    ready,
    start_server,
    status,
    stop_server,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcMethodNotFound

pytestmark = pytest.mark.asyncio(loop_scope="module")
FAR = types.Position(line=1_000_000, character=1_000_000)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(tmp_path_factory):
    client = await start_server(tmp_path_factory.mktemp("robust"))
    assert (await ready(client))["state"] == "ready"
    yield client
    await stop_server(client)


def send_raw(client, body: bytes) -> None:
    client._server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)


async def test_malformed_messages_are_survived(client):
    send_raw(client, b"{this is not json")
    send_raw(client, json.dumps({"jsonrpc": "2.0", "id": "bad-params",
                                 "method": "textDocument/hover",
                                 "params": {"textDocument": 5}}).encode())
    send_raw(client, json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                                 "params": {"textDocument": None}}).encode())
    send_raw(client, b'{"jsonrpc": "2.0", "id": 99}')
    send_raw(client, "\ufffd\x00".encode())
    assert (await status(client))["state"] == "ready"


async def test_a_request_with_malformed_params_is_answered(client):
    """pygls raises before any handler runs; the client must still get its error response,
    not wait for ever (found in a fresh-user trial: a hover without a position)."""
    from concurrent.futures import Future

    answer: Future = Future()
    client.protocol._request_futures["hover-without-position"] = answer  # raw: no validation
    send_raw(client, json.dumps({"jsonrpc": "2.0", "id": "hover-without-position",
                                 "method": "textDocument/hover",
                                 "params": {"textDocument": {"uri": "file:///x.md"}}}).encode())
    with pytest.raises(JsonRpcInvalidParams):
        await asyncio.wait_for(asyncio.wrap_future(answer), 20)
    assert (await status(client))["state"] == "ready"


async def test_unknown_methods_and_bad_command_arguments(client):
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("electraLsp/noSuchMethod", {})
    client.protocol.notify("electraLsp/noSuchNotification", {"x": 1})
    with pytest.raises(JsonRpcInvalidParams):
        await command(client, "electraLsp.noSuchCommand")
    for name, arguments in [("electraLsp.fixAll", []), ("electraLsp.fixAll", [42]),
                            ("electraLsp.checkDocument", ["file:///not-open.md"]),
                            ("electraLsp.ignoreInDocument", ["file:///not-open.md", "在"]),
                            ("electraLsp.addToDictionary", [""]),
                            ("electraLsp.addToDictionary", ["两行\n词"])]:
        with pytest.raises(JsonRpcInvalidParams):
            await command(client, name, *arguments)
    assert (await status(client))["state"] == "ready"


async def test_positions_past_the_end_and_unknown_documents(client):
    text = "朋有来了。\n"
    doc = Doc(client, "file:///far.md", text).open()
    (diagnostic,) = await diagnostics_for(doc)
    far = types.Range(start=FAR, end=FAR)
    assert await code_actions(doc, far, [], only=["quickfix"]) == []
    (whole,) = await code_actions(doc, far, [])  # only the document-wide fix-all
    assert whole.kind == "source.fixAll.electraLsp"
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri), position=FAR))
    assert hover is None
    # A diagnostic that no longer matches the text (or points past the end) gets no fix.
    moved = types.Diagnostic(range=far, message=diagnostic.message, source="electra-lsp",
                             data=diagnostic.data)
    assert await code_actions(doc, far, [moved], only=["quickfix"]) == []
    # Another tool's diagnostic with odd data is left alone; the fixes come from our finding.
    foreign = types.Diagnostic(range=diagnostic.range, message="x", source="other", data=[1])
    actions = await code_actions(doc, diagnostic.range, [foreign], only=["quickfix"])
    assert actions and all(d.source == "electra-lsp" for a in actions for d in a.diagnostics)
    # Documents never opened.
    ghost = Doc(client, "file:///ghost.md", "")
    assert await code_actions(ghost, far, []) == []
    ghost.replace(0, 0, "朋有")  # didChange without didOpen
    ghost.close()
    # An incremental change whose range lies past the end appends, like editors expect.
    doc.replace(len(doc.text), len(doc.text), "")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=9),
        content_changes=[types.TextDocumentContentChangePartial(range=far, text="在")]))
    doc.text, doc.version = doc.text + "在", 9
    assert [d.data["original"] for d in await diagnostics_for(doc)] == ["有", "在"]
    assert (await status(client))["state"] == "ready"
    doc.close()


async def test_control_characters_do_not_shift_positions(client):
    # Only \n, \r\n and \r end LSP lines; \f, \v, U+0085, U+2028 and NUL are characters.
    text = "\x00\x01\x07\x0b\x0c\x1b\x7f\u0085\u2028朋有\x00\n\x0c在\r此\r\n\ufeff朋有"
    doc = Doc(client, "file:///control.txt", text, language="plaintext").open()
    diagnostics = await diagnostics_for(doc)
    expected = [lsp_range(text, i, i + 1) for i, c in enumerate(text) if c in "有在"]
    assert [d.range for d in diagnostics] == expected
    assert expected[0].start.line == 0 and expected[1].start.line == 1
    garbage = "".join(chr(random.Random(7).randrange(0, 256)) for _ in range(20000))
    junk = Doc(client, "file:///garbage.txt", garbage, language="plaintext").open()
    assert await diagnostics_for(junk) == []
    assert (await status(client))["state"] == "ready"
    doc.close()
    junk.close()


COMMON = ("的一是不了人我这中大为上个国以要他时来用们生到作地于出就分对成会可主发"
          "年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家"
          "电力里如水化高自二理起小物现实加量都两体制")  # neither 有 nor 在


async def test_five_megabyte_document_does_not_block_the_server(client):
    rng = random.Random(0)
    lines = []
    for i in range(60000):
        line = "".join(rng.choice(COMMON) for _ in range(13)) + "。" + \
            "".join(rng.choice(COMMON) for _ in range(13)) + "。"
        lines.append(("朋有" + line) if i % 1000 == 0 else line)
    text = "\n".join(lines) + "\n"
    assert len(text.encode("utf-8")) > 5_000_000 and len(text) < 5_000_000
    before = await status(client)
    big = Doc(client, "file:///big.md", text).open()
    # While it is being checked, the server answers and the document being edited comes first.
    small = Doc(client, "file:///small.md", "小文件。\n").open()
    await diagnostics_for(small)
    # Type once the big document's sentences are going through the model.
    while (await status(client))["sentencesChecked"] < before["sentencesChecked"] + 200:
        await asyncio.sleep(0.01)
    small.replace(0, 0, "朋有")
    started = time.perf_counter()
    assert len(await diagnostics_for(small, timeout=30)) == 1
    typed = time.perf_counter() - started
    started = time.perf_counter()
    await status(client)
    answered = time.perf_counter() - started
    diagnostics = await diagnostics_for(big, timeout=180)
    assert len(diagnostics) == 60
    assert all(big.text[range_start(big.text, d)] == "有" for d in diagnostics)
    assert answered < 2.0, answered
    after = await status(client)
    assert after["sentencesChecked"] - before["sentencesChecked"] >= 120000
    # The edit was not made to wait for the whole big document: its diagnostics came first.
    order = [p.uri for p in client.published if p.uri in (big.uri, small.uri)]
    assert order == [small.uri, small.uri, big.uri], order
    assert after["checksSuspended"] > before["checksSuspended"]  # suspended, then resumed
    print(f"edit checked in {typed:.2f} s; status answered in {answered:.3f} s; "
          f"suspensions {after['checksSuspended'] - before['checksSuspended']}")
    big.close()
    small.close()


def range_start(text: str, diagnostic: types.Diagnostic) -> int:
    from lsp_fixtures import range_offsets

    return range_offsets(text, diagnostic.range)[0]
