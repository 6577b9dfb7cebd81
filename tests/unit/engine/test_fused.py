"""The fused decision in the checker, with the shipped lexicon, a stand-in backend (every
character known, the generator indifferent) and hand-made combiners: lexical evidence finds
以经 → 已经, the document's own vocabulary and names are left alone, automatic fixes need the
stricter threshold, and the pre-filter changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from electra_lsp.checker import DOCUMENT_REPEATS_SURE, Checker
from electra_lsp.engine.backend import MaskAnswer, MaskQuery
from electra_lsp.engine.decide import Combiner, LinearModel
from electra_lsp.engine.evidence import FEATURES, INDEX
from electra_lsp.engine.lexicon import shared_lexicon
from electra_lsp.findings import apply_findings
from electra_lsp.settings import Settings

VOCABULARY = frozenset(chr(code) for code in range(0x4E00, 0x9FA6))


class Indifferent:
    """Detector 0.1 everywhere; the generator gives every candidate the written one's p."""

    name = "indifferent"
    recommended: dict = {}
    vocabulary = VOCABULARY

    def __init__(self, detector: dict[str, float] | None = None) -> None:
        self.detector = detector or {}
        self.asked = 0

    def replaced_probabilities(self, sentences: Sequence[str]) -> list[list[float]]:
        return [[self.detector.get(c, 0.1) for c in s] for s in sentences]

    def masked_probabilities(self, queries: Sequence[MaskQuery]) -> list[MaskAnswer]:
        self.asked += len(queries)
        return [MaskAnswer(0.01, dict.fromkeys(q.candidates, 0.01)) for q in queries]


def combiner(threshold: float = 0.5, auto_fix: float = 0.9, **weights: float) -> Combiner:
    coefficients = np.zeros(len(FEATURES))
    for name, value in {"lexical_gain": 1.0, "name": -20.0, **weights}.items():
        coefficients[INDEX[name]] = value
    return Combiner(LinearModel(coefficients, -4.0), threshold, auto_fix)


@pytest.fixture(scope="module")
def lexicon():
    return shared_lexicon()


def test_non_words_are_found_and_fixed_by_word_knowledge(lexicon):
    checker = Checker(Indifferent(), Settings(), lexicon=lexicon, combiner=combiner())
    text = "他以经把依赖按装好了。"
    findings = checker.check(text, "plaintext")
    assert {(f.original, f.best.text) for f in findings} >= {("以", "已"), ("按", "安")}
    assert apply_findings(text, findings).startswith("他已经把依赖安装")
    first = next(f for f in findings if f.original == "以")
    assert first.evidence is not None and first.evidence.candidate_word == "已经"
    assert "「以经」不是常用词；「已经」是" in first.evidence.explanation()
    assert first.to_json()["evidence"]["candidateWord"] == "已经"


def test_domain_terms_and_names_are_left_alone(lexicon):
    checker = Checker(Indifferent(), Settings(), lexicon=lexicon, combiner=combiner())
    assert checker.check("我们可以用泛型来减少重复代码。", "plaintext") == []
    assert checker.check("张林和萧华都来了。", "plaintext") == []


def test_the_documents_own_vocabulary_is_not_flagged(lexicon):
    checker = Checker(Indifferent(), Settings(), lexicon=lexicon, combiner=combiner())
    once = "我们用透专来处理。"
    assert [f.original for f in checker.check(once, "plaintext")] == ["专"]  # alone: flagged
    document = "\n\n".join([once, "透专来自上游。", "这里也用透专来做。"])
    assert checker.check(document, "markdown") == []  # the document writes 透专 three times
    # a typo the input method learnt is still reported when the evidence is sure ...
    sure = Checker(Indifferent(), Settings(), lexicon=lexicon,
                   combiner=combiner(auto_fix=0.9))
    repeated = "\n\n".join(["我们以经完成了。", "他们以经准备好了。", "项目以经上线了。"])
    assert [f.original for f in sure.check(repeated, "markdown")] == ["以", "以", "以"]
    # ... or when the document also writes the word the fix makes
    unsure = Checker(Indifferent(), Settings(), lexicon=lexicon,
                     combiner=combiner(auto_fix=0.999999))
    names = "\n\n".join(["这是侯选名单。", "侯选名单在此。", "请看侯选名单。"])
    assert unsure.check(names, "markdown") == []
    assert len(unsure.check(names + "\n\n候选人都来了。", "markdown")) == 3
    # ... and always when its fix is one of the commonest words (以经 → 已经)
    assert [f.original for f in unsure.check(repeated, "markdown")] == ["以", "以", "以"]
    # a typo beside a pair the document uses often is still found
    typo = "\n\n".join(["我们在这里。", "我们在那里。", "我们在家。", "他以经走了。"])
    assert [f.original for f in checker.check(typo, "markdown")] == ["以"]


