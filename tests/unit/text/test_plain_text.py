"""Plain-text extraction: URLs, e-mail addresses and file paths are not prose."""

from __future__ import annotations

import pytest
from test_markdown import check_exact

from electra_lsp.text.extract import extract_segments
from electra_lsp.text.segments import Segment
from electra_lsp.text.spans import non_prose_spans


def texts(doc: str) -> list[str]:
    segments = extract_segments(doc, "plaintext")
    check_exact(doc, segments)
    return [segment.text for segment in segments]


def test_url_with_scheme_and_chinese_path_at_the_end_is_dropped():
    doc = "下载地址：https://例子.com/侯选/包.zip"
    assert extract_segments(doc, "plaintext") == [Segment.contiguous("下载地址：", 0)]


def test_url_in_the_middle_keeps_the_sentence_whole():
    doc = "请访问 https://例子.com/侯选/包.zip 下载。"
    (segment,) = extract_segments(doc, "plaintext")
    after = doc.index(" 下载")
    assert segment == Segment("请访问 X 下载。", (0, 1, 2, 3, -1, *range(after, after + 4)))


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("见 www.例子.com/侯选，然后", ["见 X，然后"]),
        ("下载：例子.com/侯选/包.zip，谢谢", ["下载：X，谢谢"]),
        ("访问example.com/侯选吧", ["访问"]),  # runs to a space or punctuation; dropped at the end
        ("访问example.com吧", ["访问X吧"]),
        ("请发邮件到 侯选@例子.com 联系我们。", ["请发邮件到 X 联系我们。"]),
        ("请发邮件到someone.name@example.com。", ["请发邮件到X。"]),
        ("写信：mailto:侯选@例子.cn 即可", ["写信：X 即可"]),
        ("打开 /usr/local/侯选/文件.txt 查看", ["打开 X 查看"]),
        ("打开/usr/local/侯选/文件.txt查看", ["打开"]),
        ("编辑 ./配置/侯选.md 和 ../上级/侯选.md。", ["编辑 X 和 X。"]),
        ("保存到 ~/文档/侯选.txt 里", ["保存到 X 里"]),
        ("见 C:\\用户\\侯选\\a.txt。", ["见 X。"]),
        ("见 https://a.com/侯选, 然后", ["见 X, 然后"]),  # trailing ASCII comma left out
        ("（见 https://a.com/侯选）", ["（见 X）"]),
        ("(见 https://a.com/侯选)", ["(见 X)"]),  # unbalanced ")" left out
        ("见 https://a.com/侯选.", ["见 X."]),
        ("https://a.com/侯选 https://b.com/侯选 两个", [" 两个"]),  # collapsed, then trimmed
        ("https://a.com/侯选", []),
    ],
)
def test_urls_addresses_and_paths_become_a_placeholder(doc, expected):
    assert texts(doc) == expected


@pytest.mark.parametrize(
    "doc",
    [
        "效率提高了1.5倍。",
        "我们做了 A/B 测试。",
        "可以用中文和/或英文。",
        "版本 3.2.1 发布了。",
        "甲/乙/丙三人到了。",
        "日期是2024/01/02。",
        "价格$5.00，以经很便宜。",
        "README.md 和 setup.py 是文件名。",
        "Node.js 和 e.g. 都不是网址。",
        "@张三 你好。",
    ],
)
def test_prose_with_dots_and_slashes_is_unchanged(doc):
    assert non_prose_spans(doc) == []
    assert texts(doc) == [doc]


def test_each_line_a_segment_with_spans_and_directives():
    doc = ("  缩进 /usr/侯选/a 和 ./b/c\n<!-- electra-lsp-disable-next-line -->\n侯选.com/a\r\n"
           "见 C:\\用户\\侯选\\a.txt。")
    assert texts(doc) == ["  缩进 X 和 ", "见 X。"]


def test_span_finder():
    doc = "见 https://例子.com/路径。邮件 a@b.cn，路径 /a/b/c.txt."
    assert [doc[start:end] for start, end in non_prose_spans(doc)] == [
        "https://例子.com/路径", "a@b.cn", "/a/b/c.txt"
    ]
