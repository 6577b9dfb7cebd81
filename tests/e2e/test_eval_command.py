"""The eval runner (TSV reading, applying suggestions, batching) and `electra-lsp eval`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from support import SHARED_DATA

from electra_lsp.evaluate.runner import EvalInputError, apply_findings, evaluate, read_pairs
from electra_lsp.findings import Finding, Suggestion
from electra_lsp.paths import default_model_dir

SIGHAN15_TEST = SHARED_DATA / "csc" / "sighan15_test.tsv"


def finding(start: int, original: str, *suggestions: str) -> Finding:
    return Finding(start, start + 1, original, 0.9,
                   tuple(Suggestion(s, 0.5, 0.5) for s in suggestions))


# -- read_pairs ---------------------------------------------------------------------------------

def test_read_pairs_skips_blank_lines_and_handles_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_bytes("\ufeff他门在家。\t他们在家。\r\n\r\n  \n你好\t你好\n".encode())
    assert read_pairs(path) == [("他门在家。", "他们在家。"), ("你好", "你好")]


def test_read_pairs_names_file_and_line_of_a_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("你好\t你好\n\n只有一列\n", encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"bad\.tsv:3: expected source<TAB>target, found 1"):
        read_pairs(path)
    path.write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"bad\.tsv:1: .*found 3 tab-separated fields"):
        read_pairs(path)


def test_read_pairs_names_the_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.tsv"
    path.write_bytes("你好\t你好\n".encode() + "他门\t他们\n".encode("gbk"))
    with pytest.raises(EvalInputError, match=r"gbk\.tsv:2: not valid UTF-8"):
        read_pairs(path)


def test_read_pairs_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EvalInputError, match=r"cannot read .*missing\.tsv"):
        read_pairs(tmp_path / "missing.tsv")


# -- applying findings --------------------------------------------------------------------------

def test_apply_findings_uses_best_suggestion_and_keeps_the_rest() -> None:
    # 𠀀 (U+20000) is one code point, so 门 is at index 2.
    sentence = "𠀀他门在家汽"
    found = [finding(5, "汽", "气", "器"), finding(2, "门", "们"), finding(3, "在")]
    assert apply_findings(sentence, found) == "𠀀他们在家气"  # 在 has no suggestion: unchanged
    assert apply_findings(sentence, []) == sentence


def test_apply_findings_rejects_offsets_that_do_not_match() -> None:
    with pytest.raises(ValueError, match="does not match"):
        apply_findings("他门在家", [finding(0, "门", "们")])


# -- evaluate with a stand-in checker -----------------------------------------------------------

class ReplacingChecker:
    """Flags every character in `fixes` and suggests its replacement; records batch sizes."""

    def __init__(self, fixes: dict[str, str]) -> None:
        self.fixes = fixes
        self.batches: list[int] = []

    def check_sentences(self, sentences: Sequence[str]) -> list[list[Finding]]:
        self.batches.append(len(sentences))
        return [[finding(i, c, self.fixes[c]) for i, c in enumerate(s) if c in self.fixes]
                for s in sentences]


PAIRS = [
    ("他门在家。", "他们在家。"),  # 门 -> 闷: right place, wrong character
    ("今天天汽很好。", "今天天气很好。"),  # 汽 -> 气: fixed
    ("我很高兴。", "我很高兴。"),  # untouched
    ("做人要诚实。", "做人要诚实。"),  # 做 -> 作: false alarm
    ("因该去。", "应该去。"),  # missed
]
FIXES = {"门": "闷", "汽": "气", "做": "作"}


def test_evaluate_scores_the_applied_suggestions_in_batches() -> None:
    checker = ReplacingChecker(FIXES)
    report = evaluate(checker, PAIRS, batch_size=2, progress=False, model="stand-in")
    assert checker.batches == [2, 2, 1]
    assert report.predictions == ("他闷在家。", "今天天气很好。", "我很高兴。", "作人要诚实。",
                                  "因该去。")
    m = report.metrics
    # Gold sentences 1, 2, 5; changed 1, 2, 4; positions match in 1, 2; exact fix only in 2.
    assert (m.sentence_detection.correct, m.sentence_detection.predicted,
            m.sentence_detection.gold) == (2, 3, 3)
    assert m.sentence_correction.correct == 1
    assert (m.clean_sentences, m.clean_changed) == (2, 1)
    assert report.seconds >= 0 and report.model == "stand-in"
    data = report.to_json()
    assert data["sentences"] == 5 and data["model"] == "stand-in"
    assert "sentences_per_second" in data


def test_evaluate_rejects_a_bad_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        evaluate(ReplacingChecker({}), PAIRS, batch_size=0, progress=False)


# -- the command, end to end with a scripted model ----------------------------------------------

@pytest.fixture
def scripted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scripted model planting the same fixes as FIXES, and a TSV of PAIRS."""
    for name in ("ELECTRA_LSP_THRESHOLD", "ELECTRA_LSP_MIN_RATIO", "ELECTRA_LSP_TOP_K",
                 "ELECTRA_LSP_DISCRIMINATOR", "ELECTRA_LSP_GENERATOR"):
        monkeypatch.delenv(name, raising=False)
    script = tmp_path / "script.json"
    script.write_text(json.dumps({
        "name": "planted",
        "errors": {"门": {"闷": 0.6}, "汽": {"气": 0.8}, "做": {"作": 0.9}},
    }), encoding="utf-8")
    monkeypatch.setenv("ELECTRA_LSP_SCRIPTED_MODEL", str(script))
    data = tmp_path / "pairs.tsv"
    data.write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS), encoding="utf-8")
    return data