def test_a_known_word_the_document_uses_stays_its_authors_choice(lexicon):
    checker = Checker(Indifferent(), Settings(), lexicon=lexicon,
                      combiner=combiner(auto_fix=0.99))
    once = "这里显示行数。"
    assert [(f.original, f.best.text) for f in checker.check(once, "plaintext")] == [("行", "函")]
    # 行数 is a (rare) word: written three times it is meant, though 函数 appears too
    document = "\n\n".join([once, "统计行数。", "限制行数。", "调用函数。"])
    assert checker.check(document, "markdown") == []
    # ... also where only one of them is flagged (the others read differently)
    assert checker.check("\n\n".join([once, "行数很多。", "行数太少。"]), "markdown") == []
    # ... even against evidence sure enough for automatic fixes
    sure = Checker(Indifferent(), Settings(), lexicon=lexicon,
                   combiner=combiner(auto_fix=0.5))
    assert sure.check(document, "markdown") == []
    # a term that is no word is meant against sure evidence only when written
    # DOCUMENT_REPEATS_SURE times (变基, git's "rebase"); a typo of one of the commonest
    # words (以经) never is
    few = "\n\n".join(["开始变基。"] * 3)
    found = sure.check(few, "markdown")
    assert [f.original for f in found] == ["基"] * 3
    assert not any(f.auto_fix for f in found)  # reported, but never changed unasked
    assert all(f.auto_fix for f in sure.check("开始变基。", "markdown"))
    many = "\n\n".join(["开始变基。"] * DOCUMENT_REPEATS_SURE)
    assert sure.check(many, "markdown") == []
    learnt = "\n\n".join(["他们以经走了。"] * DOCUMENT_REPEATS_SURE)
    assert [f.original for f in sure.check(learnt, "markdown")] == ["以"] * DOCUMENT_REPEATS_SURE


def test_files_checked_together_are_each_others_workspace(lexicon, tmp_path):
    from electra_lsp.commands.common import check_files
    from electra_lsp.workspace import WORKSPACE_REPEATS

    checker = Checker(Indifferent(), Settings(), lexicon=lexicon,
                      combiner=combiner(auto_fix=0.99))
    texts = ["这里显示行数。\n"] + ["统计行数。\n"] * (WORKSPACE_REPEATS - 1)
    paths = []
    for number, text in enumerate(texts):
        paths.append(tmp_path / f"{number}.md")
        paths[-1].write_text(text, encoding="utf-8")
    assert [f.original for f in checker.check(texts[0], "markdown")] == ["行"]
    problems = []
    together = check_files(checker, [*paths, tmp_path / "missing.md"], problems.append)
    assert [(source.path, found) for source, found in together] == [(p, []) for p in paths]
    assert len(problems) == 1 and "missing.md" in str(problems[0])
    # fewer files: the word is not the workspace's (a typo in each of three files is one)
    few = check_files(checker, paths[:3], problems.append)
    assert [[f.original for f in findings] for _, findings in few] == [["行"]] * 3
    # a typo beside them is still reported
    (tmp_path / "typo.md").write_text("他以经走了。\n", encoding="utf-8")
    found = check_files(checker, [*paths, tmp_path / "typo.md"], problems.append)
    assert [[f.original for f in findings] for _, findings in found][-1] == ["以"]
    # a repeated non-word the evidence is sure of is reported once filtered, not auto-fixed,
    # and stays so in check_files (the document's rule runs once)
    sure = Checker(Indifferent(), Settings(), lexicon=lexicon, combiner=combiner(auto_fix=0.5))
    (tmp_path / "term.md").write_text("\n\n".join(["开始变基。"] * 3) + "\n", encoding="utf-8")
    ((_, kept),) = check_files(sure, [tmp_path / "term.md"], problems.append)
    assert [f.original for f in kept] == ["基"] * 3 and not any(f.auto_fix for f in kept)


