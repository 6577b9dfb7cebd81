"""CSC metrics against numbers worked out by hand."""

from __future__ import annotations

import pytest

from electra_lsp.evaluate.metrics import Score, ToolkitScore, compute_metrics

# (source, target, prediction); G = gold error positions, P = positions the system changed.
TRIPLES = [
    ("我跟我朋唷去", "我跟我朋友去", "我跟我朋友去"),  # 1: G={4} P={4}, fixed exactly
    ("他门在家", "他们在家", "他闷在家"),  # 2: G={1} P={1}, right place, wrong character
    ("今天天汽很好", "今天天气很好", "今天天汽很好"),  # 3: G={3} P={}, missed
    ("我很高兴", "我很高兴", "我很高星"),  # 4: G={} P={3}, false alarm
    ("你好", "你好", "你好"),  # 5: G={} P={}, left alone
    ("因该去做", "应该去作", "应该去做"),  # 6: G={0,3} P={0}, half fixed
    ("abc", "abcd", "abc"),  # 7: lengths differ -> skipped
]


def approx(value: float) -> pytest.approx:
    return pytest.approx(value, abs=1e-12)


def test_sentence_level_by_hand() -> None:
    m = compute_metrics(TRIPLES)
    assert (m.sentences, m.skipped) == (6, 1)
    # Sentences with gold errors: 1, 2, 3, 6 -> 4. Sentences the system changed: 1, 2, 4, 6 -> 4.
    # Detected (P == G, non-empty): 1, 2 -> 2.  P = 2/4, R = 2/4, F1 = 0.5.
    det = m.sentence_detection
    assert (det.correct, det.predicted, det.gold) == (2, 4, 4)
    assert (det.precision, det.recall, det.f1) == (approx(0.5), approx(0.5), approx(0.5))
    # Corrected (P == G and prediction == target): only 1.  P = R = 1/4, F1 = 0.25.
    cor = m.sentence_correction
    assert (cor.correct, cor.predicted, cor.gold) == (1, 4, 4)
    assert (cor.precision, cor.recall, cor.f1) == (approx(0.25), approx(0.25), approx(0.25))


def test_character_level_by_hand() -> None:
    m = compute_metrics(TRIPLES)
    # Gold positions: 1 + 1 + 1 + 0 + 0 + 2 = 5. Changed positions: 1 + 1 + 0 + 1 + 0 + 1 = 4.
    # Changed and gold: s1{4} + s2{1} + s6{0} = 3.  P = 3/4, R = 3/5, F1 = 0.9/1.35 = 2/3.
    det = m.char_detection
    assert (det.correct, det.predicted, det.gold) == (3, 4, 5)
    assert (det.precision, det.recall, det.f1) == (approx(0.75), approx(0.6), approx(2 / 3))
    # Of those, the predicted char equals the target in s1 (友) and s6 (应), not s2 (闷 != 们).
    # P = 2/4, R = 2/5, F1 = 0.4/0.9 = 4/9.
    cor = m.char_correction
    assert (cor.correct, cor.predicted, cor.gold) == (2, 4, 5)
    assert (cor.precision, cor.recall, cor.f1) == (approx(0.5), approx(0.4), approx(4 / 9))


def test_false_positive_rate_by_hand() -> None:
    m = compute_metrics(TRIPLES)
    # Error-free sentences: 4 and 5; the system changed 4 -> 1/2.
    assert (m.clean_sentences, m.clean_changed) == (2, 1)
    assert m.false_positive_rate == approx(0.5)


def test_toolkit_sentence_figure_by_hand() -> None:
    t = compute_metrics(TRIPLES).toolkit_sentence
    # TP: s1 (prediction == target). FN: s2, s3, s6 (error sentences not fixed exactly).
    # FP: s4 (error-free, changed). TN: s5.  N = 6.
    assert (t.tp, t.fp, t.fn, t.tn) == (1, 1, 3, 1)
    # accuracy = (1 + 1)/6 = 1/3; precision = 1/(1+1) = 1/2; recall = 1/(1+3) = 1/4;
    # F1 = 2 * 1/2 * 1/4 / (3/4) = 1/3.
    assert t.accuracy == approx(1 / 3)
    assert t.precision == approx(0.5)
    assert t.recall == approx(0.25)
    assert t.f1 == approx(1 / 3)
    # It is more lenient than SIGHAN sentence correction (precision 1/4 above): the wrong fix in
    # s2 and the partial fix in s6 count as FN, not as FP.


