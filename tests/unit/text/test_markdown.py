"""Markdown/plain extraction: what is prose, and that every offset is exact."""

from __future__ import annotations

import random

import pytest

from electra_lsp.text.extract import extract_segments
from electra_lsp.text.segments import PLACEHOLDER, Segment

# "禁" marks text that must never be extracted (code, URLs, HTML, math, front matter).
FORBIDDEN = "禁"

RICH = """---
title: 禁止的前言
tags: [禁]
---
# 标题 *强调* 以经 ##

这是一个段落，包含`禁行内代码`和[链接文字](http://禁.example.com "禁标题")以及![图片说明](禁.png)。
第二行有\\*转义\\*和&amp;实体，还有https://example.com/禁 和 www.禁.com 网址。
自动链接<https://禁.cn>结束。😀𠀀以经错了，🎉𠀁在次见。

> 引用里的*文字*
> 继续引用
懒惰续行

- 列表项一
- 列表项二 **粗体**
  1. 嵌套 ~~删除线~~

| 表头一 | 表头\\|二 |
| --- | :---: |
| 单元格 | `禁` 内容 |

```python
print("禁代码里的中文")
```

    禁缩进代码中文

<div>
禁HTML块中文
</div>

数学$禁+x$和$$禁y$$结束。<span title="禁">你好</span>

标题二
===

[![替代文字](禁.png)](https://禁.com) 后面的字
引用式[链接][参考]。

[参考]: https://禁.org "禁"
"""


def check_exact(doc: str, segments: list[Segment]) -> None:
    """Every real character at its exact offset; placeholders (-1) only between prose, one at a
    time."""
    for segment in segments:
        assert len(segment.text) == len(segment.offsets)
        for char, offset in zip(segment.text, segment.offsets, strict=True):
            if offset == -1:
                assert char == PLACEHOLDER, segment
                continue
            assert 0 <= offset < len(doc)
            assert doc[offset] == char, (segment, offset)
        real = [offset for offset in segment.offsets if offset != -1]
        assert real == sorted(set(real))
        assert "\n" not in segment.text and "\r" not in segment.text
        assert segment.text.strip()
        marks = ["P" if o == -1 else " " if c.isspace() else "c"
                 for c, o in zip(segment.text, segment.offsets, strict=True)]
        solid = "".join(marks).replace(" ", "")
        assert solid[0] == solid[-1] == "c" and "PP" not in solid, segment


def texts(doc: str, kind: str = "markdown") -> list[str]:
    segments = extract_segments(doc, kind)
    check_exact(doc, segments)
    return [segment.text for segment in segments]


def test_rich_document_offsets_exact_and_nothing_forbidden():
    segments = extract_segments(RICH, "markdown")
    check_exact(RICH, segments)
    prose = [segment.text for segment in segments]
    assert all(FORBIDDEN not in text for text in prose)
    for expected in ("标题 强调 以经", "这是一个段落，包含X和链接文字以及", "图片说明",
                     "第二行有*转义*和", "自动链接X结束。😀𠀀以经错了，🎉𠀁在次见。",
                     "引用里的文字", "继续引用",
                     "懒惰续行", "列表项一", "列表项二 粗体", "嵌套 删除线", "表头一", "表头|二",
                     "单元格", " 内容", "数学X和X结束。X你好", "标题二", "替代文字",
                     " 后面的字", "引用式链接。"):
        assert expected in prose, expected


def test_error_after_emoji_and_extension_b_maps_to_document_index():
    doc = "前面😀𠀀以经好了"
    (segment,) = extract_segments(doc, "markdown")
    index = segment.text.index("以")
    assert segment.offsets[index] == doc.index("以") == 4


@pytest.mark.parametrize("kind", ["markdown", "md", "plaintext", "text", "Markdown"])
def test_kinds_accepted(kind):
    assert texts("你好", kind) == ["你好"]


def test_unknown_kind_rejected():
    with pytest.raises(ValueError, match="unknown document kind 'rst'"):
        extract_segments("你好", "rst")


