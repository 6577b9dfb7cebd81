"""Chinese spelling check (CSC) metrics over (source, target, prediction) triples. Pure Python.

CSC data is same-length substitution: position i of the source, the gold target and the
system's prediction hold the same character slot. A triple whose three strings are not all the
same length cannot be aligned; it is left out of every figure and counted in `skipped`.

Notation for one aligned triple (s, t, p):
    G = {i : s[i] != t[i]}   gold error positions
    P = {i : s[i] != p[i]}   positions the system changed

Every ratio whose denominator is zero is 0.0, and F1 = 2PR / (P + R), or 0.0 when P + R = 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


@dataclass(frozen=True)
class Score:
    """Precision = correct / predicted, recall = correct / gold, F1 their harmonic mean."""

    correct: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        """correct / predicted (0.0 when nothing was predicted)."""
        return _ratio(self.correct, self.predicted)

    @property
    def recall(self) -> float:
        """correct / gold (0.0 when there is no gold)."""
        return _ratio(self.correct, self.gold)

    @property
    def f1(self) -> float:
        """2PR / (P + R), 0.0 when both are 0."""
        return _f1(self.precision, self.recall)

    def to_json(self) -> dict[str, float | int]:
        """The figures and their counts, as `eval --json` prints them."""
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "correct": self.correct,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass(frozen=True)
class ToolkitScore:
    """The sentence-level figure of the peer toolkit (pycorrector's `eval_sighan2015_by_model`).

    Error sentences (s != t) are positives, error-free ones (s == t) negatives:
        TP: s != t and p == t      FN: s != t and p != t
        FP: s == t and p != s      TN: s == t and p == s
    accuracy = (TP + TN) / N, precision = TP / (TP + FP), recall = TP / (TP + FN).
    An error sentence changed wrongly is a FN, not a FP, so precision ignores wrong fixes.
    """

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def accuracy(self) -> float:
        """(TP + TN) / N."""
        return _ratio(self.tp + self.tn, self.tp + self.fp + self.fn + self.tn)

    @property
    def precision(self) -> float:
        """TP / (TP + FP)."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        """TP / (TP + FN)."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        """2PR / (P + R), 0.0 when both are 0."""
        return _f1(self.precision, self.recall)

    def to_json(self) -> dict[str, float | int]:
        """The figures and their counts, as `eval --json` prints them."""
        return {
            "accuracy": self.accuracy,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
        }


@dataclass(frozen=True)
class Metrics:
    """All figures for one evaluation run; see `compute_metrics` for the definitions."""

    sentences: int  # aligned triples scored
    skipped: int  # triples left out because the lengths differ
    sentence_detection: Score
    sentence_correction: Score
    char_detection: Score
    char_correction: Score
    clean_sentences: int  # sentences with s == t
    clean_changed: int  # of those, how many the system changed
    toolkit_sentence: ToolkitScore

    @property
    def false_positive_rate(self) -> float:
        """Error-free sentences the system changed, over error-free sentences."""
        return _ratio(self.clean_changed, self.clean_sentences)

    def to_json(self) -> dict:
        """Every figure, as `eval --json` prints them."""
        return {
            "sentences": self.sentences,
            "skipped": self.skipped,
            "sentence_detection": self.sentence_detection.to_json(),
            "sentence_correction": self.sentence_correction.to_json(),
            "char_detection": self.char_detection.to_json(),
            "char_correction": self.char_correction.to_json(),
            "false_positive_rate": self.false_positive_rate,
            "clean_sentences": self.clean_sentences,
            "clean_changed": self.clean_changed,
            "toolkit_sentence": self.toolkit_sentence.to_json(),
        }


def compute_metrics(triples: Iterable[tuple[str, str, str]]) -> Metrics:
    """Score (source, target, prediction) triples.

    Sentence level (SIGHAN), over aligned triples:
        detection:  correct = #{P != {} and P == G}
        correction: correct = #{P != {} and P == G and p == t}
        predicted = #{P != {}}, gold = #{G != {}} for both.
    Character level, summed over positions of all aligned triples:
        detection:  correct = sum |P & G|
        correction: correct = sum #{i in P & G : p[i] == t[i]}
        predicted = sum |P|, gold = sum |G| for both.
    False-positive rate = #{G == {} and P != {}} / #{G == {}}.
    `toolkit_sentence`: see ToolkitScore.
    """
    sentences = skipped = 0
    sent_detected = sent_corrected = sent_predicted = sent_gold = 0
    char_detected = char_corrected = char_predicted = char_gold = 0
    clean = clean_changed = 0
    tp = fp = fn = tn = 0
    for source, target, prediction in triples:
        if not len(source) == len(target) == len(prediction):
            skipped += 1
            continue
        sentences += 1
        gold = {i for i, (s, t) in enumerate(zip(source, target, strict=True)) if s != t}
        changed = {i for i, (s, p) in enumerate(zip(source, prediction, strict=True)) if s != p}

        sent_gold += bool(gold)
        sent_predicted += bool(changed)
        if changed and changed == gold:
            sent_detected += 1
            sent_corrected += prediction == target

        both = changed & gold
        char_gold += len(gold)
        char_predicted += len(changed)
        char_detected += len(both)
        char_corrected += sum(prediction[i] == target[i] for i in both)

        if not gold:
            clean += 1
            clean_changed += bool(changed)
            fp += bool(changed)
            tn += not changed
        else:
            tp += prediction == target
            fn += prediction != target

    return Metrics(
        sentences=sentences,
        skipped=skipped,
        sentence_detection=Score(sent_detected, sent_predicted, sent_gold),
        sentence_correction=Score(sent_corrected, sent_predicted, sent_gold),
        char_detection=Score(char_detected, char_predicted, char_gold),
        char_correction=Score(char_corrected, char_predicted, char_gold),
        clean_sentences=clean,
        clean_changed=clean_changed,
        toolkit_sentence=ToolkitScore(tp=tp, fp=fp, fn=fn, tn=tn),
    )
