"""End to end over stdio with a VS Code-like client (UTF-16, pushed diagnostics, progress,
workspace/configuration, versioned edits) and the scripted model planting 有→友 and 在→再.

One server for the module; each test opens its own documents (distinct text, so the sentence
cache of one test does not serve another) and closes them.
"""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsp_fixtures import (
    Doc,
    code_actions,
    command,
    diagnostics_for,
    lsp_range,
    range_offsets,
    ready,
    start_server,
    status,
    stop_server,
    wait_until,
)
from lsprotocol import types

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("server")
    client = await start_server(tmp)
    client.tmp = tmp
    state = await ready(client)
    assert state["state"] == "ready", state
    yield client
    await stop_server(client)


async def settled(client, **expected) -> dict:
    """The server's status once its settings show `expected` (configuration is pulled)."""
    async def check():
        info = await status(client)
        return info if all(info["settings"][k] == v for k, v in expected.items()) else None

    for _ in range(500):
        info = await check()
        if info:
            return info
        await wait_until(lambda: True)
    raise AssertionError(f"settings never became {expected}")


def uri(name: str) -> str:
    return f"file:///tmp/electra-lsp-tests/{name}"


async def test_initialize_announces_the_features(client):
    capabilities = client.init_result.capabilities
    assert client.encoding == "utf-16"
    sync = capabilities.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental and sync.open_close
    assert set(capabilities.code_action_provider.code_action_kinds) == {
        "quickfix", "source.fixAll.electraLsp"}
    assert capabilities.hover_provider
    assert set(capabilities.execute_command_provider.commands) == {
        "electraLsp.checkDocument", "electraLsp.fixAll", "electraLsp.addToDictionary",
        "electraLsp.ignoreInDocument", "electraLsp.reloadModels", "electraLsp.showStatus",
        "electraLsp.proofread"}
    assert capabilities.diagnostic_provider is None  # this client takes pushed diagnostics


async def test_loading_is_reported_with_progress_and_status(client):
    states = [s["state"] for s in client.statuses]
    assert states[:2] == ["loading", "ready"], client.statuses
    assert all(isinstance(s["message"], str) and s["message"] for s in client.statuses)
    (reports,) = client.progress_reports.values()
    kinds = [type(r).__name__ for r in reports]
    assert kinds == ["WorkDoneProgressBegin", "WorkDoneProgressReport", "WorkDoneProgressEnd"]
    info = await status(client)
    assert info["state"] == "ready" and info["backend"] == "scripted"
    assert info["model"] == "planted"
    assert {"device", "sentencesChecked", "cacheHits", "cacheMisses", "cacheHitRate",
            "lastLatencyMs", "documents"} <= set(info)
    assert info["positionEncoding"] == "utf-16"  # the wire value, not an enum's repr


async def test_lone_cr_ends_a_line_like_the_cli_says(client):
    text = "第一行\r第二行有错朋有。\r"
    doc = Doc(client, uri("mac.txt"), text).open()
    diagnostics = await diagnostics_for(doc)
    # `electra-lsp check` reports 2:4 and 2:7 (1-based) for the same text.
    assert [(d.range.start.line, d.range.start.character, d.range.end.character)
            for d in diagnostics] == [(1, 3, 4), (1, 6, 7)]


async def test_diagnostic_has_exact_utf16_range_after_emoji_and_extension_b(client):
    text = "# 标题\n\n我的朋有很好。\n😀𠀀朋有！\n"
    doc = Doc(client, uri("ranges.md"), text).open()
    diagnostics = await diagnostics_for(doc)
    first, second = text.index("有"), text.rindex("有")
    assert [d.range for d in diagnostics] == [lsp_range(text, first, first + 1),
                                             lsp_range(text, second, second + 1)]
    # 😀 and 𠀀 are two UTF-16 units each: 有 starts at unit 5 of line 3 (4 code points in).
    assert diagnostics[1].range == types.Range(start=types.Position(line=3, character=5),
                                               end=types.Position(line=3, character=6))
    diagnostic = diagnostics[0]
    assert diagnostic.source == "electra-lsp" and diagnostic.code == "misspelling"
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    assert diagnostic.message == "疑似错字「朋有很」→「朋友很」? (possible typo: 有 → 友)"
    assert diagnostic.data["original"] == "有"
    assert [s["text"] for s in diagnostic.data["suggestions"]] == ["友"]
    assert diagnostics[1].message.startswith("疑似错字「朋有」→「朋友」?")
    doc.close()


