"""Pull diagnostics (textDocument/diagnostic) for a client that announces them: registered in
the capabilities, nothing pushed, unchanged reports by result id, refresh after an ignore."""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsp_fixtures import Doc, capabilities, command, ready, start_server, stop_server, wait_until
from lsprotocol import types

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(tmp_path_factory):
    client = await start_server(tmp_path_factory.mktemp("pull"),
                                caps=capabilities(pull=True, progress=False,
                                                  configuration=False))
    assert (await ready(client))["state"] == "ready"
    yield client
    await stop_server(client)


async def pull(client, uri: str, previous: str | None = None):
    return await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous))


async def test_pull_diagnostics(client):
    provider = client.init_result.capabilities.diagnostic_provider
    assert provider is not None and provider.identifier == "electra-lsp"
    doc = Doc(client, "file:///pull.md", "我的朋有在这里。\n").open()
    report = await pull(client, doc.uri)  # waits for the check of the current version
    assert report.kind == "full"
    assert [d.data["original"] for d in report.items] == ["有", "在"]

    unchanged = await pull(client, doc.uri, report.result_id)
    assert unchanged.kind == "unchanged" and unchanged.result_id == report.result_id

    doc.replace(0, 0, "今天")
    edited = await pull(client, doc.uri, report.result_id)
    assert edited.kind == "full" and edited.result_id != report.result_id
    assert [d.range.start.character for d in edited.items] == [5, 6]

    refreshes = client.diagnostic_refresh_count
    await command(client, "electraLsp.ignoreInDocument", doc.uri, "在")
    await wait_until(lambda: client.diagnostic_refresh_count > refreshes, what="a refresh")
    after = await pull(client, doc.uri, edited.result_id)
    assert [d.data["original"] for d in after.items] == ["有"]

    assert client.published == []  # a pull client gets no pushed diagnostics
    assert client.progress_reports == {}  # nor progress it did not ask for
    assert len((await pull(client, "file:///never-opened.md")).items) == 0
    doc.close()


async def test_settings_pushed_with_did_change_configuration(client):
    # This client has no workspace/configuration: the settings come in the notification.
    doc = Doc(client, "file:///pushed-settings.md", "朋有。\n").open()
    assert (await pull(client, doc.uri)).items[0].severity == types.DiagnosticSeverity.Information
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"electraLsp": {"severity": "hint", "topK": 0}}))
    await wait_until(lambda: client.messages, what="the invalid topK message")
    assert "electraLsp.topK" in client.messages[-1].message
    report = await pull(client, doc.uri)
    assert report.items[0].severity == types.DiagnosticSeverity.Hint
    doc.close()
