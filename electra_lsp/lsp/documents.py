"""Open documents as the client sees them, and the mapping between the core's code-point
offsets and LSP positions in the negotiated encoding.

Lines come from the project's one line index, `electra_lsp.text.lines` (the CLI's too): LSP's
terminators only (\\n, \\r\\n and a lone \\r) — Python's `splitlines` also breaks on \\f, \\v,
U+2028 and others, which would shift every position after such a character.
Code units within a line are counted by pygls' position codec; a line prefix whose code units
provably equal its code points (ASCII, or no astral character under UTF-16) skips the count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from electra_lsp.text import lines

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def code_units(codec: PositionCodec, text: str) -> int:
    """Code units of `text` in the codec's encoding."""
    if text.isascii() or codec.encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    if codec.encoding != types.PositionEncodingKind.Utf8 and not _ASTRAL.search(text):
        return len(text)  # UTF-16 without surrogate pairs: one unit per code point
    return codec.client_num_units(text)


@dataclass
class Document:
    uri: str
    language_id: str
    version: int
    text: str
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
        document = Document(item.uri, item.language_id, item.version, item.text)
        self._documents[item.uri] = document
        return document

    def get(self, uri: str) -> Document | None:
        return self._documents.get(uri)

    def close(self, uri: str) -> Document | None:
        return self._documents.pop(uri, None)

    def __iter__(self):
        return iter(list(self._documents.values()))

    def __len__(self) -> int:
        return len(self._documents)
