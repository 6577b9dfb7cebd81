"""Markdown -> prose segments, with an exact map from every prose character to the document.

markdown-it gives line maps for blocks only, so positions are recovered in two steps:

1. Inline positions. A `ParserInline` subclass tracks where each text token starts inside its
   block's inline source: text accumulates in the state's `pending` buffer verbatim, so its start
   is the parser position when the buffer was empty; escapes and entities are pushed at the
   parser position. `text_join`/`fragments_join` are disabled so tokens stay unmerged.
2. Block positions. Each line of a block's inline source is located in its document line (a
   suffix for paragraphs, which may sit inside `>` or list markers; after the `#` run for ATX
   headings; at a moving cursor for table cells).

Every resulting offset is verified (`doc[offset] == char`); a character that cannot be placed
exactly is dropped and splits its segment, so an offset is never wrong.

Inline code, inline math, inline HTML, autolinks and bare URLs inside a sentence become one
`PLACEHOLDER` (offset -1), so the sentence around them reaches the model whole; placeholders with
only blanks between collapse into one, and none is left at either end of a segment. Line breaks,
images and entities still end a segment.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from electra_lsp.text.directives import Directive, disabled_ranges, drop_ranges
from electra_lsp.text.segments import PLACEHOLDER, Segment

_NEWLINE_RE = re.compile(r"\r\n?|\n")  # the same line breaks markdown-it normalises
# Bare URLs inside text (markdown-it's linkify is off: it needs an extra package). Like GFM's
# extended autolinks they run to whitespace, and may hold Chinese (IRIs); full-width
# punctuation ends them, so "见https://例子.com/路径，然后" keeps "，然后".
_BARE_URL_RE = re.compile(
    r"(?<![A-Za-z0-9+.\-])(?:[a-zA-Z][a-zA-Z0-9+.\-]*://|www\.)"
    r"[^\s<>，。；：！？、（）「」『』【】《》“”‘’]*"
)
_TOML_FENCE = "+++"
# Inline tokens whose source is not prose: a placeholder stands in for them.
_PLACEHOLDER_INLINE = {"code_inline", "html_inline", "math_inline", "math_inline_double"}
_KEY = "electra_lsp_src"  # Token.meta key: start of the token in the inline source


class _PositionedState(StateInline):
    """StateInline that records where each text-like token starts in `src` (plus `base`)."""

    def __init__(self, src: str, md: MarkdownIt, env: dict, tokens: list[Token], base: int | None):
        super().__init__(src, md, env, tokens)
        self.base = base
        self.pending_start = 0

    def append_pending(self, text: str) -> None:
        if not self._pending and not self._pending_buffer:
            self.pending_start = self.pos  # rules append src[pos:...] before advancing
        super().append_pending(text)

    def pushPending(self) -> Token:
        token = super().pushPending()
        if self.base is not None:
            token.meta[_KEY] = self.base + self.pending_start
        return token

    def push(self, ttype: str, tag: str, nesting: int) -> Token:  # type: ignore[override]
        token = super().push(ttype, tag, nesting)  # type: ignore[arg-type]
        # Rules push escapes, entities, HTML and code before advancing `pos`. Text tokens pushed
        # directly (emphasis/strikethrough delimiters) are left unplaced: several share a `pos`.
        if self.base is not None and ttype != "text":
            token.meta[_KEY] = self.base + self.pos
        return token


class _PositionedParserInline(ParserInline):
    def __init__(self, original: ParserInline) -> None:
        super().__init__()
        self.ruler = original.ruler
        self.ruler2 = original.ruler2
        self._local = threading.local()  # parse stack per thread: the parser is shared

    def parse(self, src: str, md: MarkdownIt, env: dict, tokens: list[Token]) -> list[Token]:
        stack: list[_PositionedState] = self._local.__dict__.setdefault("stack", [])
        base: int | None = 0
        if stack:
            # A nested parse is an image's alt text: the label starts after "![".
            parent = stack[-1]
            label_start = parent.pos + 2
            if parent.base is not None and parent.src.startswith(src, label_start):
                base = parent.base + label_start
            else:
                base = None
        state = _PositionedState(src, md, env, tokens, base)
        stack.append(state)
        try:
            self.tokenize(state)
            for rule in self.ruler2.getRules(""):
                rule(state)
        finally:
            stack.pop()
        return state.tokens


def build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(dollarmath_plugin, allow_digits=False, double_inline=True)
    md.core.ruler.disable("text_join")
    md.inline.ruler2.disable("fragments_join")
    md.inline = _PositionedParserInline(md.inline)
    return md


class _Lines:
    """Document lines split exactly like markdown-it splits them."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.ends: list[int] = []
        for match in _NEWLINE_RE.finditer(text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))
        self.text = text

    def line(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]

    def __len__(self) -> int:
        return len(self.starts)


