"""`electra-lsp train` end to end on a tiny corpus: the saved layout loads with the project's
loader, --resume continues exactly where a checkpoint left off, and bad input exits 2."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import numpy as np
import pytest

from electra_lsp.cli import main

SENTENCES = [
    "我们今天下午去公园散步，天气很好。", "他在学校里学习中文已经三年了。",
    "这家饭店的菜做得非常好吃，价格也不贵。", "明天早上八点我们在火车站见面。",
    "妈妈每天早上给我们做早饭。", "这本书的内容很有意思，我想再看一遍。",
    "老师让我们把作业写完再回家。", "城市的交通越来越方便，出门坐地铁就可以。",
    "他的朋友送给他一个生日礼物。", "我们应该多运动，保持身体健康。",
    "这次会议讨论了经济发展的问题。", "孩子们在操场上玩得很开心。",
    "请你帮我把这封信交给经理。", "冬天到了，北方开始下雪了。",
    "科学家发现了一种新的治疗方法。", "我希望以后能到中国去旅行。",
]
PAIRS = [("我们今天下午去公圆散步。", "我们今天下午去公园散步。"),
         ("他在学校里学习中文已经三年了。", "他在学校里学习中文已经三年了。"),
         ("妈妈每天早上给我们做早反。", "妈妈每天早上给我们做早饭。"),
         ("老师让我们把作业写完在回家。", "老师让我们把作业写完再回家。")]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("train-inputs")
    corpus = folder / "corpus.txt.xz"
    rng = np.random.default_rng(0)
    lines = [SENTENCES[i] + SENTENCES[j] for i, j in rng.integers(0, len(SENTENCES), (200, 2))]
    with lzma.open(corpus, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    pairs = folder / "pairs.tsv"
    pairs.write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS), encoding="utf-8")
    return {"corpus": corpus, "pairs": pairs}


def _train(inputs: dict[str, Path], output: Path, *extra: str) -> int:
    return main(["train", "--from-scratch", "--size", "test", "--corpus", str(inputs["corpus"]),
                 "--pairs", str(inputs["pairs"]), "--output", str(output), "--batch-size", "8",
                 "--seq-len", "48", "--vocab-size", "600", "--dev-size", "2", "--device", "cpu",
                 "--precision", "fp32", "--seed", "3", *extra])


def _weights(directory: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(directory / "model.safetensors")


def test_trains_a_pair_in_the_hfl_layout_that_the_loader_uses(inputs, tmp_path):
    output = tmp_path / "pair"
    assert _train(inputs, output, "--steps", "8", "--checkpoint-every", "4") == 0
    for role in ("discriminator", "generator"):
        files = {p.name for p in (output / role).iterdir()}
        assert {"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors"} <= files
        assert {str(w.dtype) for w in _weights(output / role).values()} == {"float16"}
        assert json.loads((output / role / "config.json").read_text())["dtype"] == "float32"
    vocab = (output / "discriminator" / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert vocab[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert "园" in vocab and "##a" in vocab and len(vocab) <= 600
    assert vocab == (output / "generator" / "vocab.txt").read_text(encoding="utf-8").splitlines()

    from electra_lsp.engine.backend import MaskQuery
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.settings import Settings

    backend = load_backend(Settings(discriminator=str(output / "discriminator"),
                                    generator=str(output / "generator")))
    sentence = "我们去公圆散步。"  # 圆 is not in the corpus: [UNK], so never a candidate
    assert "圆" not in vocab
    scores = backend.replaced_probabilities([sentence])[0]
    assert len(scores) == len(sentence) and scores[4] == scores[7] == 0.0
    assert all(0.0 < s < 1.0 for i, s in enumerate(scores) if i not in (4, 7))
    answer = backend.masked_probabilities([MaskQuery("我们去公园散步。", 4, ("园", "做", "圆"))])[0]
    assert set(answer.probabilities) == {"园", "做"} and 0.0 < answer.original_probability < 1.0

    report = json.loads((output / "training.json").read_text(encoding="utf-8"))
    assert report["step"] == 8
    assert set(report["dev"]) == {"synthetic_detection", "pairs_detection", "pairs_generator",
                                  "checker"}
    assert 0.0 <= report["dev"]["checker"]["char_detection"]["f1"] <= 1.0
    dev_pairs = (output / "dev_pairs.tsv").read_text(encoding="utf-8").splitlines()
    assert len(dev_pairs) == 2 and all(tuple(p.split("\t")) in PAIRS for p in dev_pairs)


def test_resume_continues_exactly_from_the_checkpoint(inputs, tmp_path, monkeypatch):
    straight = tmp_path / "straight"
    assert _train(inputs, straight, "--steps", "10", "--checkpoint-every", "4") == 0

    # Crash right after the step-4 checkpoint, then resume to the end.
    import electra_lsp.train.loop as loop

    real_save = loop._save

    def save_then_crash(config, data, disc, gen, optimizer, step, elapsed):
        real_save(config, data, disc, gen, optimizer, step, elapsed)
        if step == 4:
            raise KeyboardInterrupt

    interrupted = tmp_path / "interrupted"
    monkeypatch.setattr(loop, "_save", save_then_crash)
    assert _train(inputs, interrupted, "--steps", "10", "--checkpoint-every", "4") == 130
    monkeypatch.setattr(loop, "_save", real_save)
    import torch

    assert torch.load(interrupted / "checkpoint.pt", weights_only=False)["step"] == 4
    before = _weights(interrupted / "discriminator")
    assert main(["train", "--resume", "--output", str(interrupted)]) == 0

    assert json.loads((interrupted / "training.json").read_text())["step"] == 10
    resumed = _weights(interrupted / "discriminator")
    reference = _weights(straight / "discriminator")
    assert any(not np.array_equal(before[k], resumed[k]) for k in before)  # it trained on
    for name, value in reference.items():
        np.testing.assert_allclose(resumed[name], value, atol=1e-3, err_msg=name)


@pytest.mark.parametrize("arguments, message", [
    (["--corpus", "missing.txt", "--from-scratch"], "no such file"),
    (["--corpus", "{corpus}"], "--from-scratch or --init-discriminator"),
    (["--corpus", "{corpus}", "--from-scratch", "--size", "huge"], "--size must be one of"),
    (["--corpus", "{corpus}", "--init-discriminator", "{folder}"], "go together"),
    (["--resume"], "no checkpoint"),
    (["--corpus", "{corpus}", "--from-scratch", "--pairs", "{bad}"], "expected source<TAB>"),
])
def test_bad_input_exits_2_with_a_clear_message(inputs, tmp_path, capsys, arguments, message):
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one field\n", encoding="utf-8")
    values = {"corpus": str(inputs["corpus"]), "folder": str(tmp_path), "bad": str(bad)}
    arguments = [a.format(**values) for a in arguments]
    assert main(["train", "--output", str(tmp_path / "out"), "--steps", "1", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_corruption_is_spelling_realistic():
    from electra_lsp.train.corruption import SHAPE, SOUND, ConfusionTable, CorruptionRates
    from electra_lsp.train.corruption import plan_corruption as plan

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"在再公园圆远做作坐早饭反。"]
    table = ConfusionTable(vocab, np.ones(len(vocab)))
    sound = {vocab[i] for i in table.sound[vocab.index("园")][0]}
    assert {"圆", "远"} <= sound and "饭" not in sound
    rng = np.random.default_rng(0)
    assert vocab[table.sample(rng, vocab.index("在"), SOUND)] == "再"
    assert table.sample(rng, vocab.index("。"), SHAPE) is None

    ids = np.array([[2, *(vocab.index(c) for c in "在公园做早饭。"), 3, 0]] * 200)
    real = np.zeros(ids.shape, dtype=bool)
    real[:, 1:9] = True
    rates = CorruptionRates(clean=0.25, extra=0.0, kinds=(1.0, 0.0, 0.0), mask=0.15)
    result = plan(ids, real, table, rng, 4, rates, np.ones(len(ids), dtype=bool))
    # 公 and 早 have no neighbour here: they fall back to a generator sample.
    assert (result.sample_here <= result.masked).all()
    assert {vocab[i] for i in ids[result.sample_here]} == {"公", "早"}
    changed = ((result.discriminator_input != ids) | result.sample_here).sum(axis=1)
    assert set(changed) == {0, 1}  # at most one error per sentence at extra=0
    assert 0.15 < np.mean(changed == 0) < 0.35  # about a quarter of sentences stay clean
    assert not (result.discriminator_input[:, [0, 8, 9]] != ids[:, [0, 8, 9]]).any()
    assert not result.masked[~real].any() and 0.1 < result.masked[real].mean() < 0.2
    assert (result.generator_input[result.masked] == 4).all()


def test_threshold_choice_balanced_by_f1_precise_by_false_alarms():
    from electra_lsp.train.thresholds import Point, choose

    def point(threshold, precision, recall, correction_f1, alarms):
        f1 = 2 * precision * recall / (precision + recall)
        return Point(threshold, 1.0, {
            "char_detection": {"precision": precision, "recall": recall, "f1": f1},
            "char_correction": {"f1": correction_f1}}, alarms)

    points = [point(0.2, 0.4, 0.5, 0.2, 20.0), point(0.5, 0.6, 0.3, 0.1, 3.0),
              point(0.8, 0.7, 0.2, 0.1, 0.9), point(0.9, 0.75, 0.1, 0.05, 0.2)]
    balanced, precise = choose(points)
    assert balanced.threshold == 0.2  # best detection F1 + correction F1
    assert precise.threshold == 0.8  # most recall within 1 finding per 1000 clean characters
    without_clean_text = [Point(p.threshold, 1.0, p.metrics) for p in points]
    assert choose(without_clean_text)[1].threshold == 0.5  # best F0.5: no point reaches 0.8


def test_fine_tunes_an_existing_pair_keeping_its_vocabulary(inputs, tmp_path):
    base = tmp_path / "base"
    assert _train(inputs, base, "--steps", "2") == 0
    tuned = tmp_path / "tuned"
    assert main(["train", "--init-discriminator", str(base / "discriminator"),
                 "--init-generator", str(base / "generator"), "--corpus", str(inputs["corpus"]),
                 "--output", str(tuned), "--steps", "3", "--batch-size", "8", "--seq-len", "48",
                 "--dev-size", "2", "--device", "cpu", "--precision", "fp32"]) == 0
    vocab = (base / "discriminator" / "vocab.txt").read_text(encoding="utf-8")
    assert (tuned / "generator" / "vocab.txt").read_text(encoding="utf-8") == vocab
    before, after = _weights(base / "discriminator"), _weights(tuned / "discriminator")
    assert set(before) == set(after)
    assert any(not np.array_equal(before[k], after[k]) for k in before)
    # The base pair was saved tied, so it is fine-tuned tied: embeddings still equal after.
    key = "electra.embeddings.word_embeddings.weight"
    assert np.array_equal(after[key], _weights(tuned / "generator")[key])
    assert not np.array_equal(before[key], after[key])


def test_batch_seed_changes_the_batches_but_not_the_dev_split(inputs, tmp_path):
    runs = {}
    for name, extra in (("same", ()), ("other", ("--batch-seed", "11"))):
        runs[name] = tmp_path / name
        assert _train(inputs, runs[name], "--steps", "2", *extra) == 0
    for dev_file in ("dev_pairs.tsv", "dev_corpus.txt"):
        assert ((runs["same"] / dev_file).read_bytes()
                == (runs["other"] / dev_file).read_bytes())
    key = "electra.encoder.layer.0.output.dense.weight"
    assert not np.array_equal(_weights(runs["same"] / "discriminator")[key],
                              _weights(runs["other"] / "discriminator")[key])


def test_workers_build_the_same_batch_stream_as_the_loop_itself(inputs, tmp_path):
    """--workers only moves batch building into processes: the weights come out the same."""
    runs = {}
    for name, extra in (("inline", ()), ("workers", ("--workers", "2"))):
        runs[name] = tmp_path / name
        assert _train(inputs, runs[name], "--steps", "6", "--batch-seed", "5", *extra) == 0
    inline, forked = (_weights(runs[name] / "discriminator") for name in ("inline", "workers"))
    for name, value in inline.items():
        np.testing.assert_array_equal(forked[name], value, err_msg=name)


def test_warm_up_and_decay_follow_the_time_limit_when_steps_are_out_of_reach():
    from electra_lsp.train.loop import TrainConfig, learning_rate

    by_steps = TrainConfig(output=Path("x"), corpus=[], steps=1000, lr=1.0)
    assert learning_rate(by_steps, 0, 0.0) == pytest.approx(1 / 60)  # (step + 1) / warm-up steps
    assert learning_rate(by_steps, 59, 0.0) == pytest.approx(1.0)
    assert learning_rate(by_steps, 500, 0.0) == pytest.approx(0.5 / 0.94)
    # A GPU run: --steps far beyond what one minute reaches; the rate follows the clock.
    by_time = TrainConfig(output=Path("x"), corpus=[], steps=10**6, lr=1.0, max_minutes=1)
    rates = [learning_rate(by_time, step, seconds) for step, seconds in
             ((0, 0.0), (10, 1.8), (20, 3.5), (21, 3.7), (100, 30.0), (200, 59.9))]
    assert rates[1] == pytest.approx(0.5)  # halfway through the 6 % warm-up (3.6 s)
    assert rates[2] < rates[3] <= 1.0  # no jump at the end of warm-up
    assert rates[4] == pytest.approx(0.5 / 0.94) and rates[5] < 0.01


def test_embeddings_tied_by_default_and_untied_on_request(inputs, tmp_path):
    key = "electra.embeddings.word_embeddings.weight"
    for flags, tied in (((), True), (("--no-tie-embeddings", "--disc-weight", "5"), False)):
        output = tmp_path / ("tied" if tied else "untied")
        assert _train(inputs, output, "--steps", "3", *flags) == 0
        same = np.array_equal(_weights(output / "discriminator")[key],
                              _weights(output / "generator")[key])
        assert same is tied
        config = json.loads((output / "training.json").read_text(encoding="utf-8"))["config"]
        assert config["tie_embeddings"] is tied
        assert config["disc_weight"] == (50.0 if tied else 5.0)


def test_average_writes_the_mean_of_two_pairs_and_refuses_mismatches(tmp_path, capsys):
    import torch

    from electra_lsp.cli import main
    from electra_lsp.train.pair import load_pair, new_pair, save_pair
    from electra_lsp.train.vocab import SPECIAL

    vocab = [*SPECIAL, *"我们今天下午去公园散步"]
    for seed, name in ((0, "a"), (1, "b")):
        torch.manual_seed(seed)
        save_pair(*new_pair("test", len(vocab), 48), vocab, tmp_path / name, torch.float32)
    output = tmp_path / "mean"
    assert main(["tune", "average", str(tmp_path / "a"), str(tmp_path / "b"),
                 "--output", str(output)]) == 0
    for role in ("discriminator", "generator"):
        a, b, mean = (_weights(tmp_path / n / role) for n in ("a", "b", "mean"))
        assert mean.keys() == a.keys()
        for name, value in mean.items():
            assert value.dtype == np.float16
            np.testing.assert_allclose(value, (a[name] + b[name]) / 2, atol=2e-3)
    disc, gen = load_pair(output / "discriminator", output / "generator")
    assert torch.equal(disc.electra.embeddings.word_embeddings.weight,
                       gen.electra.embeddings.word_embeddings.weight)  # still a tied pair

    other = [*SPECIAL, *"他在学校里学习中文已经"]
    save_pair(*new_pair("test", len(other), 48), other, tmp_path / "c", torch.float32)
    assert main(["tune", "average", str(tmp_path / "a"), str(tmp_path / "c"), "--output",
                         str(tmp_path / "bad")]) == 2
    assert "another vocabulary" in capsys.readouterr().err
    assert main(["tune", "average", str(tmp_path / "a"), str(tmp_path / "b"), "--output",
                         str(tmp_path / "a")]) == 2
    assert "one of the inputs" in capsys.readouterr().err
