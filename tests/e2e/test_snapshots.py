"""Snapshot tests (as harper does): `check --format json` on examples/ with the scripted backend
(which flags every 有 and 在) is pinned in snapshots/, so a change in what the text layer
extracts from Markdown, or in its offsets, lines or columns, shows as a diff.

After a deliberate change, regenerate with ELECTRA_LSP_UPDATE_SNAPSHOTS=1 and review the diff.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys

import pytest
from support import REPO

SNAPSHOTS = REPO / "tests" / "e2e" / "snapshots"
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.suffix in (".md", ".txt"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_check_json_on_examples_matches_the_snapshot(example, planted_script, tmp_path):
    relative = example.relative_to(REPO).as_posix()
    result = subprocess.run(
        [sys.executable, "-m", "electra_lsp", "check", "--format", "json",
         "--dictionary-path", str(tmp_path / "dictionary.txt"), relative],
        cwd=REPO, capture_output=True, text=True, encoding="utf-8", check=False)
    assert result.returncode in (0, 1), result.stderr
    findings = json.loads(result.stdout)
    text = example.read_bytes().decode("utf-8")
    for finding in findings:  # the offsets hold the flagged character
        assert text[finding["start"]:finding["end"]] == finding["original"], finding
    actual = json.dumps(findings, ensure_ascii=False, indent=1) + "\n"
    snapshot = SNAPSHOTS / f"{example.name}.json"
    if os.environ.get("ELECTRA_LSP_UPDATE_SNAPSHOTS"):
        snapshot.write_text(actual, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot}: run with ELECTRA_LSP_UPDATE_SNAPSHOTS=1"
    expected = snapshot.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True),
                                        actual.splitlines(keepends=True),
                                        str(snapshot.relative_to(REPO)), "check --format json"))
    assert actual == expected, f"the findings on {relative} changed:\n{diff}"