def _toml_front_matter(lines: _Lines) -> int:
    """Number of lines taken by a leading `+++` TOML front matter block (0 when none)."""
    if len(lines) < 2 or lines.line(0).rstrip() != _TOML_FENCE:
        return 0
    for index in range(1, len(lines)):
        if lines.line(index).rstrip() == _TOML_FENCE:
            return index + 1
    return 0


def _place_line(doc_line: str, content_line: str, mode: str) -> int:
    """Column of `content_line` within `doc_line`, or -1. Modes: "suffix" (paragraph lines,
    possibly inside container markers) and "heading" (after the opening # run)."""
    if not content_line:
        return -1
    if mode == "suffix":
        for candidate in (doc_line, doc_line.rstrip()):
            if candidate.endswith(content_line):
                return len(candidate) - len(content_line)
        return doc_line.rfind(content_line)
    start = max(doc_line.find("#"), 0)
    while start < len(doc_line) and doc_line[start] == "#":
        start += 1
    return doc_line.find(content_line, start)


def _locate(doc_line: str, content_line: str, mode: str) -> int | None:
    column = _place_line(doc_line, content_line, mode)
    if column >= 0:
        return column
    # e.g. a tab partly consumed as indentation became spaces: place the rest (the parser skips
    # leading spaces of a line anyway); the result may be negative for those spaces.
    stripped = content_line.lstrip()
    if stripped and stripped != content_line:
        column = _place_line(doc_line, stripped, mode)
        if column >= 0:
            return column - (len(content_line) - len(stripped))
    return None


def _inline_map(content: str, lines: _Lines, first_line: int, mode: str) -> list[int]:
    """Document offset of each character of a block's inline source (-1 where unknown)."""
    result = [-1] * len(content)
    position = 0
    for index, content_line in enumerate(content.split("\n")):
        line_no = first_line + index
        if line_no < len(lines) and content_line:
            column = _locate(lines.line(line_no), content_line, mode)
            if column is not None:
                doc_start = lines.starts[line_no] + column
                for offset in range(max(0, -column), len(content_line)):
                    result[position + offset] = doc_start + offset
        position += len(content_line) + 1
    return result


def _cell_map(content: str, lines: _Lines, line_no: int, cursor: int) -> tuple[list[int], int]:
    """Offsets for a table cell; the table rule turns `\\|` into `|`, so search for the escape."""
    result = [-1] * len(content)
    if not content or line_no >= len(lines):
        return result, cursor
    doc_line = lines.line(line_no)
    needle = content.replace("|", "\\|")
    column = doc_line.find(needle, cursor)
    if column < 0:
        return result, cursor
    doc_column = column
    for index, char in enumerate(content):
        if char == "|":
            doc_column += 1  # skip the backslash
        result[index] = lines.starts[line_no] + doc_column
        doc_column += 1
    return result, column + len(needle)


@dataclass
class _Builder:
    """Accumulates prose characters; `boundary()` closes the current segment."""

    doc: str
    segments: list[Segment] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def add(self, char: str, offset: int) -> None:
        if 0 <= offset < len(self.doc) and self.doc[offset] == char:
            self.chars.append(char)
            self.offsets.append(offset)
        else:
            self.boundary()  # never emit an offset that is not exact

    def add_run(self, text: str, offset: int) -> bool:
        """Add `text` found verbatim at `offset` in one step; False (nothing added) if it is
        not there. The common case: a text token is one unbroken run of its source line."""
        if offset < 0 or not self.doc.startswith(text, offset):
            return False
        self.chars.extend(text)
        self.offsets.extend(range(offset, offset + len(text)))
        return True

    def placeholder(self) -> None:
        """Stand in for an inline element; one after another with only blanks between is
        redundant (the blanks go too). Ends are trimmed later (`_trim_placeholders`), once
        directives have cut the segments."""
        end = len(self.chars)
        while end and self.chars[end - 1].isspace():
            end -= 1
        if end and self.offsets[end - 1] == -1:
            del self.chars[end:], self.offsets[end:]
        else:
            self.chars.append(PLACEHOLDER)
            self.offsets.append(-1)

    def boundary(self) -> None:
        if self.chars:
            text = "".join(self.chars)
            if text.strip():
                self.segments.append(Segment(text, tuple(self.offsets)))
            self.chars = []
            self.offsets = []


def _trim_placeholders(segment: Segment) -> Segment | None:
    """`segment` without placeholders at its ends (nor the blanks beyond them): there they stand
    next to nothing. None when nothing but blanks is left."""
    text, offsets = segment.text, segment.offsets
    start, end = 0, len(text)
    index = 0
    while index < end and (offsets[index] == -1 or text[index].isspace()):
        if offsets[index] == -1:
            start = index + 1
        index += 1
    index = end
    while index > start and (offsets[index - 1] == -1 or text[index - 1].isspace()):
        if offsets[index - 1] == -1:
            end = index - 1
        index -= 1
    if start == 0 and end == len(text):
        return segment
    trimmed = segment.slice(start, end)
    return trimmed if trimmed.text.strip() else None