async def test_quick_fix_replaces_the_character(client):
    text = "今天我跟朋有一起去公园。\n"
    doc = Doc(client, uri("quickfix.md"), text).open()
    (diagnostic,) = await diagnostics_for(doc)
    actions = await code_actions(doc, diagnostic.range, [diagnostic])
    fixes = [a for a in actions if a.edit is not None]
    assert fixes[0].is_preferred and fixes[0].kind == "quickfix" and "友" in fixes[0].title
    commands = {a.command.command: a.command.arguments for a in actions if a.command}
    assert commands == {"electraLsp.addToDictionary": ("朋有一",),
                        "electraLsp.ignoreInDocument": (doc.uri, "有")}
    assert doc.apply(fixes[0].edit)
    assert doc.text == "今天我跟朋友一起去公园。\n"
    assert await diagnostics_for(doc) == []
    # The same action computed for the old text no longer fits: it is version-checked.
    assert not doc.apply(fixes[0].edit)
    doc.close()


async def test_fix_all_source_action_and_command(client):
    text = "朋有们在见。\n\n我们现在去找朋有。\n"
    doc = Doc(client, uri("fixall.md"), text).open()
    diagnostics = await diagnostics_for(doc)
    assert len(diagnostics) == 4
    actions = await code_actions(doc, lsp_range(text, 0, 0), [], only=["source.fixAll"])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.electraLsp"
    fixed = "朋友们再见。\n\n我们现再去找朋友。\n"
    result = await command(client, "electraLsp.fixAll", doc.uri)
    assert result["applied"] and result["edits"] == 4
    assert doc.text == fixed
    assert await diagnostics_for(doc) == []
    doc.close()


async def test_reference_label_gets_no_quick_fix_and_no_fix_all(client):
    text = "他们见过[朋有][]和[朋有](https://e.com)。\n\n[朋有]: https://e.com\n"
    doc = Doc(client, uri("label.md"), text).open()
    label, inline = sorted(await diagnostics_for(doc), key=lambda d: d.range.start.character)
    assert label.data["fixable"] is False and "fixable" not in inline.data
    assert label.message.endswith("(link label: fix it together with its definition)")
    actions = await code_actions(doc, label.range, [label], only=["quickfix"])
    assert [a for a in actions if a.edit is not None] == []
    assert {a.command.command for a in actions if a.command} == {
        "electraLsp.addToDictionary", "electraLsp.ignoreInDocument"}
    actions = await code_actions(doc, inline.range, [inline], only=["quickfix"])
    assert [a for a in actions if a.edit is not None]
    (fix_all,) = await code_actions(doc, label.range, [], only=["source.fixAll"])
    assert "(fix all 1 possible typo)" in fix_all.title
    result = await command(client, "electraLsp.fixAll", doc.uri)
    assert result["applied"] and result["edits"] == 1
    assert doc.text == text.replace("[朋有](", "[朋友](")
    doc.close()


async def test_incremental_edit_rechecks_only_the_changed_sentence(client):
    sentences = ["春天的花开了。", "我和朋有去看花。", "公园里人很多。", "孩子们在玩。",
                 "天气很好。"]
    text = "".join(sentences) + "\n"
    doc = Doc(client, uri("incremental.md"), text).open()
    assert len(await diagnostics_for(doc)) == 2
    before = await status(client)
    position = text.index("人很多")
    doc.replace(position, position, "游")  # 公园里游人很多。
    diagnostics = await diagnostics_for(doc)
    after = await status(client)
    assert after["sentencesChecked"] - before["sentencesChecked"] == 1
    assert after["cacheMisses"] - before["cacheMisses"] == 1
    assert after["cacheHits"] - before["cacheHits"] == 4
    offsets = [range_offsets(doc.text, d.range)[0] for d in diagnostics]
    assert [doc.text[o] for o in offsets] == ["有", "在"]
    assert after["lastLatencyMs"] is not None and after["documents"] >= 1
    doc.close()


async def test_debounced_edits_publish_only_the_latest_version(client):
    text = "我们在学校学习。\n"
    doc = Doc(client, uri("debounce.md"), text).open()
    await diagnostics_for(doc)
    for char in "今天很好":
        doc.replace(len(doc.text) - 1, len(doc.text) - 1, char)
    diagnostics = await diagnostics_for(doc)
    assert len(diagnostics) == 1
    versions = [p.version for p in client.published if p.uri == doc.uri]
    assert versions == [1, doc.version], versions  # versions 2-4 were never checked
    doc.close()


