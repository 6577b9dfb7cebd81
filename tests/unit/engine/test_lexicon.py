"""The lexicon: segmentation, candidates from the masked-word index, source flags, confusable
pairs, and clear errors for missing files."""

from __future__ import annotations

import math

import pytest

from electra_lsp.engine.lexicon import (
    NAME,
    NO_WORD,
    ConfusablePairs,
    Lexicon,
    LexiconError,
    load_lexicon,
    shared_lexicon,
)

COUNTS = {"已经": 5000, "以": 3000, "经": 800, "已": 900, "他": 4000, "把": 2000, "安装": 300,
          "按": 500, "装": 400, "以为": 2000, "经过": 1500, "了": 9000}


def small() -> Lexicon:
    return Lexicon(dict(COUNTS), {"张林": NAME})


def test_best_segmentation_prefers_the_common_word():
    lexicon = small()
    score, spans = lexicon.best_segmentation("他已经")
    assert spans == [(0, 1), (1, 3)]
    total = sum(COUNTS.values())
    assert score == pytest.approx(math.log(4000 / total) + math.log(5000 / total))


def test_a_non_word_loses_to_the_word_it_was_meant_to_be():
    lexicon = small()
    wrong, _ = lexicon.best_segmentation("他以经把")
    right, _ = lexicon.best_segmentation("他已经把")
    assert right - wrong > 2.0


def test_a_shared_viterbi_prefix_segments_like_the_whole_text():
    lexicon = small()
    texts = ["他以经把安装了", "他已经把", "以为经过了", "把按装了"]
    for text in texts:
        for at in range(len(text)):
            prefix = lexicon.viterbi_prefix(text, at)
            for char in "已以经按安了":
                changed = text[:at] + char + text[at + 1:]
                assert lexicon.resegment(changed, prefix) == lexicon.best_segmentation(changed)


def test_completions_find_the_intended_character_and_the_written_word():
    lexicon = small()
    found, written = lexicon.completions("他以经把", 1)
    assert "已" in found
    assert found["已"] == pytest.approx(lexicon.logp("已经"))
    assert written == pytest.approx(lexicon.logp("经过")) or written == NO_WORD
    # only characters the caller allows
    assert lexicon.completions("他以经把", 1, allowed={"安"})[0] == {}


def test_completions_skip_words_less_common_than_what_is_written():
    lexicon = Lexicon({"配置": 100, "配制": 300, "文件": 50})
    found, written = lexicon.completions("配制文件", 1)
    assert "置" not in found  # 配制 is written and more common here
    assert written == pytest.approx(lexicon.logp("配制"))


def test_a_longer_word_is_not_kept_out_by_a_shorter_word_inside_it():
    # 无所是从: 是从 is a common (jieba) word, 无所适从 a rarer idiom; the idiom still comes,
    # while a word of the same length as a more common written one does not (配制/配置 above)
    lexicon = Lexicon({"是从": 4000, "无所适从": 100, "适从": 50, "无所": 3})
    found, written = lexicon.completions("无所是从", 2)
    assert written == pytest.approx(lexicon.logp("是从"))
    assert found == {"适": pytest.approx(lexicon.logp("无所适从"))}  # not 适从: < 是从


def test_counts_come_back_from_the_stored_log_counts():
    lexicon = small()
    assert all(lexicon.count(word) == count for word, count in COUNTS.items())
    assert lexicon.count("按装") == 0
    assert lexicon.logp("按装") is None and "按装" not in lexicon and len(lexicon) == len(COUNTS)
    assert lexicon.char_logp("按") == pytest.approx(math.log(500 / sum(COUNTS.values())))


def test_completions_in_a_window_see_only_its_words():
    lexicon = small()
    # 已经 lies across the window's edge at 2: no completion from it
    assert "已" not in lexicon.completions("他以经把", 1, window=(1, 2))[0]
    assert "已" in lexicon.completions("他以经把", 1, window=(0, 3))[0]


def test_window_stops_at_non_chinese_text():
    lexicon = small()
    assert lexicon.window("ab他以经X把", 3) == (2, 5)


def test_flags_mark_names():
    lexicon = small()
    assert lexicon.flags_at("张林来了", 1) & NAME
    assert not lexicon.flags_at("他来了", 1) & NAME


def test_confusable_pairs_use_one_character_of_context():
    pairs = ConfusablePairs.from_rows([("尽菅平凡", "尽管平凡"), ("不等长", "不等")])
    assert pairs.suggests("他尽菅平时很忙", 2, "管")
    assert not pairs.suggests("只菅平时", 1, "管")  # another left neighbour


def test_missing_lexicon_file_is_named(tmp_path):
    with pytest.raises(LexiconError, match="thuocl_it.tsv"):
        load_lexicon(tmp_path, general={"已经": 10})


def test_shipped_lexicon_knows_common_words_domain_terms_and_names():
    lexicon = shared_lexicon()
    assert lexicon.load_seconds > 0
    for word in ("已经", "安装", "候选人", "泛型", "坚定不移"):
        assert word in lexicon, word
    assert "侯选人" not in lexicon  # a rare jieba entry (count 2) that is a typo
    assert lexicon.flags_at("萧华都来了", 0) & NAME
    found, _ = lexicon.completions("他以经把依赖按装好了", 1)
    assert "已" in found
    found, _ = lexicon.completions("他以经把依赖按装好了", 6)
    assert "安" in found
