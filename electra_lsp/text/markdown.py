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

Inline code, inline math, inline HTML, autolinks, footnote references and URLs, e-mail
addresses and file paths written as text (`non_prose_spans`, found in the text a reader sees, so
across emphasis) inside a sentence become one `PLACEHOLDER` (offset -1), so the sentence around
them reaches the model whole; placeholders with only blanks between collapse into one, and none
is left at either end of a segment. Line breaks, images and entities still end a segment.

Wiki links: the target of `[[target]]` and `[[target|label]]` names a page and is not prose (a
placeholder, brackets included); the label is prose.

Reference labels: the text of a collapsed (`[text][]`) or shortcut (`[text]`) reference link or
image is also the label of its definition (`[text]: url`), so a fix there alone would break the
link; `reference_label_ranges` gives their document ranges (the checker reports findings there
without a fix). A full reference (`[text][label]`) does not tie its text to the definition.

Footnote bodies (`[^1]: ...`, with their indented paragraphs; inline `^[...]`), definition lists
and the text of callouts (`> [!NOTE]`, the marker left out) are prose.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from electra_lsp.text import lines as line_index
from electra_lsp.text.directives import Directive, disabled_ranges, drop_ranges
from electra_lsp.text.segments import PLACEHOLDER, Segment, trim_placeholders
from electra_lsp.text.spans import non_prose_spans

# GitHub alerts and Obsidian callouts: "> [!NOTE]" opening a blockquote; a title may follow.
_CALLOUT_RE = re.compile(r"\[![A-Za-z][\w-]*\][+-]?")
_TOML_FENCE = "+++"
# Inline tokens whose source is not prose: a placeholder stands in for them.
_PLACEHOLDER_INLINE = {"code_inline", "html_inline", "math_inline", "math_inline_double"}
_KEY = "electra_lsp_src"  # Token.meta key: start of the token in the inline source
# Token.meta keys of text tokens pushed directly (emphasis/strikethrough delimiters): the parser
# position when pushed, and (after tokenizing) the delimiter's own start in the inline source.
_PUSHED = "electra_lsp_pushed"
_DELIMITER = "electra_lsp_delimiter"
# Inline markup that a reader does not see as a break in the text (a URL may run across it).
_JOINING = {"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"}
# Token.meta key of a link_open/image token whose text is its reference label (collapsed or
# shortcut reference): (start, end) of that text in the inline source.
_LABEL = "electra_lsp_label"
# A wiki link in the text a reader sees: [[target]] or [[target|label]].
_WIKI_LINK_RE = re.compile(r"\[\[[^\[\]|\n]+(\|[^\[\]\n]*)?\]\]")


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
        # directly (emphasis/strikethrough delimiters) are left unplaced: several share a `pos`
        # (`_place_delimiters` tells them apart, for `non_prose_spans` only).
        if self.base is not None:
            token.meta[_PUSHED if ttype == "text" else _KEY] = self.base + self.pos
        return token


def _place_delimiters(tokens: list[Token]) -> None:
    """Start of each delimiter text token: those pushed at one position follow each other."""
    previous: int | None = None
    end = 0
    for token in tokens:
        pushed = token.meta.get(_PUSHED)
        if pushed is None:
            continue
        place = end if pushed == previous else pushed
        token.meta[_DELIMITER] = place
        previous, end = pushed, place + len(token.content)


def _tracking_labels(rule: Callable[[StateInline, bool], bool], opener: str
                     ) -> Callable[[StateInline, bool], bool]:
    """The link or image rule, marking a link whose text is its reference label (`_LABEL`):
    what follows its closing `]` is nothing (shortcut) or `[]` (collapsed)."""

    def tracked(state: StateInline, silent: bool) -> bool:
        first = len(state.tokens)
        if not rule(state, silent):
            return False
        base = getattr(state, "base", None)
        if silent or base is None:
            return True
        made = state.tokens[first:]
        kind = "link_open" if opener == "[" else "image"
        token = next((t for t in made if t.type == kind), None)
        start = token.meta.get(_KEY) if token is not None else None
        if token is None or start is None:
            return True
        if kind == "link_open":
            close = made[-1].meta.get(_KEY) if made[-1].type == "link_close" else None
            if close is None:
                return True
            label_start, label_end = start, close
        else:
            label_start = start + 2  # after "!["
            label_end = label_start + len(token.content)
        if state.src[label_end - base:state.pos] in ("]", "][]"):
            token.meta[_LABEL] = (label_start, label_end)
        return True

    return tracked


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
            # A nested parse is an image's alt text or an inline footnote: the label starts
            # after "![" or "^[".
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
            _place_delimiters(state.tokens)  # before post-processing turns delimiters to markup
            for rule in self.ruler2.getRules(""):
                rule(state)
        finally:
            stack.pop()
        return state.tokens


