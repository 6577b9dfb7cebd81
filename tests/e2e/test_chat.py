"""`electra-lsp chat`: piped input, a real pseudo-terminal (pexpect), and the JSON line mode.
The scripted backend plants 有→友 and 在→再; one test uses the embedded model for the reasons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from electra_lsp.paths import default_model_dir

CHAT = [sys.executable, "-m", "electra_lsp", "chat"]


def run_chat(args: list[str], text: str, tmp_path, env: dict | None = None
             ) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    environment.pop("NO_COLOR", None)
    return subprocess.run([*CHAT, *args, "--dictionary-path", str(tmp_path / "dict.txt")],
                          input=text, capture_output=True, text=True, timeout=120,
                          env=environment)


def test_piped_messages_commands_and_plain_text(planted_script, tmp_path):
    session = "我的朋有在家。\n他们也在\n\n/fix\n/explain 1\n/explain 9\n/ignore 朋有\n" \
              "我的朋有。\n\n/add 朋有\n/settings\n/unknown\n/help\n/quit\n我的朋有。\n"
    result = run_chat([], session, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in out  # piped: no colours
    assert "我的朋【有→友】【在→再】家。\n他们也【在→再】" in out
    assert "改正 corrected:\n我的朋友再家。\n他们也再" in out
    assert "1. 有 → 友  0.97" in out
    # /fix prints only the corrected text of the last message
    assert "\n我的朋友再家。\n他们也再\n1. 「" in out
    assert "用法 usage: /explain N (N = 1..3)" in out
    assert "本次会话忽略「朋有」" in out and "未发现错别字" in out
    assert (tmp_path / "dict.txt").read_text(encoding="utf-8").splitlines()[-1] == "朋有"
    assert "threshold: 0.50" in out and "未知命令 unknown command /unknown" in out
    assert out.count("我的朋") == 4  # nothing after /quit was read


def test_end_of_input_ends_the_last_message(planted_script, tmp_path):
    result = run_chat([], "朋有", tmp_path)
    assert result.returncode == 0 and "朋【有→友】" in result.stdout


def test_a_piped_file_with_paragraphs_is_one_message(planted_script, tmp_path):
    # `chat < notes.md`: blank lines between paragraphs belong to the text; one answer for it
    # all (a terminal ends a message at a blank line instead).
    result = run_chat([], "# 标题\n\n我的朋有。\n\n\n他们也好。\n/fix\n", tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert out.count("标记 marked:") == 1 and "未发现错别字" not in out
    assert "改正 corrected:\n# 标题\n\n我的朋友。\n\n\n他们也好。\n" in out
    assert out.rstrip().endswith("# 标题\n\n我的朋友。\n\n\n他们也好。")  # the /fix answer


def test_json_lines_with_bad_input_in_between(planted_script, tmp_path):
    lines = ['{"text": "😀朋有"}', "not json", '{"txt": "朋有"}', "[1, 2]",
             json.dumps({"text": "长" * 300_000}), '{"text": "朋有", "kind": "html"}',
             '{"text": "在家", "kind": "markdown"}']
    result = run_chat(["--json"], "\n".join(lines) + "\n", tmp_path)
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0 and len(answers) == len(lines)
    first = answers[0]
    assert first["corrected"] == "😀朋友"
    assert first["findings"][0]["start"] == 2  # characters (code points)
    assert first["findings"][0]["suggestions"][0]["text"] == "友"
    assert "not JSON" in answers[1]["error"]
    assert '"text"' in answers[2]["error"] and '"text"' in answers[3]["error"]
    assert "too long" in answers[4]["error"] and "kind" in answers[5]["error"]
    assert answers[6]["corrected"] == "再家"


def test_terminal_session_prompts_at_once_with_colours(planted_script, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    began = time.monotonic()
    child = pexpect.spawn(CHAT[0], [*CHAT[1:], "--dictionary-path", str(tmp_path / "d.txt")],
                          env=env, encoding="utf-8", timeout=60)
    try:
        child.expect("› ")
        assert time.monotonic() - began < 30  # the prompt does not wait for the models
        child.sendline("我的朋有。")
        child.expect("… ")  # a continuation line until a blank line
        child.sendline("")
        child.expect("\x1b\\[1;31m【有→友】")  # marked in colour on a terminal
        child.expect("› ")
        child.sendline("/fix")
        child.expect("我的朋友。")
        child.expect("› ")
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_no_color_on_a_terminal(planted_script, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "NO_COLOR": "1"}
    child = pexpect.spawn(CHAT[0], [*CHAT[1:], "--dictionary-path", str(tmp_path / "d.txt")],
                          env=env, encoding="utf-8", timeout=60)
    try:
        child.expect("› ")
        child.sendline("朋有")
        child.sendline("")
        child.expect("改正 corrected:")
        child.expect("› ")
        assert "\x1b[" not in child.before
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()


def test_the_embedded_model_explains_its_findings(tmp_path, monkeypatch):
    if not (default_model_dir() / "discriminator" / "config.json").is_file():
        pytest.skip(f"the embedded model is not installed at {default_model_dir()}")
    monkeypatch.delenv("ELECTRA_LSP_SCRIPTED_MODEL", raising=False)
    result = run_chat([], "他以经把依赖安装好了。\n\n/explain 1\n", tmp_path)
    assert "他【以→已】经" in result.stdout
    assert "「以经」不是常用词；「已经」是" in result.stdout
    assert "依据 evidence:" in result.stdout and "lexicon +" in result.stdout
