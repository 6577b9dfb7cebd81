"""Sentence splitting: punctuation, long sentences, offsets preserved."""

from __future__ import annotations

import pytest

from electra_lsp.engine.charclass import is_cjk
from electra_lsp.text.segments import Segment
from electra_lsp.text.sentences import _CJK_RE, split_sentences


def texts(text: str, **kwargs) -> list[str]:
    return [s.text for s in split_sentences(Segment.contiguous(text, 0), **kwargs)]


def test_chinese_punctuation_stays_with_its_sentence():
    assert texts("今天很好。明天呢？太好了！第一；第二") == [
        "今天很好。", "明天呢？", "太好了！", "第一；", "第二"]


def test_runs_of_marks_and_closing_quotes():
    assert texts("真的吗？！他说：“走吧。”于是……我们走了。") == [
        "真的吗？！", "他说：“走吧。”", "于是……", "我们走了。"]


def test_ascii_marks_end_a_sentence_only_before_space_or_end():
    assert texts("你好! 再见?好吗;是的! 结束") == ["你好!", "再见?好吗;是的!", "结束"]
    assert texts('他问"为什么?" 我说') == ['他问"为什么?"', "我说"]


def test_newlines_end_sentences_and_whitespace_is_trimmed():
    assert texts("  第一句\n第二句\r\n\r\n  第三句  ") == ["第一句", "第二句", "第三句"]


def test_sentences_without_chinese_dropped_unless_asked():
    assert texts("Hello world! 你好。 123.") == ["你好。"]
    kept = texts("Hello world! 你好。 123.", require_cjk=False)
    assert kept == ["Hello world!", "你好。", "123."]
    assert texts("") == []
    assert texts("。。。！") == []


def test_offsets_preserved_through_non_contiguous_segments():
    segment = Segment("我们😀走吧。𠀀好", (10, 11, 13, 15, 16, 17, 30, 31))
    sentences = split_sentences(segment)
    assert [s.text for s in sentences] == ["我们😀走吧。", "𠀀好"]
    assert sentences[0].offsets == (10, 11, 13, 15, 16, 17)
    assert sentences[1].offsets == (30, 31)


def test_long_sentence_cut_after_commas():
    text = "这是一个很长的句子，" * 30  # 300 chars, no sentence end
    chunks = split_sentences(Segment.contiguous(text, 100), max_chars=40)
    assert all(len(c.text) <= 40 for c in chunks)
    assert all(c.text.endswith("，") for c in chunks)
    assert "".join(c.text for c in chunks) == text
    for chunk in chunks:
        assert chunk.offsets[0] - 100 == text.index(chunk.text, chunk.offsets[0] - 100)


def test_long_sentence_prefers_comma_in_second_half_then_space_then_hard_cut():
    assert texts("甲" * 8 + "，" + "乙" * 8, max_chars=12) == ["甲" * 8 + "，", "乙" * 8]
    # a comma too early in the window is not used; a space is
    assert texts("甲，" + "乙" * 7 + " " + "丙" * 6, max_chars=12) == ["甲，" + "乙" * 7, "丙" * 6]
    assert texts("丁" * 25, max_chars=10) == ["丁" * 10, "丁" * 10, "丁" * 5]


def test_default_max_chars_fits_the_model():
    chunks = texts("字" * 1000)
    assert max(len(c) for c in chunks) == 126
    assert "".join(chunks) == "字" * 1000


def test_bad_max_chars_rejected():
    with pytest.raises(ValueError, match="max_chars"):
        split_sentences(Segment.contiguous("你好", 0), max_chars=0)


def test_cjk_regex_agrees_with_charclass():
    points = [0x3399, 0x33FF, 0x3400, 0x4DBF, 0x4DC0, 0x4E00, 0x9FFF, 0xA000, 0xF8FF, 0xF900,
              0xFAFF, 0xFB00, 0x1FFFF, 0x20000, 0x2A6DF, 0x2A6E0, 0x2A700, 0x2EBEF, 0x2EBF0,
              0x30000, 0x323AF, 0x323B0, ord("a"), ord("。"), ord("😀")]
    for point in points:
        char = chr(point)
        assert bool(_CJK_RE.match(char)) == is_cjk(char), hex(point)
