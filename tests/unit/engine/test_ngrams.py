"""Character n-gram counts: counting, packing, saving/loading without pickle, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from electra_lsp.engine.ngrams import NgramError, count_ngrams, load_ngrams, shared_ngrams


def test_counts_stay_inside_lines_and_drop_rare_ones(tmp_path):
    ngrams = count_ngrams(["配置文件", "配置文件很大", "配制"], min_count=2)
    assert list(ngrams.count(["配置", "置文", "配制", "件配"])) == [2, 2, 0, 0]
    assert list(ngrams.count(["配置文", "置文件", "文件很"])) == [2, 2, 0]
    assert list(ngrams.count(["配置文件", "置文件很", "件配置文"])) == [2, 0, 0]
    assert list(ngrams.count(["配置文件很"])) == [0]  # seen once: below min_count
    path = tmp_path / "ngrams.npz"
    ngrams.save(path)
    loaded = load_ngrams(path)
    assert list(loaded.count(["配置"])) == [2] and list(loaded.count(["置文件"])) == [2]
    assert list(loaded.count(["配置文件"])) == [2]
    assert len(loaded) == len(ngrams) > 0
    for n, (keys, counts) in ngrams.tables.items():
        assert np.array_equal(loaded.tables[n][0], keys)
        assert np.array_equal(loaded.tables[n][1], counts)
    assert loaded.count([]).shape == (0,)


def test_lengths_must_agree_and_be_stored():
    ngrams = count_ngrams(["配置文件"], min_count=1, orders=(2, 3))
    with pytest.raises(ValueError, match="one length"):
        ngrams.count(["配置", "配置文"])
    with pytest.raises(ValueError, match="4-gram"):
        ngrams.count(["配置文件"])


def test_hashed_orders_tell_apart_permutations_and_rare_characters():
    # 4- and 5-gram keys are hashes: the same characters in another order, or characters
    # outside the basic plane, must still land on other keys.
    ngrams = count_ngrams(["甲乙丙丁戊", "𠀀𠀁𠀂𠀃"], min_count=1)
    assert list(ngrams.count(["甲乙丙丁", "乙甲丙丁", "丁丙乙甲", "𠀀𠀁𠀂𠀃", "𠀁𠀀𠀂𠀃"])) \
        == [1, 0, 0, 1, 0]
    assert list(ngrams.count(["甲乙丙丁戊", "戊丁丙乙甲"])) == [1, 0]


def test_characters_outside_the_basic_plane_pack_without_collisions():
    ngrams = count_ngrams(["𠀀字𠀀字", "𠀁字"], min_count=1)
    assert list(ngrams.count(["𠀀字", "𠀁字", "字𠀀", "字𠀁"])) == [2, 1, 1, 0]


def test_missing_or_broken_files_are_named(tmp_path):
    with pytest.raises(NgramError, match="missing.npz"):
        load_ngrams(tmp_path / "missing.npz")
    broken = tmp_path / "broken.npz"
    np.savez(broken, something=np.zeros(3))
    with pytest.raises(NgramError, match="broken.npz"):
        load_ngrams(broken)


def test_shipped_counts_know_edited_contexts():
    ngrams = shared_ngrams()
    already, wrong = ngrams.count(["他已经", "他以经"])
    assert already > 10 and wrong == 0
    already, wrong = ngrams.count(["他已经在", "他以经在"])
    assert already >= 2 and wrong == 0


def test_context_features_equal_counting_each_ngram_as_a_string():
    # evidence._context builds all n-grams as code-point arrays at once; it must agree with
    # looking up each covering n-gram as a string (the definition), at sentence edges and
    # with characters outside the basic plane.
    from electra_lsp.engine.evidence import FEATURES, INDEX, _context

    corpus = ["他已经安装好了配置文件", "已经安装", "配置文件很大", "𠀀字已经", "我们已经安装了"]
    ngrams = count_ngrams(corpus * 2, min_count=2)
    sentences = ["他以经安装好了", "𠀀字以经", "配制文件", "大"]
    rows = [(0, 1, "已"), (0, 3, "按"), (0, 0, "她"), (1, 2, "已"), (1, 0, "𠀁"), (2, 1, "置"),
            (2, 3, "牛"), (3, 0, "小")]
    features = np.zeros((len(rows), len(FEATURES)))
    _context(features, sentences, [r[0] for r in rows], [r[1] for r in rows],
             [r[2] for r in rows], ngrams)
    for row, (number, at, char) in enumerate(rows):
        text = sentences[number]
        changed_text = text[:at] + char + text[at + 1:]
        for n, name in ((2, "context_gain_bigrams"), (3, "context_gain"), (4, "context_gain_4"),
                        (5, "context_gain_5")):
            grams = range(max(0, at - n + 1), min(at, len(text) - n) + 1)
            before = sum(np.log1p(ngrams.count([text[s:s + n]])[0]) for s in grams)
            after = sum(np.log1p(ngrams.count([changed_text[s:s + n]])[0]) for s in grams)
            assert features[row, INDEX[name]] == pytest.approx(after - before, abs=1e-12)
            if n == 3:
                assert features[row, INDEX["written_context"]] == pytest.approx(before, abs=1e-12)
    assert features[0, INDEX["context_gain_4"]] > 0  # 他已经安, 已经安装: in the corpus
