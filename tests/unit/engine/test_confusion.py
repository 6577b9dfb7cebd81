"""Similar characters, the kind of similarity, its prior weights, and how they are estimated."""

from __future__ import annotations

import json

import pytest

from electra_lsp.checker import Checker
from electra_lsp.cli import main
from electra_lsp.engine.confusion import (
    KINDS,
    ConfusionSets,
    load_confusion,
    read_kind_weights,
)
from electra_lsp.engine.scripted import ScriptedBackend
from electra_lsp.settings import Settings
from electra_lsp.train import similarity_weights

UNIVERSE = frozenset("在再灾是四甲乙未末已以按安侯候")


def sets(weights: dict[str, float] | None = None) -> ConfusionSets:
    # 甲/乙 share no reading: only the curated same-pinyin table links them ("listed").
    shapes = {"未": {"末"}, "末": {"未"}, "侯": {"候"}, "候": {"侯"}}
    return ConfusionSets({"甲": {"乙"}, "乙": {"甲"}}, shapes, UNIVERSE, weights)


def test_similar_by_sound_fuzzy_sound_and_shape():
    confusion = sets()
    assert {"再", "灾"} <= confusion.similar("在")
    assert "是" in confusion.similar("四")  # sh/s fuzzy initials
    assert confusion.similar("未") == {"末"}
    assert "在" not in confusion.similar("在")


@pytest.mark.parametrize(("written", "meant", "kind"), [
    ("在", "再", "same_tone"),   # zài / zài
    ("已", "以", "same_tone"),   # yǐ / yǐ
    ("在", "灾", "other_tone"),  # zài / zāi
    ("按", "安", "other_tone"),  # àn / ān
    ("甲", "乙", "listed"),
    ("四", "是", "fuzzy_sound"),  # sì / shì
    ("未", "末", "shape"),
    ("侯", "候", "sound_and_shape"),  # hóu / hòu, and listed as similar in shape
    ("未", "在", None),
])
def test_kind_names_the_most_specific_similarity(written, meant, kind):
    assert sets().kind(written, meant) == kind


def test_only_readings_in_use_make_characters_sound_alike():
    # pypinyin also lists archaic readings no word uses (也 yí, 透 shū, 搜 xiāo, 还 fú): with
    # them 也/印, 透/书, 搜/号 and 还/包 counted as homophones and were flagged in correct text.
    from electra_lsp.engine.confusion import readings, toned_readings

    confusion = ConfusionSets({}, {}, frozenset("也印透书搜号还包行航银重虫"))
    for written, meant in (("也", "印"), ("透", "书"), ("搜", "号"), ("还", "包")):
        assert confusion.kind(written, meant) is None, (written, meant)
    # Readings that words use stay: 行 háng (银行), 重 chóng (重复), 还 huán (还原).
    assert confusion.kind("行", "航") == "same_tone"
    assert confusion.kind("重", "虫") == "same_tone"
    assert set(readings("还")) == {"hai", "huan"}
    assert toned_readings("透") == frozenset({"tou4"})


def test_weights_follow_kinds_and_default_to_equal():
    assert sets().weights("在", ["再", "灾"]) == {"再": 1.0, "灾": 1.0}
    weighted = sets({"same_tone": 1.0, "other_tone": 0.25})
    assert weighted.weights("在", ["再", "灾"]) == {"再": 1.0, "灾": 0.25}
    assert weighted.weights("未", ["末"]) == {"末": 0.0}  # a kind the file leaves out


def test_weights_file_is_validated(tmp_path):
    assert read_kind_weights(tmp_path / "missing.json") == {}
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"weights": {"same_tone": 1, "shape": 0.5}}), encoding="utf-8")
    assert read_kind_weights(good) == {"same_tone": 1.0, "shape": 0.5}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"weights": {"sideways": 1}}), encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json"):
        read_kind_weights(bad)


def test_shipped_weights_prefer_exact_homophones():
    weights = load_confusion(UNIVERSE).kind_weights
    assert set(weights) == set(KINDS) and weights["same_tone"] == 1.0
    assert weights["same_tone"] > weights["other_tone"] > weights["fuzzy_sound"]
    # sounding and looking alike: the likeliest to be what the writer meant
    assert max(weights, key=weights.get) == "sound_and_shape"


