"""The command line: exit codes, output formats, bad input, fix --write safety."""

from __future__ import annotations

import json
import os

import pytest

from electra_lsp.cli import main
from electra_lsp.commands import fix as fix_command

DOC = "# 标题\n\n我跟我朋有打算去法国玩儿。\n\n```\n朋有\n```\n"


@pytest.fixture
def doc(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text(DOC, encoding="utf-8")
    return path


def test_check_reports_findings_and_exits_1(planted_script, doc, capsys):
    assert main(["check", str(doc)]) == 1
    out = capsys.readouterr().out
    assert out.strip() == f"{doc}:3:5: 有 → 友 (0.97)"


def test_check_json_and_clean_exit(planted_script, tmp_path, capsys):
    clean = tmp_path / "clean.txt"
    clean.write_text("今天天气很好。\n", encoding="utf-8")
    assert main(["check", "--format", "json", str(clean)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_check_recurses_directories(planted_script, doc, tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("在见。", encoding="utf-8")
    (tmp_path / "sub" / "ignored.py").write_text("有", encoding="utf-8")
    assert main(["check", "--format", "json", str(tmp_path)]) == 1
    paths = {item["path"] for item in json.loads(capsys.readouterr().out)}
    assert paths == {str(doc), str(tmp_path / "sub" / "b.txt")}


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x00\x00binary", "binary file"),
    ("朋有".encode("gbk"), "not valid UTF-8"),
])
def test_bad_files_are_named_and_exit_2(planted_script, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and message in err


def test_empty_and_missing_files(planted_script, tmp_path, capsys):
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    assert main(["check", str(empty)]) == 0
    assert main(["check", str(tmp_path / "missing.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_missing_model_says_how_to_get_one(tmp_path, doc, capsys, monkeypatch):
    monkeypatch.delenv("ELECTRA_LSP_SCRIPTED_MODEL", raising=False)
    missing = tmp_path / "no-model"
    assert main(["check", "--discriminator", str(missing), "--generator", str(missing),
                 str(doc)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "electra-lsp train" in err


def test_invalid_setting_is_a_usage_error(planted_script, doc, capsys):
    assert main(["check", "--top-k", "0", str(doc)]) == 2
    assert "electraLsp.topK" in capsys.readouterr().err


def test_fix_prints_a_diff_without_touching_the_file(planted_script, doc, capsys):
    assert main(["fix", str(doc)]) == 1
    out = capsys.readouterr().out
    assert "-我跟我朋有打算去法国玩儿。" in out and "+我跟我朋友打算去法国玩儿。" in out
    assert doc.read_text(encoding="utf-8") == DOC


def test_fix_write_keeps_code_and_permissions(planted_script, doc):
    os.chmod(doc, 0o640)
    assert main(["fix", "--write", str(doc)]) == 1
    assert doc.read_text(encoding="utf-8") == DOC.replace("朋有打算", "朋友打算")
    assert "```\n朋有\n```" in doc.read_text(encoding="utf-8")
    assert os.stat(doc).st_mode & 0o777 == 0o640
    assert main(["fix", "--write", str(doc)]) == 0


def test_fix_never_rewrites_a_file_changed_underneath(planted_script, doc, monkeypatch, capsys):
    real_apply = fix_command.apply_findings

    def edit_meanwhile(text, findings, **options):
        doc.write_text("有人改了这个文件。\n", encoding="utf-8")
        return real_apply(text, findings, **options)

    monkeypatch.setattr(fix_command, "apply_findings", edit_meanwhile)
    assert main(["fix", "--write", str(doc)]) == 2
    assert "changed since it was read" in capsys.readouterr().err
    assert doc.read_text(encoding="utf-8") == "有人改了这个文件。\n"


def test_fix_write_refuses_symlinks(planted_script, doc, tmp_path, capsys):
    link = tmp_path / "link.md"
    link.symlink_to(doc)
    assert main(["fix", "--write", str(link)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert doc.read_text(encoding="utf-8") == DOC


def test_models_reports_missing_default_or_resolves(tiny_pair, capsys, monkeypatch):
    monkeypatch.delenv("ELECTRA_LSP_SCRIPTED_MODEL", raising=False)
    discriminator, generator = tiny_pair
    assert main(["models", "--json", "--discriminator", str(discriminator),
                 "--generator", str(generator)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [m["source"] for m in report["models"]] == ["directory", "directory"]
    assert report["loadSeconds"] > 0
    assert report["backend"] == "auto" and report["backendUsed"] in ("onnx", "torch")
    assert main(["models", "--discriminator", str(discriminator), "--generator", str(generator),
                 "--backend", "torch"]) == 0
    assert "with torch (backend torch)" in capsys.readouterr().out


def test_large_markdown_file_finishes(planted_script, tmp_path):
    big = tmp_path / "big.md"
    paragraph = "这是一个用来测试的段落，内容很普通。" * 20 + "\n\n"
    big.write_text(paragraph * (5_000_000 // len(paragraph.encode("utf-8"))), encoding="utf-8")
    assert big.stat().st_size > 4_900_000
    assert main(["check", str(big)]) == 0


def test_a_closed_pipe_ends_quietly(planted_script, tmp_path):
    import subprocess
    import sys

    for number in range(300):
        (tmp_path / f"{number}.md").write_text("我的朋有在家。\n" * 20, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "electra_lsp", "check", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()  # like `| head -1`
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 1
    assert b"Traceback" not in errors and b"BrokenPipe" not in errors
