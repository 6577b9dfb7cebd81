"""The embedded default model with its fitted combiner on real data: it is complete and small;
on typical cases from the quality issue it finds what it should and leaves alone what it
should; and its quality on fixed slices (the first 300 pairs of SIGHAN-2015 test, and the
first lines of the planted-typo benchmark) stays at or above what was measured when the
combiner was fitted (see data/electra_models/electra-mini-zh/README.md), minus a small margin.
The combiner and its thresholds were fitted and chosen on other data (train/calibrate.py);
these tests only read the test set and the benchmark share to guard against regressions in the
checker, the lexicon, the loader or the model files."""

from __future__ import annotations

import json

import pytest
from support import SHARED_DATA, shared_file

from electra_lsp.paths import default_model_dir

SLICE = 300
BENCH_LINES = 400
MARGIN = 0.02
# Measured with the shipped model and combiner at their defaults (see the model card).
MEASURED = {
    "sentence_correction_f1": 0.2292,
    "char_detection_precision": 0.8571,
    "false_positive_rate": 0.0214,  # an upper bound: 3 of the slice's 140 clean sentences
    "planted_recall": 0.8231,  # 390 typos
    "planted_correct_fix": 0.8231,
    "planted_false_alarms_per_10k": 1.78,  # an upper bound: 3 in 16,868 characters
}


def _model_dir():
    directory = default_model_dir()
    if not (directory / "discriminator" / "config.json").is_file():
        pytest.skip(f"the embedded model is not installed at {directory}")
    return directory


def test_embedded_model_is_complete_and_small():
    directory = _model_dir()
    total = 0
    for role in ("discriminator", "generator"):
        files = {p.name: p.stat().st_size for p in (directory / role).iterdir()}
        assert {"config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors"} <= set(
            files)
        total += sum(files.values())
    assert total <= 30 * 1024 * 1024
    recommended = json.loads((directory / "electra_lsp.json").read_text(encoding="utf-8"))
    combiner = recommended["combiner"]
    assert 0.0 < combiner["threshold"] <= combiner["autoFixThreshold"] < 1.0
    assert (directory / "README.md").is_file()


@pytest.fixture(scope="module")
def checker():
    _model_dir()
    from electra_lsp.checker import Checker
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.settings import Settings

    settings = Settings()  # the embedded model with its own combiner and thresholds
    checked = Checker(load_backend(settings), settings)
    assert checked.combiner is not None
    return checked


@pytest.mark.parametrize(("text", "expected"), [
    ("他以经把依赖按装好了。", {("以", "已")}),
    ("我们正在讨论侯选人的名单。", {("侯", "候")}),
    ("我们可以用泛型来减少重复代码。", set()),  # a domain term
    ("张林和萧华都来了。", set()),  # names
    ("我们将 `foo` 作为参数传入。", set()),  # a sentence cut by inline code stays whole
])
def test_typical_cases(checker, text, expected):
    found = {(f.original, f.best.text) for f in checker.check(text, "markdown")}
    assert expected <= found
    if not expected:
        assert found == set()


def test_sighan15_test_slice_keeps_its_measured_quality(checker):
    from electra_lsp.evaluate.runner import evaluate, read_pairs

    pairs = read_pairs(shared_file("csc", "sighan15_test.tsv"))[:SLICE]
    report = evaluate(checker, pairs, progress=False).to_json()
    assert report["sentences"] == SLICE
    assert report["sentence_correction"]["f1"] >= MEASURED["sentence_correction_f1"] - MARGIN
    assert report["char_detection"]["precision"] >= \
        MEASURED["char_detection_precision"] - MARGIN
    assert report["false_positive_rate"] <= MEASURED["false_positive_rate"] + MARGIN


def test_planted_typos_slice_keeps_its_measured_quality(checker):
    from electra_lsp.evaluate.planted import planted_figures
    from electra_lsp.train.calibrate import BENCH_SEEDS, clean_lines, planted_and_clean

    shared_file("csc", "clean", "xxqg.txt")
    lines = clean_lines(SHARED_DATA, "bench")[:BENCH_LINES]
    pairs = planted_and_clean(lines, checker.lexicon, checker.confusion,
                              checker.backend.vocabulary, BENCH_SEEDS)
    figures = planted_figures(checker, pairs)
    assert figures["recall"] >= MEASURED["planted_recall"] - MARGIN
    assert figures["correct first fix"] >= MEASURED["planted_correct_fix"] - MARGIN
    assert figures["false alarms / 10k chars"] <= \
        MEASURED["planted_false_alarms_per_10k"] + 0.5