def test_automatic_fixes_need_the_stricter_threshold(lexicon):
    strict = Checker(Indifferent(), Settings(), lexicon=lexicon,
                     combiner=combiner(threshold=0.5, auto_fix=0.999999))
    findings = strict.check("他以经走了。", "plaintext")
    assert findings and not any(f.auto_fix for f in findings)
    assert apply_findings("他以经走了。", findings, automatic=True) == "他以经走了。"
    lenient = Checker(Indifferent(), Settings(autoFixThreshold=0.5), lexicon=lexicon,
                      combiner=combiner(threshold=0.5, auto_fix=0.999999))
    assert all(f.auto_fix for f in lenient.check("他以经走了。", "plaintext"))


def test_the_prefilter_drops_nothing_the_full_computation_would_flag(lexicon):
    from support import shared_file

    from electra_lsp.evaluate.runner import read_pairs

    sentences = [source for source, _ in read_pairs(shared_file("csc", "sighan15_train.tsv"))]
    sentences = sentences[:150] + ["他以经把依赖按装好了。", "请检察一下配制文件。"]
    backend = Indifferent({"以": 0.9, "察": 0.7})
    for weights in ({}, {"generator": 0.5, "detector": 0.3}):
        checker = Checker(backend, Settings(), lexicon=lexicon, combiner=combiner(**weights))
        scores = backend.replaced_probabilities(sentences)
        asked = backend.asked
        filtered = checker._decide(sentences, scores, prefilter=True)
        fewer = backend.asked - asked
        full = checker._decide(sentences, scores, prefilter=False)
        assert filtered == full
        assert fewer < backend.asked - asked - fewer  # it did skip work


def test_a_missing_lexicon_leaves_the_server_with_the_models_alone(monkeypatch):
    from electra_lsp import checker as checker_module
    from electra_lsp.engine.lexicon import LexiconError
    from electra_lsp.lsp.model_host import build_checker

    class WithCombiner(Indifferent):
        recommended = {"combiner": combiner().to_json()}

    def missing():
        raise LexiconError("lexicon file missing: /nowhere/thuocl_it.tsv")

    monkeypatch.setattr(checker_module, "shared_lexicon", missing)
    loaded = build_checker(WithCombiner(), Settings(dictionaryPath="/nonexistent/dict.txt"))
    assert loaded.checker.combiner is None and loaded.lexicon is None
    assert any("thuocl_it.tsv" in w and "models alone" in w for w in loaded.warnings)


def test_many_sentences_in_chunks_find_what_one_pass_finds(lexicon, monkeypatch):
    # Past PIPELINE_CHUNK sentences the discriminator runs ahead in a worker thread, chunk by
    # chunk; the findings (and their order) must be those of one pass over all of them.
    from electra_lsp import checker as checker_module

    sentences = [f"第{i}次：他以经把依赖按装好了。" if i % 3 else f"第{i}次：一切正常。"
                 for i in range(23)]
    calls: list[int] = []

    class Counting(Indifferent):
        def replaced_probabilities(self, batch: Sequence[str]) -> list[list[float]]:
            calls.append(len(batch))
            return super().replaced_probabilities(batch)

    def run(chunk: int) -> list[list]:
        monkeypatch.setattr(checker_module, "PIPELINE_CHUNK", chunk)
        checker = Checker(Counting(), Settings(), lexicon=lexicon, combiner=combiner())
        return checker.check_sentences(sentences)

    whole = run(1000)
    assert calls == [23]
    calls.clear()
    chunked = run(5)
    assert calls == [5, 5, 5, 5, 3]
    assert chunked == whole
    assert sum(len(found) for found in whole) >= 2 * 15  # 以经 and 按装 in 15 sentences


def test_the_shipped_combiner_is_parsed_once_and_its_json_let_go(lexicon):
    # The JSON of a real combiner is megabytes of lists (~40 MB as Python objects): the first
    # checker parses it and keeps the parsed one in its place; later checkers reuse it.
    from electra_lsp.commands.models import recommended_summary

    class Shipped(Indifferent):
        def __init__(self) -> None:
            super().__init__()
            self.recommended = {"threshold": 0.9, "combiner": combiner(0.6, 0.8).to_json()}

    backend = Shipped()
    assert recommended_summary(backend.recommended)["combiner"] == {
        "kind": "logistic", "stages": 1, "features": len(FEATURES), "threshold": 0.6,
        "autoFixThreshold": 0.8}
    first = Checker(backend, Settings(), lexicon=lexicon)
    assert isinstance(backend.recommended["combiner"], Combiner)
    second = Checker(backend, Settings(), lexicon=lexicon)
    assert second.combiner is first.combiner and first.threshold == 0.6
    assert recommended_summary(backend.recommended)["combiner"]["threshold"] == 0.6
    assert Checker(backend, Settings(), lexicon=lexicon, use_combiner=False).combiner is None
