"""In-document switches: <!-- electra-lsp-disable / enable / disable-next-line -->."""

from __future__ import annotations

import pytest

from electra_lsp.text.directives import disabled_ranges, drop_ranges, find_directives
from electra_lsp.text.extract import extract_segments
from electra_lsp.text.segments import Segment

DISABLE = "<!-- electra-lsp-disable -->"
ENABLE = "<!-- electra-lsp-enable -->"
NEXT = "<!-- electra-lsp-disable-next-line -->"


def prose(doc: str, kind: str) -> list[str]:
    segments = extract_segments(doc, kind)
    for segment in segments:
        assert all(doc[o] == c for o, c in zip(segment.offsets, segment.text, strict=True))
    return [segment.text for segment in segments]


def test_find_directives_tolerates_spacing():
    doc = f"<!--electra-lsp-disable-->x<!--   electra-lsp-enable\t-->{NEXT}"
    assert [d.kind for d in find_directives(doc)] == ["disable", "enable", "disable-next-line"]


def test_disable_enable_range_covers_both_comments():
    doc = f"甲\n{DISABLE}\n乙\n{ENABLE}\n丙"
    start = doc.index(DISABLE)
    end = doc.index(ENABLE) + len(ENABLE)
    assert disabled_ranges(doc) == [(start, end)]


def test_disable_without_enable_runs_to_end_and_stray_enable_is_ignored():
    doc = f"{ENABLE}甲{DISABLE}乙{DISABLE}丙"
    assert disabled_ranges(doc) == [(doc.index(DISABLE), len(doc))]


def test_disable_next_line_covers_only_the_next_line():
    doc = f"甲\r\n{NEXT}\r\n乙乙\r\n丙"
    line = doc.index("乙乙")
    assert disabled_ranges(doc) == [
        (doc.index(NEXT), doc.index(NEXT) + len(NEXT)),
        (line, line + 2),
    ]
    assert disabled_ranges(f"甲{NEXT}") == [(1, 1 + len(NEXT))]  # no next line


@pytest.mark.parametrize("kind", ["markdown", "plaintext"])
def test_extraction_drops_disabled_text(kind):
    doc = f"第一段\n\n{DISABLE}\n\n不要检查\n\n{ENABLE}\n\n第二段\n\n{NEXT}\n这行跳过\n这行检查\n"
    assert prose(doc, kind) == ["第一段", "第二段", "这行检查"]


def test_inline_disable_splits_the_segment():
    doc = f"前面{DISABLE}中间{ENABLE}后面"
    assert prose(doc, "markdown") == ["前面", "后面"]
    assert prose(doc, "plaintext") == ["前面", "后面"]


def test_directive_shown_in_code_is_not_a_switch_in_markdown():
    doc = f"说明：\n\n```html\n{DISABLE}\n```\n\n行内 `{NEXT}`\n仍然检查\n"
    assert prose(doc, "markdown") == ["说明：", "行内 ", "仍然检查"]


def test_directive_in_markdown_list_and_quote():
    doc = f"- 项一 {NEXT}\n- 项二\n- 项三\n\n> {DISABLE}\n> 引用\n\n{ENABLE}\n\n完"
    assert prose(doc, "markdown") == ["项一 ", "项三", "完"]


def test_drop_ranges_splits_segments():
    segment = Segment("甲乙丙丁", (0, 1, 5, 6))
    parts = drop_ranges([segment], [(1, 6)])
    assert parts == [Segment("甲", (0,)), Segment("丁", (6,))]
    assert drop_ranges([segment], []) == [segment]