def build_parser() -> MarkdownIt:
    """The markdown-it parser the text layer reads Markdown with: CommonMark plus tables,
    strikethrough, front matter, footnotes, definition lists and $ math, tracking the source
    positions of inline text and link labels."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    # Footnotes stay where they are written (move_to_end would drop unreferenced ones).
    md.use(footnote_plugin, move_to_end=False)
    md.use(deflist_plugin)
    md.use(dollarmath_plugin, allow_digits=False, double_inline=True)
    md.core.ruler.disable("text_join")
    md.inline.ruler2.disable("fragments_join")
    md.inline = _PositionedParserInline(md.inline)
    for name, opener in (("link", "["), ("image", "!")):
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)]
        md.inline.ruler.at(name, _tracking_labels(rule.fn, opener), {"alt": rule.alt})
    return md


class _Lines:
    """Document lines: the project's line index (\\r\\n, \\r and \\n end a line, the same
    breaks markdown-it normalises), with where each line's text ends."""

    def __init__(self, text: str) -> None:
        self.starts = line_index.line_starts(text)
        self.ends = [line_index.line_end(text, self.starts, i) for i in range(len(self.starts))]
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


def _inline_footnote(token: Token, env: dict) -> list[Token] | None:
    """The tokens of an inline footnote `^[...]` referenced by `token` (None for `[^1]`)."""
    if token.type != "footnote_ref":
        return None
    note = env.get("footnotes", {}).get("list", {}).get(token.meta.get("id"), {})
    tokens = note.get("tokens")
    return tokens if isinstance(tokens, list) else None


def _hidden_positions(children: list[Token], env: dict) -> set[int]:
    """Inline-source positions inside a URL, e-mail address or file path (`non_prose_spans`),
    found in the text a reader sees: text tokens joined across emphasis, broken by other
    markup."""
    chars: list[str] = []
    positions: list[int] = []
    hidden: set[int] = set()

    def piece(text: str, start: int) -> None:
        chars.extend(text)
        positions.extend(range(start, start + len(text)))

    for token in children:
        start = token.meta.get(_KEY)
        kind = token.type
        if kind == "text" and token.content:
            place = start if start is not None else token.meta.get(_DELIMITER)
            if place is not None:
                piece(token.content, place)
                continue
        elif kind == "text_special" and start is not None and token.info == "escape":
            piece(token.content, start + 1 if token.content != token.markup else start)
            continue
        elif kind in _JOINING:
            continue
        chars.append("\n")
        positions.append(-1)
        nested = token.children if kind == "image" else _inline_footnote(token, env)
        if nested:
            hidden |= _hidden_positions(nested, env)
    text = "".join(chars)
    for span_start, span_end in non_prose_spans(text):
        hidden.update(positions[span_start:span_end])
    for match in _WIKI_LINK_RE.finditer(text):
        # The target (with "[[" and a "|") stands for a page; a label after "|" is prose.
        target_end = match.end() if match.group(1) is None else match.start(1) + 1
        hidden.update(positions[match.start():target_end])
        hidden.update(positions[match.end() - 2:match.end()])
    hidden.discard(-1)
    return hidden


def _add_text(builder: _Builder, text: str, start: int | None, source_map: list[int],
              hidden: set[int]) -> None:
    if not text:
        return  # emphasis leaves emptied delimiter tokens behind
    if start is None:
        builder.boundary()
        return
    end = start + len(text)
    masked = bool(hidden) and any(position in hidden for position in range(start, end))
    if not masked and 0 <= start and end <= len(source_map) \
            and source_map[end - 1] - source_map[start] == len(text) - 1 \
            and builder.add_run(text, source_map[start]):
        return
    for index, char in enumerate(text):
        position = start + index
        if position in hidden:
            builder.placeholder()  # collapses into the one the span already has
            continue
        builder.add(char, source_map[position] if 0 <= position < len(source_map) else -1)


@dataclass
class _Inline:
    """What walking one block's inline tokens needs besides the builder."""

    source_map: list[int]
    html_starts: set[int]
    hidden: set[int]
    env: dict


def _walk_inline(children: list[Token], builder: _Builder, ctx: _Inline) -> None:  # noqa: C901
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
            delimiter = token.meta.get(_DELIMITER)
            if start is None and delimiter is not None and delimiter in ctx.hidden:
                builder.placeholder()  # e.g. the "_" of a path: part of the span
            else:
                _add_text(builder, token.content, start, ctx.source_map, ctx.hidden)
        elif kind == "text_special":
            if start is None:
                builder.boundary()
            elif token.info == "escape" and token.content != token.markup:
                _add_text(builder, token.content, start + 1, ctx.source_map, ctx.hidden)
            elif token.info == "escape":
                _add_text(builder, token.content, start, ctx.source_map, ctx.hidden)
            else:
                builder.boundary()  # an entity has no single source character
        elif kind in ("softbreak", "hardbreak"):
            builder.boundary()  # a line break must not join words (Chinese has no spaces)
        elif kind == "image":
            builder.boundary()
            _walk_inline(token.children or [], builder, ctx)
            builder.boundary()
        elif kind == "footnote_ref":
            builder.placeholder()  # the marker is not prose; the sentence goes on
            note = _inline_footnote(token, ctx.env)
            if note:  # ^[...]: its text is a segment of its own
                inner = _Builder(builder.doc, builder.segments)
                _walk_inline(note, inner, ctx)
                inner.boundary()
        elif kind in _PLACEHOLDER_INLINE:
            if kind == "html_inline" and start is not None and 0 <= start < len(ctx.source_map):
                ctx.html_starts.add(ctx.source_map[start])
            builder.placeholder()
        # em/strong/s/link open and close tokens: markup only, prose continues across them.


