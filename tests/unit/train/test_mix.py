"""The supervised training mix (train/mix.py): caps, the synthetic training half, negatives."""

from __future__ import annotations

from pathlib import Path

import pytest

from electra_lsp.train.mix import Source, build_mix, is_training_half


def _write(path: Path, rows: list[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{s}\t{t}\n" for s, t in rows), encoding="utf-8")


def test_caps_halves_and_negatives(tmp_path: Path) -> None:
    real = [(f"以经第{i}次", f"已经第{i}次") for i in range(10)]
    synthetic = [(f"按装第{i}个", f"安装第{i}个") for i in range(40)]
    _write(tmp_path / "real.tsv", real)
    _write(tmp_path / "synthetic.tsv", synthetic)
    (tmp_path / "clean.txt").write_text("".join(f"干净的句子{i}。\n" for i in range(9)),
                                        encoding="utf-8")
    recipe = (Source("real.tsv", cap=4), Source("synthetic.tsv", synthetic=True))
    mix, counts = build_mix(tmp_path, recipe, Source("clean.txt", cap=5))
    half = [pair for pair in synthetic if is_training_half(pair[1])]
    assert 0 < len(half) < len(synthetic)  # the hash really splits
    assert counts == {"real.tsv": 4, "synthetic.tsv": len(half), "clean.txt": 5}
    assert len(mix) == 4 + len(half) + 5
    assert set(half) <= set(mix)
    assert not set(synthetic) - set(half) & set(mix)  # the fitting half is never trained on
    assert sum(s == t for s, t in mix) == 5
    assert build_mix(tmp_path, recipe, Source("clean.txt", cap=5))[0] == mix  # seeded


def test_test_files_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "sighan15_test.tsv", [("以经", "已经")])
    with pytest.raises(ValueError, match="reporting only"):
        build_mix(tmp_path, (Source("sighan15_test.tsv"),), None)


def test_the_split_is_pinned() -> None:
    # CRC-32 of the UTF-8 text: the same on every machine; a change would silently move
    # sentences between the training half and the calibration half.
    assert [is_training_half(t) for t in ("已经", "安装", "配置文件", "候选人")] == \
        [True, False, True, True]