def test_code_fences_and_indented_code_skipped():
    doc = "前文\n\n```\n代码\n```\n\n~~~md\n代码二\n~~~\n\n    缩进代码\n\n后文\n"
    assert texts(doc) == ["前文", "后文"]


def test_code_fence_inside_list_skipped():
    doc = "- 项目\n\n  ```\n  代码\n  ```\n- 第二项\n"
    assert texts(doc) == ["项目", "第二项"]


def test_inline_code_becomes_placeholder():
    doc = "我们将 `foo` 作为参数传入。"
    (segment,) = extract_segments(doc, "markdown")
    assert segment == Segment("我们将 X 作为参数传入。", (0, 1, 2, 3, -1, *range(9, 17)))
    assert texts("运行`命令代码`即可") == ["运行X即可"]
    assert texts("运行``双`反引号``即可") == ["运行X即可"]


@pytest.mark.parametrize("element", ["<https://例子.com>", "https://例子.com/路径", "$x$"])
def test_autolink_bare_url_and_math_become_placeholder(element):
    doc = f"我们将 {element} 作为参数传入。"
    (segment,) = extract_segments(doc, "markdown")
    after = 4 + len(element)
    assert segment == Segment("我们将 X 作为参数传入。", (0, 1, 2, 3, -1, *range(after, after + 8)))


def test_placeholders_never_at_an_end_nor_repeated():
    assert texts("`foo` 作为参数") == [" 作为参数"]  # the blank after it stays, as before
    assert texts("用`a`$b$<i>传入") == ["用X传入"]
    assert texts("我们将 `a` `b` 传入") == ["我们将 X 传入"]
    assert texts("我们将 `a`") == ["我们将 "]
    assert texts("`a` `b`") == []


def test_placeholder_does_not_cross_line_breaks_or_links():
    assert texts("我们将 `foo`\n作为参数") == ["我们将 ", "作为参数"]
    assert texts("我们将 `foo`  \n作为参数") == ["我们将 ", "作为参数"]
    assert texts("我们将[文本](https://a.com)传入") == ["我们将文本传入"]


def test_disabled_region_inside_a_paragraph_leaves_no_placeholder_behind():
    doc = "甲<!-- electra-lsp-disable -->乙`码`乙<!-- electra-lsp-enable -->丙"
    assert texts(doc) == ["甲", "丙"]
    assert texts("甲`<!-- electra-lsp-disable -->`乙") == ["甲X乙"]  # in code: no switch


def test_links_keep_text_drop_targets():
    assert texts('见[说明文档](https://例子.com/路径 "标题")。') == ["见说明文档。"]
    assert texts("见[文档][ref]。\n\n[ref]: https://例子.com") == ["见文档。"]


def test_autolinks_and_bare_urls_skipped():
    assert texts("访问<https://例子.com>吧") == ["访问X吧"]
    assert texts("访问<someone@example.com>吧") == ["访问X吧"]
    assert texts("访问https://example.com/a?b=1，好吧") == ["访问X，好吧"]
    assert texts("访问https://例子.com/路径。") == ["访问X。"]
    assert texts("访问 www.example.com 吧") == ["访问 X 吧"]


def test_image_alt_text_is_its_own_segment():
    assert texts("看![一张图片](图.png)好看") == ["看", "一张图片", "好看"]
    assert texts("![*强调*的图](x.png)") == ["强调的图"]


def test_tables_each_cell():
    doc = "| 名称 | 说明 |\n|---|---|\n| 甲 | 第一个 |\n| 乙 | `代码` 与 *强调* |\n"
    assert texts(doc) == ["名称", "说明", "甲", "第一个", "乙", " 与 强调"]


def test_table_cell_repeated_text_and_escaped_pipe():
    doc = "| 好 | 好好 | a\\|好 |\n|-|-|-|\n| 好 | 好 | 好 |\n"
    segments = extract_segments(doc, "markdown")
    check_exact(doc, segments)
    starts = [segment.offsets[0] for segment in segments]
    assert len(set(starts)) == len(starts) == 6  # repeated cell text found at its own cell


def test_headings():
    assert texts("# 一级 #\n## 二级标题 ###\n###### #号开头\n") == ["一级", "二级标题", "#号开头"]
    assert texts("二级\n---\n\n一级\n===\n") == ["二级", "一级"]


