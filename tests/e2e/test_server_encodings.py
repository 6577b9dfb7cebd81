"""Ranges under each negotiated position encoding: the client offers UTF-8 or UTF-32 first in
`general.positionEncodings`; diagnostics, incremental edits, code action edits and hover all
use it (checked against an independent oracle)."""

from __future__ import annotations

import pytest
from lsp_fixtures import (
    Doc,
    capabilities,
    code_actions,
    command,
    diagnostics_for,
    lsp_range,
    ready,
    start_server,
    stop_server,
)
from lsprotocol import types


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
async def test_positions_in_the_negotiated_encoding(tmp_path, encoding):
    client = await start_server(tmp_path, caps=capabilities(encodings=[encoding, "utf-16"]))
    try:
        assert client.init_result.capabilities.position_encoding == encoding
        assert (await ready(client))["state"] == "ready"
        text = "Café 😀𠀀朋有！\n第二行：我们在\r\n家。\n"
        doc = Doc(client, "file:///enc.md", text).open()
        diagnostics = await diagnostics_for(doc)
        expected = [lsp_range(text, i, i + 1, encoding)
                    for i, c in enumerate(text) if c in "有在"]
        assert [d.range for d in diagnostics] == expected
        units = {"utf-8": 17, "utf-16": 10, "utf-32": 8}[encoding]  # Café␠ 😀 𠀀 朋 before 有
        assert diagnostics[0].range.start == types.Position(line=0, character=units)

        # An incremental edit after the astral characters, in the same units.
        doc.replace(text.index("朋"), text.index("朋"), "老")
        diagnostics = await diagnostics_for(doc)
        assert diagnostics[0].range == lsp_range(doc.text, doc.text.index("有"),
                                                 doc.text.index("有") + 1, encoding)

        fixes = await code_actions(doc, diagnostics[0].range, [diagnostics[0]])
        assert doc.apply(fixes[0].edit)
        assert doc.text == "Café 😀𠀀老朋友！\n第二行：我们在\r\n家。\n"

        (left,) = await diagnostics_for(doc)
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri), position=left.range.start))
        assert hover is not None and hover.range == left.range and "再" in hover.contents.value
    finally:
        await stop_server(client)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
async def test_proofread_request_answers_in_the_negotiated_encoding(tmp_path, encoding):
    from pygls.exceptions import JsonRpcInvalidParams

    client = await start_server(tmp_path, caps=capabilities(encodings=[encoding, "utf-16"]))
    try:
        text = "Café 😀𠀀朋有！我们在家。"
        result = await command(client, "electraLsp.proofread", {"text": text})
        assert result["corrected"] == "Café 😀𠀀朋友！我们再家。"
        units = {"utf-8": 17, "utf-16": 10, "utf-32": 8}[encoding]
        first = result["findings"][0]
        width = {"utf-8": 3, "utf-16": 1, "utf-32": 1}[encoding]  # 有 in each encoding
        assert (first["start"], first["end"], first["original"]) == (units, units + width, "有")
        assert first["suggestions"][0]["text"] == "友" and "explanation" in first
        assert result["model"] == "planted"
        for bad in ({"txt": text}, {"text": 5}, {"text": text, "kind": "html"},
                    {"text": "长" * 300_000}):
            with pytest.raises(JsonRpcInvalidParams):
                await command(client, "electraLsp.proofread", bad)
        # the server goes on
        assert (await command(client, "electraLsp.proofread", {"text": "好"}))["findings"] == []
    finally:
        await stop_server(client)
