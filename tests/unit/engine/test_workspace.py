"""The workspace's vocabulary: which files are read, how open documents override them, and
which findings a word the workspace uses often explains."""

from __future__ import annotations

import os

import pytest

from electra_lsp.checker import document_prose
from electra_lsp.findings import Evidence, Finding, Suggestion
from electra_lsp.workspace import (
    WORKSPACE_REPEATS,
    WorkspaceVocabulary,
    scan_workspace,
    without_workspace_words,
)


def write(path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def test_the_scan_reads_prose_of_markdown_and_text_files_only(tmp_path):
    write(tmp_path / "a.md", "# 变基\n\n变基之后再推送。\n\n```\n代码里的变基\n```\n")
    write(tmp_path / "sub" / "b.txt", "交互式变基。\n")
    write(tmp_path / "c.py", "# 变基\n")
    write(tmp_path / ".git" / "d.md", "变基\n")
    write(tmp_path / "node_modules" / "e.md", "变基\n")
    write(tmp_path / "gbk.md", "变基".encode("gbk"))
    os.symlink(tmp_path / "a.md", tmp_path / "link.md")
    vocabulary = scan_workspace([tmp_path], document_prose)
    assert sorted(os.path.relpath(p, tmp_path) for p in vocabulary.files) == \
        ["a.md", os.path.join("sub", "b.txt")]
    assert vocabulary.uses("变基") == 3  # heading, sentence, text file; not the code block
    assert not vocabulary.truncated
    assert vocabulary.characters == sum(len(t) for t in vocabulary.files.values())


def test_the_scan_stops_at_its_limits(tmp_path):
    for number in range(5):
        write(tmp_path / f"{number}.md", "变基之后再推送。\n")
    few = scan_workspace([tmp_path], document_prose, max_files=3)
    assert len(few.files) == 3 and few.truncated
    short = scan_workspace([tmp_path], document_prose, max_characters=12)
    assert short.characters == 12 and short.truncated
    for number in range(20):
        write(tmp_path / "many" / f"{number}.py", "")
    walked = scan_workspace([tmp_path], document_prose, max_entries=10)
    assert walked.truncated and len(walked.files) <= 5


def test_an_open_document_counts_with_its_current_text():
    vocabulary = WorkspaceVocabulary({"/w/a.md": "变基变基", "/w/b.md": "变基"})
    assert vocabulary.uses("变基") == 3
    vocabulary.open("/w/a.md", "没有了")
    vocabulary.open("/w/new.md", "变基")
    assert vocabulary.uses("变基") == 2
    vocabulary.close("/w/a.md")
    assert vocabulary.uses("变基") == 4


def finding(written: str, candidate: str, candidate_logp: float = -10.1) -> Finding:
    evidence = Evidence(0.1, None, 6.0, written, candidate, False, "same_tone", candidate_logp)
    return Finding(0, 1, written[0], 0.95, (Suggestion(candidate[0], 0.5, 0.95),), written,
                   evidence)


@pytest.mark.parametrize("uses, kept", [(WORKSPACE_REPEATS - 1, True),
                                        (WORKSPACE_REPEATS, False)])
def test_a_word_the_workspace_writes_often_is_meant(uses, kept):
    vocabulary = WorkspaceVocabulary({"/w/a.md": "变基。" * uses + "他已经走了。"})
    findings = [finding("变基", "变革"), finding("以经", "已经")]
    assert without_workspace_words(findings, vocabulary) == \
        (findings if kept else findings[1:])


def test_a_typo_of_one_of_the_commonest_words_is_never_taken_as_meant():
    vocabulary = WorkspaceVocabulary({"/w/a.md": "他以经走了。" * (WORKSPACE_REPEATS + 5)})
    learnt = finding("以经", "已经", candidate_logp=-7.1)  # 已经: among the commonest words
    assert learnt.evidence.fixes_a_common_word
    assert without_workspace_words([learnt], vocabulary) == [learnt]


def test_changes_on_disk_update_the_vocabulary(tmp_path):
    from electra_lsp.workspace import update_files

    root = tmp_path / "docs"
    write(root / "a.md", "变基之后再推送。\n")
    vocabulary = scan_workspace([root], document_prose)
    assert vocabulary.uses("变基") == 1
    write(root / "b.md", "交互式变基。\n")
    write(root / "a.md", "推送。\n")
    write(root / ".hidden" / "c.md", "变基\n")
    write(tmp_path / "outside.md", "变基\n")
    write(root / "d.py", "变基\n")
    changed = [(root / "b.md", False), (root / "a.md", False), (root / ".hidden" / "c.md", False),
               (tmp_path / "outside.md", False), (root / "d.py", False)]
    assert update_files(vocabulary, [root], changed, document_prose)
    assert vocabulary.uses("变基") == 1 and sorted(vocabulary.files) == \
        [str(root / "a.md"), str(root / "b.md")]
    (root / "b.md").unlink()
    assert update_files(vocabulary, [root], [(root / "b.md", True)], document_prose)
    assert vocabulary.uses("变基") == 0 and list(vocabulary.files) == [str(root / "a.md")]
    assert not update_files(vocabulary, [root], [(root / "gone.md", True)], document_prose)
    # the limits hold: no new file beyond max_files
    write(root / "e.md", "变基。\n")
    assert not update_files(vocabulary, [root], [(root / "e.md", False)], document_prose,
                            max_files=1)
    assert vocabulary.truncated and str(root / "e.md") not in vocabulary.files


def test_a_rare_written_word_is_called_rare_not_a_word_like_the_fix():
    """jieba lists 目地 (ln P −15.5) beside 目的 (−8.8): the reason must not tell the writer that
    both are words; two common words still read as both words."""
    rare = Evidence(0.5, 3.0, 4.0, "目地", "目的", True, "same_tone", -8.78, -15.54)
    assert rare.reason().startswith("「目地」少见，「目的」常用得多，此处「目的」更通顺")
    common = Evidence(0.5, 3.0, 4.0, "引用", "应用", True, "same_tone", -8.85, -9.84)
    assert common.reason().startswith("「引用」和「应用」都是词")
    unknown = Evidence(0.5, 3.0, 4.0, "以经", "已经", False, "same_tone", -7.1)
    assert unknown.reason().startswith("「以经」不是常用词；「已经」是")