def test_lists_and_quotes():
    doc = "- 一\n- 二\n  - 三\n1. 四\n\n> 引用\n> > 嵌套引用\n> - 引用列表\n"
    assert texts(doc) == ["一", "二", "三", "四", "引用", "嵌套引用", "引用列表"]


def test_quote_line_whose_text_repeats_the_marker():
    doc = "> 文字 > 文字\n> 文字\n"
    segments = extract_segments(doc, "markdown")
    check_exact(doc, segments)
    assert [segment.offsets[0] for segment in segments] == [2, 12]


def test_html_blocks_and_inline_html_skipped():
    doc = '<div class="中文">\n块内中文\n</div>\n\n文字<b title="标题">粗</b>文字<!-- 注释 -->完\n'
    assert texts(doc) == ["文字X粗X文字X完"]


def test_front_matter_yaml_and_toml_skipped():
    assert texts("---\n标题: 中文\n---\n正文\n") == ["正文"]
    assert texts("+++\n标题 = '中文'\n+++\n正文\n") == ["正文"]
    assert texts("+++\r\n标题 = '中文'\r\n+++\r\n正文\r\n") == ["正文"]


def test_math_skipped():
    assert texts("设$中文+x$为变量，$$公式$$完。\n\n$$\n块公式\n$$\n") == ["设X为变量，X完。"]


def test_price_dollars_are_not_math():
    assert texts("价格$5，折后$3元") == ["价格$5，折后$3元"]


def test_escapes_and_entities():
    doc = "星号\\*不是强调\\*，反斜杠\\\\，&amp;与&#x4e2d;文&copy;。\\a"
    segments = extract_segments(doc, "markdown")
    check_exact(doc, segments)
    assert [s.text for s in segments] == ["星号*不是强调*，反斜杠\\，", "与", "文", "。\\a"]


def test_soft_and_hard_breaks_end_segments():
    assert texts("中文第一行\n第二行") == ["中文第一行", "第二行"]
    assert texts("第一行  \n第二行\\\n第三行") == ["第一行", "第二行", "第三行"]


def test_crlf_and_cr_line_endings():
    doc = "# 标题\r\n\r\n第一行\r\n第二行\r\n\r\n```\r\n代码\r\n```\r\n- 项\r后\r\n"
    assert texts(doc) == ["标题", "第一行", "第二行", "项", "后"]


def test_tabs_in_indentation():
    doc = "-\t列表\n\n\t继续段落\n\n>\t引用\n"
    segments = extract_segments(doc, "markdown")
    check_exact(doc, segments)
    assert [s.text for s in segments] == ["列表", "继续段落", "引用"]


def test_empty_and_non_prose_documents():
    assert texts("") == []
    assert texts("\n\n  \n") == []
    assert texts("", "plaintext") == []
    assert texts("!!! ... ??? --- *** ___") == ["!!! ... ??? --- "]
    assert texts("Just ASCII words, 123.") == ["Just ASCII words, 123."]


def test_plain_text_lines():
    doc = "第一行\r\n\r\n  第二行 `不是代码`\n第三行"
    segments = extract_segments(doc, "plaintext")
    check_exact(doc, segments)
    assert [s.text for s in segments] == ["第一行", "  第二行 `不是代码`", "第三行"]


# Fragments for generated documents: prose uses ordinary characters, excluded parts use 禁.
_INLINE = [
    "中文", "以经", "😀", "𠀀", "𠀁字", "*强调*", "**粗体**", "~~删~~", "_下划_", "[链接](禁)",
    "`禁`", "<b>", "</b>", "$禁$", "\\*", "&amp;", " ", "，", "。", "a", "*", "_", "~",
    "![图](禁)", "<https://禁>", "https://禁", "\\", "&", "[", "]", "!", "#", "|",
]
_BLOCK_PREFIX = ["", "# ", "## ", "> ", "- ", "1. ", "> - ", "  ", "\t", "> > "]


