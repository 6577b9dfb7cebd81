"""The checking core with a scripted backend: planted errors, ranking, cache, dictionary."""

from __future__ import annotations

import pytest

from electra_lsp.checker import CheckCancelled, Checker
from electra_lsp.dictionary import DictionaryError, UserDictionary
from electra_lsp.engine.scripted import ScriptedBackend
from electra_lsp.settings import Settings


def planted(**errors: dict[str, float]) -> ScriptedBackend:
    return ScriptedBackend(errors or {"有": {"友": 0.9, "又": 0.05}, "在": {"再": 0.8}})


def test_planted_error_has_exact_offsets_after_emoji_and_extension_b():
    checker = Checker(planted(), Settings())
    text = "# 标题\n\n😀𠀀我跟我朋有打算去法国玩儿。\n"
    findings = checker.check(text)
    assert [(f.start, f.original) for f in findings] == [(text.index("朋有") + 1, "有")]
    assert [s.text for s in findings[0].suggestions] == ["友", "又"]
    assert findings[0].best.text == "友"


def test_code_is_not_checked():
    checker = Checker(planted(), Settings())
    text = "朋有\n\n```\n朋有\n```\n\n行内 `朋有` 代码\n"
    assert [f.start for f in checker.check(text)] == [1]


def test_suggestions_below_ratio_and_top_k_are_dropped():
    backend = ScriptedBackend({"有": {"友": 0.9, "又": 0.08, "右": 0.02}})
    checker = Checker(backend, Settings(topK=2, minRatio=3.0))
    # the scripted generator gives the written character p=0.01; weighed by the prior of
    # their kind, 友 (same tone, 90x) and 又 (yòu for yǒu, other tone: 8x · 0.46) pass
    suggestions = checker.check_sentences(["朋有"])[0][0].suggestions
    assert [s.text for s in suggestions] == ["友", "又"]
    checker.update_settings(Settings(minRatio=10.0))
    assert [s.text for s in checker.check_sentences(["朋有"])[0][0].suggestions] == ["友"]


def test_threshold_comes_from_settings_or_the_model():
    checker = Checker(planted(), Settings(threshold=0.99))
    assert checker.check("朋有") == []
    checker.update_settings(Settings())
    assert checker.threshold == 0.5 and len(checker.check("朋有")) == 1


def test_sentence_cache_only_rechecks_changed_sentences():
    backend = planted()
    checker = Checker(backend, Settings())
    checker.check("第一句有。第二句在。第三句。", "plaintext")
    assert backend.sentences_seen == 3
    checker.check("第一句有。第二句再。第三句。", "plaintext")
    assert backend.sentences_seen == 4
    assert checker.stats.cache_hits == 2 and checker.stats.cache_misses == 4



def test_a_document_memo_outlives_the_shared_cache(monkeypatch):
    """The server's memory bound: the shared cache may forget (here: it keeps nothing), but a
    document's memo keeps the sentences of its last check, and only those."""
    import electra_lsp.checker as core

    monkeypatch.setattr(core, "CACHE_SIZE", 0)
    checker = Checker(planted(), Settings())
    memo = core.SentenceMemo()
    first = checker.check_sentences(["朋有来了。", "一切都好。"], memo)
    memo.finish()
    assert checker.stats.sentences_checked == 2
    # The next version: one sentence changed; the unchanged one comes from the memo.
    memo.restart()
    assert checker.check_sentences(["朋有来了。", "一切都很好。"], memo)[0] == first[0]
    memo.finish()
    assert checker.stats.sentences_checked == 3
    assert set(memo.previous) == {"朋有来了。", "一切都很好。"}  # the old version's is gone
    checker.check_sentences(["朋有来了。"])  # no memo, nothing cached: checked again
    assert checker.stats.sentences_checked == 4
    checker.update_settings(Settings(threshold=0.3))  # other settings: the memo is void
    checker.check_sentences(["朋有来了。"], memo)
    assert checker.stats.sentences_checked == 5

def test_dictionary_suppresses_at_once_and_persists(tmp_path):
    path = tmp_path / "dict.txt"
    dictionary = UserDictionary(path)
    checker = Checker(planted(), Settings(), dictionary)
    assert len(checker.check("他叫张有才。", "plaintext")) == 1
    assert dictionary.add("张有才")
    assert checker.check("他叫张有才。", "plaintext") == []
    assert UserDictionary(path).words == {"张有才"}
    assert not dictionary.add("张有才")


def test_dictionary_refuses_symlinks(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("词\n", encoding="utf-8")
    link = tmp_path / "dict.txt"
    link.symlink_to(target)
    with pytest.raises(DictionaryError, match="symbolic link"):
        UserDictionary(link)


def test_cancellation_between_batches():
    checker = Checker(planted(), Settings(batchSize=1))
    text = "。".join(["有"] * 50)
    with pytest.raises(CheckCancelled):
        checker.check(text, "plaintext", cancelled=lambda: True)


def test_punctuation_and_ascii_only_text_yields_nothing():
    backend = planted()
    checker = Checker(backend, Settings())
    assert checker.check("……！！！ hello, world 123", "plaintext") == []
    assert checker.check("", "markdown") == []
    assert backend.sentences_seen == 0


def test_dictionary_with_odd_lines_is_read_as_far_as_it_is_valid(tmp_path):
    path = tmp_path / "dictionary.txt"
    path.write_text("# comment\n朋有\n两个 词\n" + "长" * 100 + "\n萧华\n", encoding="utf-8")
    dictionary = UserDictionary(path)
    assert dictionary.words == {"朋有", "萧华"}
    assert len(dictionary.warnings) == 1
    assert str(path) in dictionary.warnings[0] and "line 3, 4" in dictionary.warnings[0]


def test_reference_labels_are_reported_without_a_fix():
    from electra_lsp.findings import apply_findings

    checker = Checker(planted(), Settings())
    definition = "\n\n[朋有]: https://e.com\n"
    for text in ("见[朋有][]。" + definition, "见[朋有]。" + definition):
        (finding,) = checker.check(text)
        assert (finding.start, finding.fixable) == (text.index("有"), False)
        assert finding.to_json()["fixable"] is False
        assert apply_findings(text, [finding], automatic=True) == text
    for text in ("见[朋有](https://e.com)。" + definition,
                 "见[朋有][ref]。\n\n[ref]: https://e.com\n", "见朋有。" + definition):
        (finding,) = checker.check(text)
        assert finding.fixable and "fixable" not in finding.to_json()
        assert apply_findings(text, [finding], automatic=True) == text.replace("朋有", "朋友", 1)
    plain = checker.check("见[朋有]。" + definition, "plaintext")  # no links in plain text
    assert len(plain) == 2 and all(f.fixable for f in plain)


def test_wiki_link_target_is_not_checked_but_its_label_is():
    checker = Checker(planted(), Settings())
    assert checker.check("参见[[朋有]]。") == []
    text = "参见[[朋有|朋有]]。"
    assert [(f.start, f.fixable) for f in checker.check(text)] == [(text.rindex("有"), True)]
