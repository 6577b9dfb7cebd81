"""`electra-lsp tune calibrate` fits the fused decision for any pair: on a tiny pair and a small
data directory in the shared layout, it writes a combiner into the pair's electra_lsp.json,
and the checker then uses it."""

from __future__ import annotations

import json
import shutil

import pytest

from electra_lsp.cli import main

pytest.importorskip("sklearn")

CLEAN = [
    "我们已经完成了这个项目的主要工作。", "请大家按照要求认真检查配置文件。",
    "这个问题需要进一步研究和讨论。", "他们正在努力提高产品的质量。",
    "我们应该继续加强国际合作。", "今天的会议讨论了明年的发展计划。",
    "学生们在老师的指导下进行实验。", "这种方法可以有效地减少重复工作。",
    "经济发展为人民生活带来了变化。", "我们必须坚持实事求是的原则。",
    "这些建议对我们的工作很有帮助。", "他已经把需要的材料准备好了。",
]


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    (root / "csc" / "clean").mkdir(parents=True)
    (root / "csc" / "train").mkdir()
    (root / "csc" / "dev").mkdir()
    (root / "csc" / "clean" / "xxqg.txt").write_text("\n".join(CLEAN * 8) + "\n",
                                                     encoding="utf-8")
    pairs = ("他以经走了。\t他已经走了。\n我们在次见面。\t我们再次见面。\n"
             "今天天气很好。\t今天天气很好。\n")
    (root / "csc" / "train" / "small_train.tsv").write_text(pairs, encoding="utf-8")
    (root / "csc" / "sighan15_train.tsv").write_text(pairs, encoding="utf-8")
    (root / "csc" / "dev" / "small_dev.tsv").write_text(pairs, encoding="utf-8")
    return root


def test_calibrate_writes_a_combiner_the_checker_uses(tiny_pair, data, tmp_path, capsys):
    from electra_lsp.checker import Checker
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.settings import Settings

    pair = tmp_path / "pair"
    for role, source in zip(("discriminator", "generator"), tiny_pair, strict=True):
        shutil.copytree(source, pair / role)
    arguments = ["--discriminator", str(pair / "discriminator"),
                 "--generator", str(pair / "generator"), "--backend", "torch"]
    assert main(["tune", "calibrate", "--data", str(data), "--write", *arguments]) == 0
    assert "wrote the combiner" in capsys.readouterr().out
    stored = json.loads((pair / "electra_lsp.json").read_text(encoding="utf-8"))
    combiner = stored["combiner"]
    assert combiner["kind"] == "trees"
    assert 0 < combiner["threshold"] <= combiner["autoFixThreshold"] < 1
    assert set(stored["combinerReport"]["dev"]) == {"small_dev"}

    settings = Settings(discriminator=str(pair / "discriminator"),
                        generator=str(pair / "generator"), backend="torch")
    checker = Checker(load_backend(settings), settings)
    assert checker.combiner is not None and checker.threshold == combiner["threshold"]
    checker.check("他以经走了。", "plaintext")  # runs the fused path end to end


def test_calibrate_without_data_is_a_clear_error(tmp_path, capsys):
    assert main(["tune", "calibrate", "--data", str(tmp_path / "none")]) == 2
    assert "no CSC data" in capsys.readouterr().err


def test_thresholds_count_false_alarms_on_the_calibration_lines(tiny_pair, data, tmp_path,
                                                                capsys):
    from electra_lsp.train.calibrate import clean_lines

    pair = tmp_path / "pair"
    for role, source in zip(("discriminator", "generator"), tiny_pair, strict=True):
        shutil.copytree(source, pair / role)
    dev = data / "csc" / "dev" / "small_dev.tsv"
    assert main(["tune", "thresholds", str(pair), str(dev), "--clean-data", str(data),
                 "--write", "precise"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert all(point["clean_text_findings_per_1000_chars"] is not None
               for point in report["grid"])
    assert clean_lines(data, "tune")  # the lines counted on
    stored = json.loads((pair / "electra_lsp.json").read_text(encoding="utf-8"))
    assert stored["threshold"] == report["precise"]["threshold"]
    assert main(["tune", "thresholds", str(pair), str(dev),
                 "--clean-data", str(tmp_path / "none")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_poisson_upper_bound_matches_the_published_values():
    from electra_lsp.train.calibrate import poisson_upper_bound

    # Garwood's exact one-sided 95 % bounds for 0..4 observed events.
    expected = [2.996, 4.744, 6.296, 7.754, 9.154]
    assert [round(poisson_upper_bound(k), 3) for k in range(5)] == expected
    assert poisson_upper_bound(3, confidence=0.5) < 4.0 < poisson_upper_bound(3)


def test_threshold_holds_the_alarm_budget_with_confidence_not_only_as_observed():
    import numpy as np

    from electra_lsp.train.calibrate import Decisions, choose_threshold

    # 60,000 clean characters: a budget of 1 per 10k allows 6 expected alarms, and the 95 %
    # bound allows at most one observed (1 → 4.74, 2 → 6.30). Alarms score 0.6, 0.7, 0.8, 0.9;
    # one real error scores 0.95.
    found = Decisions(best=np.array([0.6, 0.7, 0.8, 0.9, 0.95]),
                      right=np.array([False, False, False, False, True]),
                      error=np.array([False, False, False, False, True]),
                      total_errors=1, chars=60_000)
    assert choose_threshold(found) == 0.81  # only the 0.9 alarm left
    assert choose_threshold(found, confidence=0.5) == 0.05  # about as observed: 4 → 4.67 ≤ 6
    assert choose_threshold(Decisions(found.best, found.right, found.error, 1, 0)) == 0.99


def test_binomial_upper_bound_matches_the_exact_values():
    from electra_lsp.train.calibrate import binomial_upper_bound

    assert round(binomial_upper_bound(0, 10), 4) == round(1 - 0.05 ** 0.1, 4)  # 0.2589
    assert round(binomial_upper_bound(1, 10), 4) == 0.3942
    assert round(binomial_upper_bound(5, 100), 4) == 0.1023
    assert binomial_upper_bound(3, 3) == 1.0 and binomial_upper_bound(0, 0) == 1.0


def test_automatic_fixes_need_a_wrong_share_within_the_limit_with_confidence():
    import numpy as np

    from electra_lsp.train.calibrate import Decisions, choose_auto_fix

    # 200 right fixes scored 0.9-0.99 and 8 wrong edits scored 0.9 (3.8 % observed: within
    # 5 %, but its 95 % bound is 6.9 %); above 0.9 no edit is wrong, and 0 of 180 bounds 1.7 %.
    best = np.concatenate([np.linspace(0.9, 0.99, 200), np.full(8, 0.9)])
    right = np.concatenate([np.ones(200, dtype=bool), np.zeros(8, dtype=bool)])
    found = Decisions(best=best, right=right, error=right.copy(), total_errors=200,
                      chars=100_000)
    assert choose_auto_fix(found, 0.9, confidence=0.5) == 0.9
    assert choose_auto_fix(found, 0.9) == 0.91