def _generate(rng: random.Random, fragments: list[str]) -> str:
    lines = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.1:
            lines += ["```", "禁禁 `禁`", "```"]
        elif roll < 0.15:
            cell = "".join(rng.choices(fragments, k=3))
            lines += ["| 表 | 格 |", "|---|---|", f"| {cell} | 字 |"]
        elif roll < 0.2:
            lines.append("")
        else:
            body = "".join(rng.choices(fragments, k=rng.randint(1, 10)))
            lines.append(rng.choice(_BLOCK_PREFIX) + body)
    newline = rng.choice(["\n", "\r\n", "\r"])
    return newline.join(lines) + rng.choice(["", newline])


def test_generated_documents_offsets_exact():
    rng = random.Random(20240601)
    for _ in range(400):
        doc = _generate(rng, _INLINE)
        for kind in ("markdown", "plaintext"):
            check_exact(doc, extract_segments(doc, kind))


# Excluded constructs padded with spaces so neighbouring fragments cannot break them apart.
_CLOSED = [
    "中文", "以经", "😀", "𠀀", "𠀁字", "*强调*", "**粗体**", "~~删~~", "，", "。", "a",
    " `禁 禁` ", " $禁+1$ ", " <b title='禁'>", "</b> ", " [链接](http://禁) ", " ![图](禁.png) ",
    " <https://禁.com> ", " https://禁.com/禁 ", " www.禁.com ", " $$禁$$ ", " &amp; ", " \\* ",
    " 禁.com/禁_禁 ", " 禁@禁.cn ", " /usr/禁_禁/禁 ", " ~/禁/禁 ", " C:\\禁\\禁 ",
]


def test_generated_documents_never_leak_excluded_text():
    rng = random.Random(7)
    for _ in range(400):
        doc = _generate(rng, _CLOSED)
        segments = extract_segments(doc, "markdown")
        check_exact(doc, segments)
        assert all(FORBIDDEN not in segment.text for segment in segments), doc


@pytest.mark.parametrize(
    ("doc", "offsets"),
    [
        ("[好](好)好", [(1, 6)]),  # link text joins the text after the link
        ("好![好](好)好", [(0,), (3,), (8,)]),
        ("`好`好", [(3,)]),
        ("<i title='好'>好</i>", [(13,)]),
        ("# 好 #好\n好", [(2, 3, 4, 5), (7,)]),
        ("# 好 #\n好", [(2,), (6,)]),
        ("$好$好", [(3,)]),
        ("\\好好", [(0, 1, 2)]),  # "\好" is not an escape: the backslash stays
        ("- 好\n  好", [(2,), (6,)]),
        ("> 好\n好", [(2,), (4,)]),
    ],
)
def test_repeated_text_found_at_its_own_position(doc, offsets):
    segments = extract_segments(doc, "markdown")
    check_exact(doc, segments)
    assert [segment.offsets for segment in segments] == offsets, segments


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("下载地址：https://例子.com/侯选/包.zip", ["下载地址："]),
        ("见 www.例子.com/侯选，然后", ["见 X，然后"]),
        ("下载：例子.com/侯选/包.zip，谢谢", ["下载：X，谢谢"]),
        ("请发邮件到 侯选@例子.com 联系我们。", ["请发邮件到 X 联系我们。"]),
        ("请发邮件到someone.name@example.com。", ["请发邮件到X。"]),
        ("打开 /usr/local/my_dir/侯选.txt 查看", ["打开 X 查看"]),  # "_" is an emphasis delimiter
        ("编辑 ./配置/侯选.md 和 ../上级/侯选.md。", ["编辑 X 和 X。"]),
        ("保存到 ~/文档/侯_选.txt 里", ["保存到 X 里"]),
        ("见 C:\\用户\\侯选\\a.txt。", ["见 X。"]),
        ("把 **www.例子.com/侯选** 打开", ["把 X 打开"]),  # found across emphasis
        ("见 https://a.com/侯选.", ["见 X."]),
        ("见[例子.com/侯选](https://例子.com)吧", ["见X吧"]),  # link text; the link ends it
        ("![图 见 例子.com/侯选 说明](a.png)", ["图 见 X 说明"]),
        ("效率提高了1.5倍，做了 A/B 测试，和/或，版本 3.2.1 发布了。",
         ["效率提高了1.5倍，做了 A/B 测试，和/或，版本 3.2.1 发布了。"]),
    ],
)
def test_urls_addresses_and_paths_in_text_become_a_placeholder(doc, expected):
    assert texts(doc) == expected