@pytest.mark.parametrize("lines", [3500, 6000])  # read in the model worker / in the background
async def test_stale_check_is_dropped_and_never_published(client, lines):
    # A document big enough that its check is still running when the next edit arrives.
    text = "".join(f"第{i}行文字记录了一些事情，我们在这里写下内容。\n" for i in range(lines))
    before = await status(client)
    doc = Doc(client, uri(f"stale-{lines}.md"), text).open()
    doc.replace(0, 0, "开头。")  # arrives while version 1 is being checked
    diagnostics = await diagnostics_for(doc, timeout=60)
    assert len(diagnostics) == lines
    assert [p.version for p in client.published if p.uri == doc.uri] == [2]
    after = await status(client)
    assert after["checksDropped"] > before["checksDropped"]
    doc.close()


async def test_hover_shows_score_and_suggestions(client):
    text = "他是我的好朋有。\n"
    doc = Doc(client, uri("hover.md"), text).open()
    (diagnostic,) = await diagnostics_for(doc)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri),
        position=diagnostic.range.start))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "**0.97**" in hover.contents.value  # the discriminator's score, rounded as the CLI does
    assert "| 1 | 友 | 0.90 |" in hover.contents.value
    assert hover.range == diagnostic.range
    for position in (types.Position(line=0, character=0), types.Position(line=99, character=3)):
        nothing = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri), position=position))
        assert nothing is None
    doc.close()


async def test_add_to_dictionary_suppresses_in_all_open_documents(client):
    first = Doc(client, uri("dict-a.md"), "明天他们在。\n").open()
    second = Doc(client, uri("dict-b.md"), "他们在，朋有来了。\n").open()
    (diagnostic,) = await diagnostics_for(first)
    assert len(await diagnostics_for(second)) == 2
    actions = await code_actions(first, diagnostic.range, [diagnostic])
    (add,) = [a for a in actions if a.command and "Dictionary" in a.command.command]
    published = len(client.published)
    result = await command(client, add.command.command, *add.command.arguments)
    assert result["added"] and result["word"] == "们在"
    assert result["path"] == str(client.tmp / "dictionary.txt")
    assert (client.tmp / "dictionary.txt").read_text(encoding="utf-8").splitlines()[-1] == "们在"
    await wait_until(lambda: {p.uri for p in client.published[published:]} >=
                     {first.uri, second.uri}, what="re-published diagnostics")
    assert await diagnostics_for(first) == []
    (left,) = await diagnostics_for(second)
    assert left.data["original"] == "有"
    first.close()
    second.close()


async def test_ignore_in_document_only_affects_that_document(client):
    first = Doc(client, uri("ignore-a.md"), "我在家，你在哪？\n").open()
    second = Doc(client, uri("ignore-b.md"), "他在学校。\n").open()
    assert len(await diagnostics_for(first)) == 2
    published = len(client.published)
    result = await command(client, "electraLsp.ignoreInDocument", first.uri, "在")
    assert result["ignored"] == ["在"]
    await wait_until(lambda: any(p.uri == first.uri for p in client.published[published:]),
                     what="re-published diagnostics")
    assert await diagnostics_for(first) == []
    assert len(await diagnostics_for(second)) == 1
    first.close()
    second.close()


async def test_disable_comments_code_and_links_are_not_checked(client):
    text = (
        "朋有一。\n\n"
        "<!-- electra-lsp-disable-next-line -->\n朋有二。\n\n"
        "<!-- electra-lsp-disable -->\n朋有三。\n\n朋有四。\n<!-- electra-lsp-enable -->\n\n"
        "```\n朋有五\n```\n\n`朋有六` 和 [链接](朋有七) 朋有八。\n"
    )
    doc = Doc(client, uri("switches.md"), text).open()
    diagnostics = await diagnostics_for(doc)
    flagged = [text[range_offsets(text, d.range)[0] - 1:range_offsets(text, d.range)[1] + 1]
               for d in diagnostics]
    assert flagged == ["朋有一", "朋有八"]
    doc.close()


async def test_plain_text_and_file_type_filter(client):
    text = "朋有在这里。\n"
    plain = Doc(client, uri("plain.txt"), text, language="plaintext").open()
    alias = Doc(client, uri("alias.txt"), text, language="text").open()
    python = Doc(client, uri("code.py"), "# 朋有在这里\n", language="python").open()
    assert len(await diagnostics_for(plain)) == 2
    assert len(await diagnostics_for(alias)) == 2
    await command(client, "electraLsp.checkDocument", python.uri)
    published = [p for p in client.published if p.uri == python.uri]
    assert published and all(len(p.diagnostics) == 0 for p in published)
    for doc in (plain, alias, python):
        doc.close()