def _label_ranges(children: list[Token], source_map: list[int], env: dict
                  ) -> Iterator[tuple[int, int]]:
    """Document ranges of the reference labels (`_LABEL`) among `children`."""
    for token in children:
        label = token.meta.get(_LABEL)
        if label is not None:
            placed = [source_map[i] for i in range(*label)
                      if 0 <= i < len(source_map) and source_map[i] >= 0]
            if placed:
                yield min(placed), max(placed) + 1
        nested = token.children if token.type == "image" else _inline_footnote(token, env)
        if nested:
            yield from _label_ranges(nested, source_map, env)


def _blocks(tokens: list[Token]) -> Iterator[tuple[Token, Token | None, bool]]:
    """Each inline token with the block token that opened it, and whether that block is the
    first in a blockquote (where a callout marker may stand)."""
    opener: Token | None = None
    first_in_quote = False
    previous: Token | None = None
    for token in tokens:
        if token.type == "inline":
            yield token, opener, first_in_quote
        elif token.nesting == 1:
            opener = token
            first_in_quote = previous is not None and previous.type == "blockquote_open"
        previous = token


def markdown_segments(text: str, md: MarkdownIt | None = None) -> list[Segment]:
    """Prose segments of a Markdown document, with directives applied."""
    segments, labels = _extract(text, md or _default_parser())
    if md is None:
        _remember_labels(text, labels)
    return segments


def reference_label_ranges(text: str) -> list[tuple[int, int]]:
    """Document ranges [start, end) of the text of collapsed and shortcut reference links and
    images (`[text][]`, `[text]` with a `[text]: url` definition): their text is the label the
    definition is found by, so a fix inside must not be applied alone. Cheap after
    `markdown_segments` of the same text (remembered), and when the text defines nothing."""
    if "]:" not in text:  # a definition is written `[label]:`
        return []
    with _LABELS_LOCK:
        if text in _LABELS:
            _LABELS.move_to_end(text)
            return list(_LABELS[text])
    labels = _extract(text, _default_parser())[1]
    _remember_labels(text, labels)
    return list(labels)


def _extract(text: str, md: MarkdownIt) -> tuple[list[Segment], list[tuple[int, int]]]:  # noqa: C901
    lines = _Lines(text)
    toml_lines = _toml_front_matter(lines)
    source = text
    if toml_lines:
        # Blank the TOML block for the parser; line numbers (all we map by) stay the same.
        rest = text[lines.starts[toml_lines] :] if toml_lines < len(lines) else ""
        source = "\n" * toml_lines + rest
    env: dict = {}
    tokens = md.parse(source, env)
    builder = _Builder(text)
    labels: list[tuple[int, int]] = []
    html_starts: set[int] = set()
    html_block_lines: list[tuple[int, int]] = []
    row_cursor: dict[int, int] = {}
    for token in tokens:
        if token.type == "html_block" and token.map:
            html_block_lines.append((token.map[0], token.map[1]))
    for inline, opener, first_in_quote in _blocks(tokens):
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
        children = inline.children or []
        hidden = _hidden_positions(children, env)
        callout = _CALLOUT_RE.match(inline.content) if first_in_quote else None
        if callout:
            hidden.update(range(callout.end()))  # a placeholder at the start: trimmed below
        _walk_inline(children, builder, _Inline(source_map, html_starts, hidden, env))
        builder.boundary()
        if "references" in env:
            labels.extend(_label_ranges(children, source_map, env))

    def is_html_comment(directive: Directive) -> bool:
        if directive.start in html_starts:
            return True
        return any(
            lines.starts[low] <= directive.start < lines.ends[high - 1] + 1
            for low, high in html_block_lines
            if high - 1 < len(lines)
        )

    kept = drop_ranges(builder.segments, disabled_ranges(text, is_html_comment))
    segments = [segment for segment in map(trim_placeholders, kept) if segment is not None]
    return segments, sorted(labels)


# Reference labels of the last documents read (the checker asks right after reading).
_LABELS: OrderedDict[str, list[tuple[int, int]]] = OrderedDict()
_LABELS_LOCK = threading.Lock()
_LABELS_KEPT = 8


def _remember_labels(text: str, labels: list[tuple[int, int]]) -> None:
    if "]:" not in text:
        return
    with _LABELS_LOCK:
        _LABELS[text] = labels
        _LABELS.move_to_end(text)
        while len(_LABELS) > _LABELS_KEPT:
            _LABELS.popitem(last=False)



_PARSER: MarkdownIt | None = None


def _default_parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = build_parser()
    return _PARSER
