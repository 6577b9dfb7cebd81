"""Open documents: one `Document` per URI holds the text as the client sees it and everything
the server keeps about it (the last check's result, ignored words, the diagnostics revision, the
too-large refusal, pull requests waiting for a result, a suspended check), and maps the core's
code-point offsets to LSP positions in the negotiated encoding.

Lines come from the project's one line index, `electra_lsp.text.lines` (the CLI's too): LSP's
terminators only (\\n, \\r\\n and a lone \\r) — Python's `splitlines` also breaks on \\f, \\v,
U+2028 and others, which would shift every position after such a character.
Code units within a line are counted by pygls' position codec; a line prefix whose code units
provably equal its code points (ASCII, or no astral character under UTF-16) skips the count.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from electra_lsp.findings import Finding
from electra_lsp.text import lines

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def code_units(codec: PositionCodec, text: str) -> int:
    """Code units of `text` in the codec's encoding."""
    if text.isascii() or codec.encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if codec.encoding != types.PositionEncodingKind.Utf8 and not _ASTRAL.search(text):
        return len(text)  # UTF-16 without surrogate pairs: one unit per code point
    return codec.client_num_units(text)


@dataclass(frozen=True)
class CheckResult:
    """The findings of one checked version (document offsets, sorted), how many sentences went
    through the checker, how long the check took (seconds), and the models-and-settings
    generation it was checked with (`ModelHost.generation`)."""

    version: int
    findings: list[Finding]
    sentences: int
    seconds: float
    generation: int

    @classmethod
    def nothing(cls, version: int, generation: int) -> CheckResult:
        """The result of a version that is not checked (or whose check failed)."""
        return cls(version, [], 0, 0.0, generation)


@dataclass(eq=False)
class Document:
    """One open document and the server's state about it.

    This is the server's only copy of the text: pygls' workspace keeps none (see
    `ElectraProtocol`). Ours rather than pygls' `TextDocument` because positions must use the
    project's one line index (LSP's terminators; pygls' `splitlines` also breaks on \\f, \\v,
    U+2028 and more), the core works in code-point offsets, and the state below belongs with
    the text it describes: it goes when the document closes, with nothing keyed by URI to clean.
    """

    uri: str
    language_id: str
    version: int
    text: str
    result: CheckResult | None = None  # the last check, possibly of an older version
    ignored: set[str] = field(default_factory=set)  # characters or words not reported here
    revision: int = 0  # changes to what would be shown (pull diagnostics' result id)
    shown: Any = field(default=None, repr=False)  # (version, diagnostics) of that revision
    refused: bool = False  # already told it is too large to check
    closed: bool = False
    waiters: list[asyncio.Future[None]] = field(default_factory=list, repr=False)
    suspended: Any = field(default=None, repr=False)  # the runner's unfinished check, if any
    memo: Any = field(default=None, repr=False)  # checker.SentenceMemo: its sentences, re-used
    _line_starts: list[int] | None = field(default=None, repr=False)

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = lines.line_starts(self.text)
        return self._line_starts

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_text(self, line: int) -> str:
        """Line `line` without its terminator."""
        start = self.line_starts[line]
        return self.text[start:lines.line_end(self.text, self.line_starts, line)]

    # -- positions ------------------------------------------------------------------------
    def offset_at(self, position: types.Position, codec: PositionCodec) -> int:
        """The code-point offset of a client position, clamped into the document."""
        if position.line >= self.line_count:
            return len(self.text)
        line = self.line_text(position.line)
        if position.character >= code_units(codec, line):
            column = len(line)
        else:
            client = types.Position(line=0, character=position.character)
            column = codec.position_from_client_units([line], client).character
        return self.line_starts[position.line] + column

    def position_at(self, offset: int, codec: PositionCodec) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = lines.line_of(offset, self.line_starts)
        start = self.line_starts[line]
        return types.Position(line=line, character=code_units(codec, self.text[start:offset]))

    def range_at(self, start: int, end: int, codec: PositionCodec) -> types.Range:
        return types.Range(start=self.position_at(start, codec), end=self.position_at(end, codec))

    def offsets_of(self, range_: types.Range, codec: PositionCodec) -> tuple[int, int]:
        start, end = self.offset_at(range_.start, codec), self.offset_at(range_.end, codec)
        return (start, end) if start <= end else (end, start)

    # -- state ----------------------------------------------------------------------------
    def findings(self) -> list[Finding] | None:
        """Findings of the current version without the ignored ones; None if not checked yet."""
        result = self.result
        if result is None or result.version != self.version:
            return None
        if not self.ignored:
            return result.findings
        from electra_lsp.dictionary import UserDictionary

        words = UserDictionary(words=self.ignored)
        return [f for f in result.findings if not words.covers(self.text, f.start, f.end)]

    def changed(self) -> int:
        """What would be shown changed: a new revision; wakes the waiters, returns how many."""
        self.revision += 1
        return self.wake()

    def wake(self) -> int:
        """Resolve every pending `waiters` future; returns how many there were."""
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        return len(waiters)

    # -- edits ----------------------------------------------------------------------------
    def apply(self, changes: Iterable[types.TextDocumentContentChangeEvent], version: int,
              codec: PositionCodec) -> None:
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                start, end = self.offsets_of(change.range, codec)
                self.text = self.text[:start] + change.text + self.text[end:]
            else:
                self.text = change.text
            self._line_starts = None
        self.version = version


class DocumentStore:
    """The open documents, by URI."""

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}

    def open(self, item: types.TextDocumentItem) -> Document:
        """A new document (replacing one still open under the same URI)."""
        self.close(item.uri)
        document = Document(item.uri, item.language_id, item.version, item.text)
        self._documents[item.uri] = document
        return document

    def get(self, uri: str) -> Document | None:
        return self._documents.get(uri)

    def close(self, uri: str) -> Document | None:
        """Forget the document: its state goes with it and whoever waits on it is woken."""
        document = self._documents.pop(uri, None)
        if document is not None:
            document.closed = True
            document.suspended = None
            document.wake()
        return document

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._documents.values()))

    def __len__(self) -> int:
        return len(self._documents)