def test_empty_input_gives_zeros_not_errors() -> None:
    m = compute_metrics([])
    assert (m.sentences, m.skipped) == (0, 0)
    for score in (m.sentence_detection, m.sentence_correction, m.char_detection,
                  m.char_correction):
        assert (score.precision, score.recall, score.f1) == (0.0, 0.0, 0.0)
    assert m.false_positive_rate == 0.0
    t = m.toolkit_sentence
    assert (t.accuracy, t.precision, t.recall, t.f1) == (0.0, 0.0, 0.0, 0.0)


def test_system_that_changes_nothing() -> None:
    m = compute_metrics([("他门", "他们", "他门"), ("你好", "你好", "你好")])
    # Nothing predicted: precision denominators are 0 -> 0.0; recall 0/1 -> 0.0; F1 0.0.
    assert m.sentence_detection.to_json()["precision"] == 0.0
    assert (m.sentence_detection.recall, m.sentence_detection.f1) == (0.0, 0.0)
    assert (m.char_detection.predicted, m.char_detection.gold) == (0, 1)
    assert m.char_correction.f1 == 0.0
    assert m.false_positive_rate == 0.0
    # Toolkit: TP 0, FP 0, FN 1, TN 1 -> accuracy 1/2, precision 0/0 -> 0.0, recall 0/1 -> 0.0.
    t = m.toolkit_sentence
    assert (t.tp, t.fp, t.fn, t.tn) == (0, 0, 1, 1)
    assert (t.accuracy, t.precision, t.recall, t.f1) == (0.5, 0.0, 0.0, 0.0)


def test_only_clean_sentences_all_changed() -> None:
    m = compute_metrics([("你好", "你好", "你号"), ("我们", "我们", "我门")])
    # 2 predicted, 0 gold: precision 0/2 = 0, recall 0/0 -> 0.0; FPR 2/2 = 1.
    assert (m.sentence_detection.predicted, m.sentence_detection.gold) == (2, 0)
    assert (m.sentence_detection.precision, m.sentence_detection.recall) == (0.0, 0.0)
    assert m.false_positive_rate == 1.0
    t = m.toolkit_sentence
    assert (t.tp, t.fp, t.fn, t.tn) == (0, 2, 0, 0)
    assert (t.accuracy, t.precision, t.recall) == (0.0, 0.0, 0.0)


def test_perfect_system_scores_one() -> None:
    triples = [("他门", "他们", "他们"), ("你好", "你好", "你好"), ("因该做", "应该作", "应该作")]
    m = compute_metrics(triples)
    for score in (m.sentence_detection, m.sentence_correction, m.char_detection,
                  m.char_correction):
        assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    assert m.false_positive_rate == 0.0
    t = m.toolkit_sentence
    assert (t.accuracy, t.precision, t.recall, t.f1) == (1.0, 1.0, 1.0, 1.0)


def test_positions_are_code_points_with_astral_characters() -> None:
    # 😀 and 𠀀 (U+20000) are one position each; the error is at index 3.
    m = compute_metrics([("😀𠀀他门", "😀𠀀他们", "😀𠀀他们")])
    assert (m.char_detection.correct, m.char_detection.gold) == (1, 1)
    assert m.sentence_correction.f1 == 1.0


def test_prediction_of_other_length_is_skipped() -> None:
    m = compute_metrics([("他门", "他们", "他们了"), ("他门", "他们", "他们")])
    assert (m.sentences, m.skipped) == (1, 1)
    assert m.toolkit_sentence.tp == 1


def test_to_json_is_complete() -> None:
    data = compute_metrics(TRIPLES).to_json()
    assert data["toolkit_sentence"] == {
        "accuracy": approx(1 / 3), "precision": 0.5, "recall": 0.25, "f1": approx(1 / 3),
        "tp": 1, "fp": 1, "fn": 3, "tn": 1,
    }
    assert data["false_positive_rate"] == 0.5
    assert data["char_correction"]["gold"] == 5
    assert Score(1, 2, 4).to_json()["f1"] == approx(2 * 0.5 * 0.25 / 0.75)
    assert ToolkitScore(0, 0, 0, 0).to_json()["accuracy"] == 0.0