async def test_configuration_changes(client):
    doc = Doc(client, uri("config.md"), "我们现在出发。\n").open()
    (diagnostic,) = await diagnostics_for(doc)
    messages = len(client.messages)

    async def configure(values: dict, **expected) -> dict:
        client.set_configuration(values, section="electraLsp")
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=None))
        return await settled(client, **expected)

    # An invalid value: one clear message, the previous value kept, the valid ones applied.
    info = await configure({"topK": "many", "severity": "warning"}, severity="warning")
    (message,) = client.messages[messages:]
    assert message.type == types.MessageType.Error and "electraLsp.topK" in message.message
    assert info["settings"]["topK"] == 3
    await wait_until(lambda: client.diagnostics[doc.uri] and
                     client.diagnostics[doc.uri][0].severity == types.DiagnosticSeverity.Warning,
                     what="warning severity")
    # A threshold above the planted score (0.97): the checker re-checks, nothing is found.
    await configure({"threshold": 0.99}, threshold=0.99)
    await wait_until(lambda: len(client.diagnostics[doc.uri]) == 0, what="no diagnostics")
    await configure({"threshold": None}, threshold=None)
    await wait_until(lambda: client.diagnostics[doc.uri], what="diagnostics again")
    # An automatic-fix threshold above it: Fix All applies nothing and says one is left.
    await configure({"autoFixThreshold": 0.99}, autoFixThreshold=0.99)
    result = await command(client, "electraLsp.fixAll", doc.uri)
    assert result == {"applied": False, "edits": 0, "unsure": 1}
    await configure({"autoFixThreshold": None}, autoFixThreshold=None)
    await configure({"fileTypes": ["plaintext"]}, fileTypes=["plaintext"])
    await wait_until(lambda: len(client.diagnostics[doc.uri]) == 0, what="markdown unchecked")
    await configure({}, fileTypes=["markdown", "plaintext"])
    assert len(await wait_until(lambda: client.diagnostics[doc.uri], what="back")) == 1
    assert len(client.messages) == messages + 1
    doc.close()


async def test_documents_over_max_size_are_refused_once(client):
    client.set_configuration({"maxDocumentSize": 20}, section="electraLsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await settled(client, maxDocumentSize=20)
    messages = len(client.messages)
    doc = Doc(client, uri("large.md"), "我的朋有" * 10 + "\n").open()
    await wait_until(lambda: len(client.messages) > messages, what="a warning")
    doc.replace(0, 0, "很长的")
    await command(client, "electraLsp.checkDocument", doc.uri)
    (warning,) = client.messages[messages:]
    assert warning.type == types.MessageType.Warning and "maxDocumentSize" in warning.message
    assert all(len(p.diagnostics) == 0 for p in client.published if p.uri == doc.uri)
    client.set_configuration({}, section="electraLsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    assert len(await wait_until(lambda: client.diagnostics.get(doc.uri), what="checked")) == 10
    doc.close()


async def test_model_settings_and_the_reload_command_reload_in_the_background(client):
    doc = Doc(client, uri("reload.md"), "我们现在走吧。\n").open()
    assert len(await diagnostics_for(doc)) == 1
    loads = sum(s["state"] == "ready" for s in client.statuses)
    client.set_configuration({"threads": 1}, section="electraLsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_until(lambda: sum(s["state"] == "ready" for s in client.statuses) == loads + 1,
                     what="a reload")
    assert (await command(client, "electraLsp.reloadModels")) == {"state": "loading"}
    await wait_until(lambda: sum(s["state"] == "ready" for s in client.statuses) == loads + 2,
                     what="another reload")
    assert [s["state"] for s in client.statuses[-4:]] == ["loading", "ready"] * 2
    assert len(client.progress_reports) == 3  # one progress per load
    client.set_configuration({"threads": 1, "precision": "int8"}, section="electraLsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_until(lambda: sum(s["state"] == "ready" for s in client.statuses) == loads + 3,
                     what="a reload for the new precision")
    published = len(client.published)
    await wait_until(lambda: any(p.uri == doc.uri for p in client.published[published - 1:]),
                     what="re-checked after the reload")
    assert len(await diagnostics_for(doc)) == 1
    client.set_configuration({}, section="electraLsp")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await settled(client, threads=0)
    doc.close()
