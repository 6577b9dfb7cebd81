"""The embedded default model on real data: it is complete and small, and its quality on a fixed
slice of SIGHAN-2015 test (the first 300 pairs) stays at or above what was measured when it was
trained (data/electra_models/electra-tiny-zh/README.md), minus a small margin. Thresholds were
chosen on a split of sighan15_train; this test only reads the test set to guard against
regressions in the checker, the loader or the model files."""

from __future__ import annotations

import json

import pytest
from conftest import shared_file

from electra_lsp.paths import default_model_dir

SLICE = 300
MARGIN = 0.02
# Measured with the shipped model and its electra_lsp.json defaults (see the model card).
MEASURED = {
    "sentence_correction_f1": 0.2672,
    "char_detection_precision": 0.6140,
    "char_detection_f1": 0.4502,
    "false_positive_rate": 0.1429,  # an upper bound: 20 of the slice's 140 clean sentences
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
    assert 0.0 < recommended["threshold"] < 1.0 and recommended["minRatio"] >= 0.0
    assert (directory / "README.md").is_file()


@pytest.fixture(scope="module")
def report():
    _model_dir()
    from electra_lsp.checker import Checker
    from electra_lsp.engine.models import load_backend
    from electra_lsp.evaluate.runner import evaluate, read_pairs
    from electra_lsp.settings import Settings

    pairs = read_pairs(shared_file("csc", "sighan15_test.tsv"))[:SLICE]
    settings = Settings()  # the embedded model with its own recommended thresholds
    checker = Checker(load_backend(settings), settings)
    return evaluate(checker, pairs, progress=False).to_json()


def test_sighan15_test_slice_keeps_its_measured_quality(report):
    assert report["sentences"] == SLICE
    assert report["sentence_correction"]["f1"] >= MEASURED["sentence_correction_f1"] - MARGIN
    assert report["char_detection"]["precision"] >= \
        MEASURED["char_detection_precision"] - MARGIN
    assert report["char_detection"]["f1"] >= MEASURED["char_detection_f1"] - MARGIN
    assert report["false_positive_rate"] <= MEASURED["false_positive_rate"] + MARGIN
