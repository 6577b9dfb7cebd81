"""Character n-gram counts: counting, packing, saving/loading without pickle, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from electra_lsp.engine.ngrams import NgramError, count_ngrams, load_ngrams, shared_ngrams


def test_counts_stay_inside_lines_and_drop_rare_ones(tmp_path):
    ngrams = count_ngrams(["配置文件", "配置文件很大", "配制"], min_count=2)
    assert list(ngrams.count(["配置", "置文", "配制", "件配"])) == [2, 2, 0, 0]
    assert list(ngrams.count(["配置文", "置文件", "文件很"])) == [2, 2, 0]
    path = tmp_path / "ngrams.npz"
    ngrams.save(path)
    loaded = load_ngrams(path)
    assert list(loaded.count(["配置"])) == [2] and list(loaded.count(["置文件"])) == [2]
    assert loaded.count([]).shape == (0,)


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
