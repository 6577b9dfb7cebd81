"""Unit tests of the server's parts that need no client: position mapping, settings merging,
the check queue, the runner's suspension of a long check, messages and action kinds."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsp_fixtures import lsp_range
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from electra_lsp.findings import Finding, Suggestion
from electra_lsp.lsp import config
from electra_lsp.lsp.actions import wants
from electra_lsp.lsp.diagnostics import context_word, message
from electra_lsp.lsp.documents import Document, DocumentStore
from electra_lsp.lsp.runner import CHUNK_SENTENCES, CheckRunner, Snapshot
from electra_lsp.lsp.scheduler import CheckQueue, Priority
from electra_lsp.lsp.worker import ModelWorker
from electra_lsp.settings import Settings
from electra_lsp.text.kinds import kind_of_language
from electra_lsp.text.segments import Segment

TEXT = "a😀𠀀朋有\x0c在\u2028b\r\n第二行é\r第三\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_positions_round_trip_against_the_oracle(encoding):
    codec = PositionCodec(encoding)
    document = Document("file:///x", "markdown", 1, TEXT)
    for offset in range(len(TEXT) + 1):
        if TEXT[offset - 1:offset + 1] == "\r\n":
            continue  # between \r and \n is not a position
        expected = lsp_range(TEXT, offset, offset, encoding).start
        assert document.position_at(offset, codec) == expected, offset
        assert document.offset_at(expected, codec) == offset
    assert document.line_count == 4  # \x0c and U+2028 do not end lines
    assert document.line_text(1) == "第二行é"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_positions_for_every_line_ending_match_the_cli(newline):
    from electra_lsp.text.lines import LineIndex

    text = f"第一行{newline}第二行有错朋有。{newline}"
    codec = PositionCodec("utf-16")
    document = Document("file:///x", "plaintext", 1, text)
    first, second = text.index("有"), text.rindex("有")
    assert document.line_count == 3  # LSP: \n, \r\n and a lone \r all end a line
    assert document.line_text(1) == "第二行有错朋有。"
    assert document.position_at(first, codec) == types.Position(line=1, character=3)
    assert document.position_at(second, codec) == types.Position(line=1, character=6)
    assert document.position_at(len(text), codec) == types.Position(line=2, character=0)
    assert document.offset_at(types.Position(line=1, character=6), codec) == second
    # The CLI's 1-based line:column come from the same index.
    assert LineIndex(text).human(first) == (2, 4)
    assert LineIndex(text).human(second) == (2, 7)
    assert document.line_starts == LineIndex(text).starts


@pytest.mark.parametrize("encoding", [types.PositionEncodingKind.Utf16, "utf-16"])
def test_status_shows_the_position_encoding_as_its_wire_value(monkeypatch, encoding):
    from types import SimpleNamespace

    from electra_lsp.lsp.server import ElectraServer

    workspace = SimpleNamespace(position_encoding=encoding)
    monkeypatch.setattr(ElectraServer, "workspace", property(lambda self: workspace))
    from electra_lsp.lsp.handlers.commands import show_status

    info = show_status(ElectraServer())
    assert info["positionEncoding"] == "utf-16"
    assert type(info["positionEncoding"]) is str


def test_positions_past_the_end_are_clamped():
    codec = PositionCodec("utf-16")
    document = Document("file:///x", "markdown", 1, "ab\ncd")
    assert document.offset_at(types.Position(line=0, character=99), codec) == 2
    assert document.offset_at(types.Position(line=9, character=0), codec) == 5
    assert document.offset_at(types.Position(line=1, character=99), codec) == 5


def test_incremental_changes_apply_like_an_editor():
    codec = PositionCodec("utf-16")
    document = Document("file:///x", "markdown", 1, "😀朋有\r\n在")
    document.apply([
        types.TextDocumentContentChangePartial(range=lsp_range(document.text, 2, 3), text="友"),
        types.TextDocumentContentChangePartial(range=lsp_range("😀朋友\r\n在", 5, 6), text="再见"),
    ], 2, codec)
    assert document.text == "😀朋友\r\n再见" and document.version == 2
    document.apply([types.TextDocumentContentChangeWholeDocument(text="新")], 3, codec)
    assert document.text == "新" and document.line_count == 1
    store = DocumentStore()
    store.open(types.TextDocumentItem(uri="u", language_id="markdown", version=1, text="x"))
    assert len(store) == 1 and store.close("u") is not None and store.get("u") is None


def test_settings_merge_keeps_previous_values_for_invalid_ones():
    base = Settings()
    previous = Settings(topK=5)
    applied = config.apply_values(base, previous, {"topK": "many", "severity": "error",
                                                   "trace": {"server": "off"}})
    assert applied.settings.topK == 5 and applied.settings.severity == "error"
    assert len(applied.errors) == 1 and "electraLsp.topK" in applied.errors[0]
    assert applied.unknown == ["trace"]
    # A setting the user removed goes back to its base value.
    assert config.apply_values(base, applied.settings, {}).settings == base
    assert config.changed(base, applied.settings) == {"severity", "topK"}
    assert config.section_values({"electraLsp": {"topK": 2}}) == {"topK": 2}
    assert config.section_values({"topK": 2}) == {"topK": 2}
    assert config.section_values({"other": 1}) is None and config.section_values(None) is None


def test_languages():
    settings = Settings()
    assert config.checks_language(settings, "markdown")
    assert config.checks_language(settings, "text") and config.checks_language(settings, "txt")
    assert not config.checks_language(settings, "python")
    assert config.checks_language(Settings(fileTypes=("text", "latex")), "plaintext")
    assert kind_of_language("latex") == "plaintext"
    assert kind_of_language("Markdown") == "markdown"
    assert config.checked_kind(settings, "md", 10) == "markdown"
    assert config.checked_kind(settings, "python", 10) is None
    assert config.checked_kind(Settings(maxDocumentSize=5), "markdown", 6) is None


def test_message_and_context_word():
    finding = Finding(2, 3, "有", 0.9, (Suggestion("友", 0.8, 0.7),))
    assert message("我朋有。", Finding(2, 3, "有", 0.9, (Suggestion("友", 0.8, 0.7),))) == \
        "疑似错字「朋有」→「朋友」? (possible typo: 有 → 友)"
    assert context_word("a朋有很b", Finding(2, 3, "有", 0.9)) == "朋有很"
    assert message("x有", Finding(1, 2, "有", 0.9)) == "疑似错字「有」 (possible typo: 有)"
    assert finding.best.text == "友"


def test_code_action_kind_filter():
    assert wants(None, "quickfix") and wants(["quickfix"], "quickfix")
    assert wants(["source"], "source.fixAll.electraLsp")
    assert wants(["source.fixAll"], "source.fixAll.electraLsp")
    assert not wants(["source.fixAll"], "quickfix") and not wants(["refactor"], "quickfix")
    assert not wants(["source.fix"], "source.fixAll.electraLsp")


async def test_queue_debounces_and_orders_by_priority():
    queue = CheckQueue()
    queue.schedule("background", Priority.BACKGROUND)
    queue.schedule("typed", Priority.EDIT, delay=0.05)
    queue.schedule("opened", Priority.OPEN)
    assert queue.waiting("typed") and not queue.more_urgent_than(Priority.OPEN)
    assert await queue.get() == ("opened", Priority.OPEN)
    queue.schedule("typed", Priority.EDIT, delay=0.05)  # another keystroke restarts the timer
    await asyncio.sleep(0.08)
    assert queue.more_urgent_than(Priority.BACKGROUND)
    assert await queue.get() == ("typed", Priority.EDIT)
    queue.schedule("background", Priority.EDIT)  # a more urgent request upgrades the entry
    assert await queue.get() == ("background", Priority.EDIT)
    queue.schedule("x", Priority.OPEN, delay=0.01)
    queue.discard("x")
    await asyncio.sleep(0.03)
    assert len(queue) == 0 and not queue.waiting("x")


class SlowChecker:
    """Finds every 有 (suggesting 友), taking a while per chunk of sentences."""

    def sentences(self, text: str, kind: str) -> list[Segment]:
        result, start = [], 0
        for index, char in enumerate(text):
            if char == "。":
                result.append(Segment.contiguous(text[start:index + 1], start))
                start = index + 1
        return result

    def check_sentences(self, sentences: list[str], memo=None) -> list[list[Finding]]:
        time.sleep(0.005)
        return [[Finding(i, i + 1, "有", 0.9, (Suggestion("友", 0.9, 0.8),))
                 for i, c in enumerate(s) if c == "有"] for s in sentences]


async def test_a_long_check_yields_to_an_edit_and_resumes():
    documents, queue, worker = DocumentStore(), CheckQueue(), ModelWorker()
    results: list[tuple[str, int, list[Finding]]] = []

    class Publisher:
        def result(self, document, result):
            results.append((document.uri, result.version, result.findings))

        def failed(self, document, error):
            pass

    def snapshot(uri):
        document = documents.get(uri)
        return Snapshot(document, document.version, "plaintext", SlowChecker(), 0)

    runner = CheckRunner(queue, worker, snapshot, lambda: 0, Publisher())
    big_text = "朋有来了。" * (CHUNK_SENTENCES * 20)
    big = documents.open(types.TextDocumentItem(uri="big", language_id="plaintext", version=1,
                                                text=big_text))
    documents.open(types.TextDocumentItem(uri="small", language_id="plaintext", version=1,
                                          text="我有。"))
    task = asyncio.ensure_future(runner.run_forever())
    try:
        queue.schedule("big", Priority.BACKGROUND)
        await asyncio.sleep(0.05)  # a few chunks in
        queue.schedule("small", Priority.EDIT)
        while len(results) < 2:
            await asyncio.sleep(0.01)
        assert [uri for uri, _, _ in results] == ["small", "big"]
        assert runner.suspensions == 1
        assert [f.start for f in results[1][2]] == [i for i, c in enumerate(big_text)
                                                     if c == "有"]  # nothing lost or doubled
        # A new version while checking: the old check is dropped, never reported.
        results.clear()
        queue.schedule("big", Priority.OPEN)
        await asyncio.sleep(0.05)
        big.apply([types.TextDocumentContentChangeWholeDocument(text="有。")], 2,
                  PositionCodec())
        queue.schedule("big", Priority.EDIT)
        while not results:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert [(uri, version) for uri, version, _ in results] == [("big", 2)]
        assert runner.dropped >= 1
    finally:
        task.cancel()
        worker.stop()
        runner.stop()


async def test_handled_notifications_leave_nothing_behind(monkeypatch):
    """pygls 2.1 keeps the future of every notification it handles (issue 13's soak: ~1 KB per
    didChange, for ever); ElectraProtocol lets each go once done."""
    from electra_lsp.lsp.app import create_server
    from electra_lsp.lsp.server import ElectraServer

    monkeypatch.setattr(ElectraServer, "codec", property(lambda self: PositionCodec("utf-16")))
    server = create_server(Settings(debounceMs=0))
    protocol = server.protocol
    uri = "file:///soak.md"
    protocol._handle_notification(types.TEXT_DOCUMENT_DID_OPEN, types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1,
                                             text="第一句。\n")))
    for version in range(2, 202):
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=0, character=0),
                              end=types.Position(line=0, character=0)), text="字")
        protocol._handle_notification(types.TEXT_DOCUMENT_DID_CHANGE,
                                      types.DidChangeTextDocumentParams(
                                          text_document=types.VersionedTextDocumentIdentifier(
                                              uri=uri, version=version),
                                          content_changes=[change]))
    await asyncio.sleep(0)  # done-callbacks of asyncio futures run on the loop
    assert server.documents.get(uri).text.startswith("字" * 200 + "第一句")
    assert len(protocol._request_futures) == 0
    server.queue.discard(uri)


def test_freed_memory_goes_back_to_the_os_on_glibc():
    import platform

    from electra_lsp.lsp.memory import release_free_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's; other C libraries are skipped by design")
    assert release_free_memory() is True


def test_a_pulling_client_keeps_its_result_id_when_a_recheck_changes_nothing():
    """A re-check with the same outcome (the workspace's vocabulary arriving after the first
    pull, say) must answer the next pull with `unchanged`, not a new full report."""
    from electra_lsp.lsp.documents import CheckResult
    from electra_lsp.lsp.publish import Publisher

    class Server:
        settings = Settings()
        codec = PositionCodec(types.PositionEncodingKind.Utf16)
        shutdown_requested = False
        documents: list = []
        sent: list = []

        def client_supports(self, name):
            return False  # no refresh requests: only the result id is under test

        def send(self, method, params):
            self.sent.append(params)

    ls = Server()
    publisher = Publisher(ls)
    publisher.pull = True
    document = Document("file:///a.md", "markdown", 1, "我的朋有。")
    finding = Finding(3, 4, "有", 0.97, (Suggestion("友", 0.9, 0.97),))
    publisher.result(document, CheckResult(1, [finding], 1, 0.01, 0))
    first = document.revision
    publisher.result(document, CheckResult(1, [finding], 1, 0.01, 0))  # the same outcome
    assert document.revision == first
    publisher.result(document, CheckResult(1, [], 1, 0.01, 0))  # now something else is shown
    assert document.revision == first + 1
    document.version = 2
    publisher.result(document, CheckResult(2, [], 1, 0.01, 0))  # a new version, a new id
    assert document.revision == first + 2
    assert ls.sent == []  # a pulling client gets nothing pushed


async def test_waiting_for_a_document_waits_for_a_result_of_the_current_settings():
    """Fix All right after a settings change (autoFixThreshold, say) must not act on what the
    old settings found: a result of an older generation is not what `wait` waits for."""
    from electra_lsp.lsp.documents import CheckResult
    from electra_lsp.lsp.publish import Publisher

    class Queue:
        def __init__(self):
            self.scheduled = []

        def schedule(self, uri, priority):
            self.scheduled.append(uri)

    class Server:
        settings = Settings()
        codec = PositionCodec(types.PositionEncodingKind.Utf16)
        shutdown_requested = False
        text_document_publish_diagnostics = "publish"
        host = type("Host", (), {"generation": 1, "state": "ready"})()
        runner = type("Runner", (), {"current": None})()

        def __init__(self):
            self.queue = Queue()
            self.sent = []

        def send(self, method, params):
            self.sent.append(params)

        def log_to_client(self, kind, message):
            self.sent.append(message)

    ls = Server()
    publisher = Publisher(ls)
    document = Document("file:///a.md", "markdown", 1, "我的朋有。")
    publisher.result(document, CheckResult(1, [], 1, 0.01, generation=0))  # older settings
    waiting = asyncio.ensure_future(publisher.wait(document))
    await asyncio.sleep(0.02)
    assert not waiting.done() and ls.queue.scheduled == [document.uri]
    # A check begun before the settings changed fails: still not what the waiter waits for.
    snapshot = type("Snapshot", (), {"document": document, "version": 1, "generation": 0})()
    publisher.failed(snapshot, RuntimeError("backend gone"))
    await asyncio.sleep(0.02)
    assert not waiting.done() and "backend gone" in ls.sent[-2]
    publisher.result(document, CheckResult(1, [], 1, 0.01, generation=1))
    await asyncio.wait_for(waiting, 1.0)