def test_sound_and_shape_outranks_a_likelier_homophone():
    # In 最多给出的侯选数量 the generator prefers 后 (hòu) to 候 (hòu, shaped like 侯); the prior
    # for a character both sounding and looking like the written one puts 候 first.
    backend = ScriptedBackend({"侯": {"后": 0.5, "候": 0.2}})
    universe = UNIVERSE | {"后"}
    shapes = {"侯": {"候"}, "候": {"侯"}}

    def first(weights: dict[str, float] | None) -> str:
        confusion = ConfusionSets({}, shapes, universe, weights)
        found = Checker(backend, Settings(), confusion=confusion).check_sentences(["侯选"])[0][0]
        return found.suggestions[0].text

    assert first(None) == "后"
    assert first({"sound_and_shape": 1.0, "other_tone": 0.1}) == "候"


def test_checker_ranks_by_weighted_probability():
    # The generator prefers 灾 (0.4) to 再 (0.3); the prior for an exact homophone reverses it.
    backend = ScriptedBackend({"在": {"灾": 0.4, "再": 0.3}})
    equal = Checker(backend, Settings(), confusion=sets())
    assert [s.text for s in equal.check_sentences(["我在来"])[0][0].suggestions] == ["灾", "再"]
    weighted = Checker(backend, Settings(), confusion=sets({"same_tone": 1.0, "other_tone": 0.25}))
    found = weighted.check_sentences(["我在来"])[0][0]
    assert [s.text for s in found.suggestions] == ["再", "灾"]
    assert found.suggestions[0].probability == 0.3  # the generator's own figure is kept
    # minRatio compares the weighted probability: 0.25 * 0.4 = 0.1 < 20 * p(在) = 0.2
    strict = Checker(backend, Settings(minRatio=20.0),
                     confusion=sets({"same_tone": 1.0, "other_tone": 0.25}))
    assert [s.text for s in strict.check_sentences(["我在来"])[0][0].suggestions] == ["再"]


def test_estimate_counts_corrections_against_candidates(tmp_path):
    pairs = [("我在来了", "我再来了"), ("我在来了", "我再来了"), ("四不四", "是不四"),
             ("未来", "末来")]
    report = similarity_weights.estimate(pairs, sets(), UNIVERSE)
    assert report["corrections"]["same_tone"] == 2 and report["corrections"]["fuzzy_sound"] == 1
    assert report["corrections"]["shape"] == 1 and report["unreachable"] == 0
    weights = report["weights"]
    assert weights["same_tone"] == 1.0
    # 2 of the 2 same-tone candidates offered were right; other-tone ones never were
    assert weights["same_tone"] > weights["other_tone"]


def test_estimation_refuses_test_files_and_leaves_out_dev(tmp_path, capsys):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *UNIVERSE]) + "\n",
                     encoding="utf-8")
    test_file = tmp_path / "csc_test.tsv"
    test_file.write_text("我在来\t我再来\n", encoding="utf-8")
    assert main(["tune", "similarity-weights", str(test_file), "--vocab", str(vocab)]) == 2
    assert "refusing" in capsys.readouterr().err
    train = tmp_path / "train.tsv"
    train.write_text("我在来\t我再来\n按时\t安时\n", encoding="utf-8")
    dev = tmp_path / "dev.tsv"
    dev.write_text("按时\t安时\n", encoding="utf-8")
    output = tmp_path / "weights.json"
    assert main(["tune", "similarity-weights", str(train), "--exclude", str(dev),
                 "--vocab", str(vocab), "--output", str(output)]) == 0
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["source"]["used"] == 1 and report["corrections"]["other_tone"] == 0
    assert read_kind_weights(output) == report["weights"]


def test_the_shipped_readings_table_is_what_pypinyin_gives():
    from electra_lsp.engine.confusion import READINGS_FILE
    from electra_lsp.paths import data_dir
    from electra_lsp.train.readings import readings_in_use

    shipped = (data_dir() / "confusion" / READINGS_FILE).read_text(encoding="utf-8")
    built = "".join(f"{char}\t{' '.join(found)}\n" for char, found in readings_in_use())
    assert shipped == built, "rebuild it: python -m electra_lsp.train.readings"


def test_readings_come_from_the_table_without_pypinyin():
    import subprocess
    import sys

    code = ("import sys; from electra_lsp.engine.confusion import readings, toned_readings; "
            "assert readings('行') == ('xing', 'hang', 'heng'), readings('行'); "
            "assert toned_readings('也') == {'ye3'} and readings('a') == (); "
            "assert 'pypinyin' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