def _add_text(builder: _Builder, text: str, start: int | None, source_map: list[int]) -> None:
    if not text:
        return  # emphasis leaves emptied delimiter tokens behind
    if start is None:
        builder.boundary()
        return
    urls = [(m.start(), m.end()) for m in _BARE_URL_RE.finditer(text)]
    end = start + len(text)
    if not urls and 0 <= start and end <= len(source_map) \
            and source_map[end - 1] - source_map[start] == len(text) - 1 \
            and builder.add_run(text, source_map[start]):
        return
    url_index = 0
    for index, char in enumerate(text):
        while url_index < len(urls) and urls[url_index][1] <= index:
            url_index += 1
        if url_index < len(urls) and urls[url_index][0] <= index:
            if urls[url_index][0] == index:
                builder.placeholder()
            continue
        position = start + index
        builder.add(char, source_map[position] if 0 <= position < len(source_map) else -1)


def _walk_inline(
    children: list[Token], builder: _Builder, source_map: list[int], html_starts: set[int]
) -> None:
    in_autolink = False
    for token in children:
        start = token.meta.get(_KEY)
        kind = token.type
        if kind == "link_open" and token.markup == "autolink":
            in_autolink = True
            builder.placeholder()
        elif kind == "link_close" and in_autolink:
            in_autolink = False
        elif in_autolink:
            continue
        elif kind == "text":
            _add_text(builder, token.content, start, source_map)
        elif kind == "text_special":
            if start is None:
                builder.boundary()
            elif token.info == "escape" and token.content != token.markup:
                _add_text(builder, token.content, start + 1, source_map)  # `\*` -> `*`
            elif token.info == "escape":
                _add_text(builder, token.content, start, source_map)
            else:
                builder.boundary()  # an entity has no single source character
        elif kind in ("softbreak", "hardbreak"):
            builder.boundary()  # a line break must not join words (Chinese has no spaces)
        elif kind == "image":
            builder.boundary()
            _walk_inline(token.children or [], builder, source_map, html_starts)
            builder.boundary()
        elif kind in _PLACEHOLDER_INLINE:
            if kind == "html_inline" and start is not None and 0 <= start < len(source_map):
                html_starts.add(source_map[start])
            builder.placeholder()
        # em/strong/s/link open and close tokens: markup only, prose continues across them.


def _blocks(tokens: list[Token]) -> Iterator[tuple[Token, Token | None]]:
    """Each inline token with the block token that opened it."""
    opener: Token | None = None
    for token in tokens:
        if token.type == "inline":
            yield token, opener
        elif token.nesting == 1:
            opener = token


def markdown_segments(text: str, md: MarkdownIt | None = None) -> list[Segment]:
    """Prose segments of a Markdown document, with directives applied."""
    md = md or _default_parser()
    lines = _Lines(text)
    toml_lines = _toml_front_matter(lines)
    source = text
    if toml_lines:
        # Blank the TOML block for the parser; line numbers (all we map by) stay the same.
        rest = text[lines.starts[toml_lines] :] if toml_lines < len(lines) else ""
        source = "\n" * toml_lines + rest
    tokens = md.parse(source)
    builder = _Builder(text)
    html_starts: set[int] = set()
    html_block_lines: list[tuple[int, int]] = []
    row_cursor: dict[int, int] = {}
    for token in tokens:
        if token.type == "html_block" and token.map:
            html_block_lines.append((token.map[0], token.map[1]))
    for inline, opener in _blocks(tokens):
        if not inline.map:
            continue
        first = inline.map[0]
        if opener is not None and opener.type in ("th_open", "td_open"):
            source_map, row_cursor[first] = _cell_map(
                inline.content, lines, first, row_cursor.get(first, 0)
            )
        else:
            heading = opener is not None and opener.type == "heading_open"
            mode = "heading" if heading and opener.markup.startswith("#") else "suffix"
            source_map = _inline_map(inline.content, lines, first, mode)
        _walk_inline(inline.children or [], builder, source_map, html_starts)
        builder.boundary()

    def is_html_comment(directive: Directive) -> bool:
        if directive.start in html_starts:
            return True
        return any(
            lines.starts[low] <= directive.start < lines.ends[high - 1] + 1
            for low, high in html_block_lines
            if high - 1 < len(lines)
        )

    kept = drop_ranges(builder.segments, disabled_ranges(text, is_html_comment))
    return [segment for segment in map(_trim_placeholders, kept) if segment is not None]


_PARSER: MarkdownIt | None = None


def _default_parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = build_parser()
    return _PARSER
