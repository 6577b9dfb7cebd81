"""`fix`'s unified diff headers: git's a/ b/ prefixes, also for absolute paths."""

from __future__ import annotations

from electra_lsp.commands.fix import unified_diff


def test_absolute_paths_get_single_slash_headers():
    lines = list(unified_diff("/tmp/trial/copy.md", "以经\n", "已经\n"))
    assert lines[:2] == ["--- a/tmp/trial/copy.md\n", "+++ b/tmp/trial/copy.md\n"]


def test_relative_paths_are_kept():
    lines = list(unified_diff("docs/a.md", "以经\n", "已经\n"))
    assert lines[:2] == ["--- a/docs/a.md\n", "+++ b/docs/a.md\n"]