def test_url_in_the_middle_keeps_the_sentence_whole():
    doc = "请访问 例子.com/侯选/包.zip 下载。"
    (segment,) = extract_segments(doc, "markdown")
    after = doc.index(" 下载")
    assert segment == Segment("请访问 X 下载。", (0, 1, 2, 3, -1, *range(after, after + 4)))


def test_footnote_bodies_are_prose_and_references_are_not():
    doc = ("正文[^1]。\n\n[^1]: 每个问题最多给出的侯选数量。\n\n"
           "    续段也是脚注，以经写错。\n\n[^备注]: 没有被引用的脚注。\n\n后文。\n")
    assert texts(doc) == [
        "正文X。", "每个问题最多给出的侯选数量。", "续段也是脚注，以经写错。", "没有被引用的脚注。",
        "后文。",
    ]
    (body,) = [s for s in extract_segments(doc, "markdown") if s.text.startswith("每个")]
    assert body.offsets[0] == doc.index("每个")


def test_inline_footnote_is_its_own_segment():
    assert texts("正文^[内联脚注的侯选]继续。") == ["内联脚注的侯选", "正文X继续。"]
    assert texts("正文^[见 https://例子.com/侯选 的说明]。") == ["见 X 的说明", "正文X。"]


def test_definition_list():
    doc = "术语\n: 定义文字\n\n另一个术语\n:   定义二，以经\n"
    assert texts(doc) == ["术语", "定义文字", "另一个术语", "定义二，以经"]


def test_callout_marker_is_not_prose():
    doc = "> [!NOTE]\n> 注意文字\n\n> [!tip]- 可折叠的标题\n> 内容\n\n> 引用 [!NOTE] 在中间\n"
    assert texts(doc) == ["注意文字", " 可折叠的标题", "内容", "引用 [!NOTE] 在中间"]


def test_html_comments_skipped():
    doc = "前文<!-- 侯选 -->后文\n\n<!-- 块注释 侯选 -->\n\n<!--\n多行 侯选\n-->\n正文\n"
    assert texts(doc) == ["前文X后文", "正文"]


def test_wiki_link_target_is_not_prose_and_its_label_is():
    assert texts("参见[[侯选方案]]。") == [f"参见{PLACEHOLDER}。"]
    assert texts("参见[[侯选方案|朋有的方案]]。") == [f"参见{PLACEHOLDER}朋有的方案{PLACEHOLDER}。"]
    assert texts("[[侯选方案]]是朋有写的") == ["是朋有写的"]
    doc = "参见[[侯选方案|朋有]]。"
    (segment,) = extract_segments(doc, "markdown")
    assert segment.offsets[3:5] == (doc.index("朋有"), doc.index("朋有") + 1)
    assert texts("| a |\n|---|\n| [[侯选\\|朋有]] |\n") == ["a", "朋有"]


def test_reference_label_ranges_are_collapsed_and_shortcut_references_only():
    from electra_lsp.text.markdown import reference_label_ranges

    def labels(doc: str) -> list[str]:
        return [doc[start:end] for start, end in reference_label_ranges(doc)]

    definition = "\n\n[朋有]: https://e.com\n"
    assert labels("参见[朋有][]。" + definition) == ["朋有"]
    assert labels("参见[朋有]。" + definition) == ["朋有"]
    assert labels("参见![朋有][]。" + definition) == ["朋有"]
    assert labels("> 参见[*朋有*]。\n\n[*朋有*]: https://e.com\n") == ["*朋有*"]
    assert labels("参见[朋有](https://e.com)。" + definition) == []  # inline link
    assert labels("参见[朋有][ref]。\n\n[ref]: https://e.com\n") == []  # full reference
    assert labels("参见[朋有]。") == []  # no definition: not a link
    assert texts("参见[朋有][]。" + definition) == ["参见朋有。"]  # still prose