def run_cli(argv: list[str]) -> int:
    from electra_lsp.cli import main

    return main(argv)


def test_eval_prints_the_figures(scripted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["eval", str(scripted), "--no-progress"]) == 0
    out = capsys.readouterr().out
    # By hand (see PAIRS): gold sentences 1, 2, 5; changed 1, 2, 4.
    # Sentence detection: positions match in 1, 2 -> P = R = F1 = 2/3.
    assert "sentence detection          0.6667    0.6667    0.6667" in out
    # Sentence correction: exact fix only in 2 -> P = R = F1 = 1/3.
    assert "sentence correction         0.3333    0.3333    0.3333" in out
    # Characters: gold {门, 汽, 因} = 3, changed {门, 汽, 做} = 3, both 2, right char 1.
    assert "character detection         0.6667    0.6667    0.6667" in out
    assert "character correction        0.3333    0.3333    0.3333" in out
    # Error-free sentences 3 and 4; 4 was changed.
    assert "false-positive rate:  0.5000 (1 of 2 error-free sentences changed)" in out
    # Toolkit: TP 1 (s2), FP 1 (s4), FN 2 (s1, s5), TN 1 (s3): accuracy 2/5, P 1/2, R 1/3,
    # F1 = 2 * 1/2 * 1/3 / (5/6) = 0.4.
    assert ("accuracy 0.4000  precision 0.5000  recall 0.3333  F1 0.4000  "
            "(TP 1, FP 1, FN 2, TN 1)") in out
    assert "model:  planted" in out
    assert "sentences/s" in out


def test_eval_json_and_limit(scripted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["eval", str(scripted), "--json", "--limit", "2", "--no-progress"]) == 0
    data = json.loads(capsys.readouterr().out)
    # The first two pairs: both have errors and both were changed at the right place; only the
    # second is fixed exactly.
    assert data["sentences"] == 2 and data["model"] == "planted"
    assert data["sentence_detection"]["precision"] == 1.0
    assert data["sentence_correction"]["precision"] == 0.5
    assert data["toolkit_sentence"] == {"accuracy": 0.5, "precision": 1.0, "recall": 0.5,
                                        "f1": pytest.approx(2 / 3), "tp": 1, "fp": 0, "fn": 1,
                                        "tn": 0}
    assert data["sentences_per_second"] > 0


def test_eval_threshold_flag_reaches_the_checker(scripted: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # The scripted detector scores planted characters 0.97: a threshold above it flags nothing.
    assert run_cli(["eval", str(scripted), "--json", "--threshold", "0.99",
                    "--no-progress"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["char_detection"]["predicted"] == 0
    assert data["toolkit_sentence"]["tn"] == 2


def test_eval_bad_threshold_is_a_usage_error(scripted: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["eval", str(scripted), "--threshold", "2"]) == 2
    assert "threshold" in capsys.readouterr().err


def test_eval_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.tsv"
    assert run_cli(["eval", str(missing)]) == 2
    assert "nowhere.tsv" in capsys.readouterr().err


def test_eval_undecodable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.tsv"
    path.write_bytes("caf\xe9\tcaf\xe9\n".encode("latin-1"))
    assert run_cli(["eval", str(path)]) == 2
    assert "latin1.tsv:1: not valid UTF-8" in capsys.readouterr().err


def test_eval_model_load_error_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ELECTRA_LSP_SCRIPTED_MODEL", raising=False)
    data = tmp_path / "pairs.tsv"
    data.write_text("你好\t你好\n", encoding="utf-8")
    missing = tmp_path / "no-such-model"
    code = run_cli(["eval", str(data), "--discriminator", str(missing),
                    "--generator", str(missing)])
    assert code == 2
    assert "no-such-model" in capsys.readouterr().err


# -- real data with the embedded model ----------------------------------------------------------

def _real_data_skip_reason() -> str | None:
    if not SIGHAN15_TEST.exists():
        return f"shared data not found at {SIGHAN15_TEST}"
    model = default_model_dir()  # data/electra_models/electra-mini-zh unless ELECTRA_LSP_DATA
    if not (model / "discriminator").is_dir():
        return f"embedded default model not found at {model}"
    return None


@pytest.mark.skipif(_real_data_skip_reason() is not None,
                    reason=_real_data_skip_reason() or "")
def test_eval_on_sighan15_test_with_the_default_model(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("ELECTRA_LSP_SCRIPTED_MODEL", "ELECTRA_LSP_DISCRIMINATOR",
                 "ELECTRA_LSP_GENERATOR", "ELECTRA_LSP_THRESHOLD", "ELECTRA_LSP_MIN_RATIO"):
        monkeypatch.delenv(name, raising=False)
    assert run_cli(["eval", str(SIGHAN15_TEST), "--json", "--limit", "200",
                    "--no-progress"]) == 0
    data = json.loads(capsys.readouterr().out)
    pairs = read_pairs(SIGHAN15_TEST)[:200]
    assert data["model"] == "electra-mini-zh"
    assert data["sentences"] + data["skipped"] == 200
    assert data["sentence_detection"]["gold"] == sum(s != t for s, t in pairs)
    assert data["clean_sentences"] == sum(s == t for s, t in pairs)
    toolkit = data["toolkit_sentence"]
    assert toolkit["tp"] + toolkit["fp"] + toolkit["fn"] + toolkit["tn"] == data["sentences"]
    for key in ("sentence_detection", "sentence_correction", "char_detection",
                "char_correction"):
        assert 0.0 <= data[key]["f1"] <= 1.0
    assert data["sentences_per_second"] > 0
