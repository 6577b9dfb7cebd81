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


def test_an_undecodable_byte_is_placed_by_line_and_byte_of_the_file(planted_script, tmp_path,
                                                                     capsys):
    bad = tmp_path / "bad.md"
    bad.write_bytes("\ufeff第一行\n".encode() + "第二行".encode("gbk"))  # after a BOM
    assert main(["check", str(bad)]) == 2
    assert "not valid UTF-8 at line 2 (byte 14 of the file)" in capsys.readouterr().err
    bad.write_bytes("一\r二\r\n三\r".encode() + "四".encode("gbk"))  # lines end as check reads them
    assert main(["check", str(bad)]) == 2
    assert "not valid UTF-8 at line 4 (byte 14 of the file)" in capsys.readouterr().err


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
    assert report["precision"] == "fp32"
    assert main(["models", "--discriminator", str(discriminator), "--generator", str(generator),
                 "--backend", "torch"]) == 0
    assert "with torch fp32 (backend torch)" in capsys.readouterr().out


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


# -- line endings: one line index (electra_lsp.text.lines) for the CLI and the server -------

@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_check_lines_and_columns_for_every_line_ending(planted_script, tmp_path, capsys,
                                                       newline):
    path = tmp_path / "doc.txt"
    # newline="" writes the terminators as given (no translation of \n).
    path.write_text(f"第一行{newline}第二行有错朋有。{newline}", encoding="utf-8", newline="")
    assert main(["check", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:2:4: 有 → 友 (0.97)", f"{path}:2:7: 有 → 友 (0.97)"]
    assert main(["check", "--format", "json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(item["line"], item["column"]) for item in report] == [(2, 4), (2, 7)]


def test_line_index_breaks_only_on_lsp_terminators():
    from electra_lsp.text.lines import LineIndex, split_lines

    text = "a\rb\r\nc\nd\x0ce\u2028f"
    index = LineIndex(text)
    assert index.starts == [0, 2, 5, 7]
    assert [index.human(offset) for offset in (0, 2, 5, 7, 9, 11)] == [
        (1, 1), (2, 1), (3, 1), (4, 1), (4, 3), (4, 5)]
    assert [index.line_text(line) for line in range(len(index))] == [
        "a", "b", "c", "d\x0ce\u2028f"]
    assert split_lines(text) == ["a\r", "b\r\n", "c\n", "d\x0ce\u2028f"]
    assert split_lines("") == [] and split_lines("x\r") == ["x\r"]


def test_fix_diff_numbers_lines_like_check_for_lone_cr(planted_script, tmp_path, capsys):
    path = tmp_path / "mac.txt"
    path.write_bytes("第一行\r第二行有错朋有。\r".encode())
    assert main(["fix", str(path)]) == 1
    out = capsys.readouterr().out
    assert "@@ -1,2 +1,2 @@\n" in out
    assert "-第二行有错朋有。\r\n+第二行友错朋友。\r\n" in out


# -- standard input ---------------------------------------------------------------------------

@pytest.fixture
def stdin(monkeypatch):
    import io
    import sys

    def feed(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="ascii"))
    return feed


def test_check_reads_standard_input(planted_script, stdin, capsys):
    stdin("第一行\r第二行有错朋有。\r".encode())  # UTF-8 whatever stdin's declared encoding
    assert main(["check", "-"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "<stdin>:2:4: 有 → 友 (0.97)", "<stdin>:2:7: 有 → 友 (0.97)"]


def test_check_json_from_standard_input(planted_script, stdin, capsys):
    stdin(DOC.encode())
    assert main(["check", "--format", "json", "-"]) == 1
    report = json.loads(capsys.readouterr().out)
    # Read as Markdown: the fenced 朋有 is code and not reported.
    assert [(item["path"], item["line"], item["column"]) for item in report] == [
        ("<stdin>", 3, 5)]
    stdin("今天天气很好。\n".encode())
    assert main(["check", "--format", "json", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_check_standard_input_with_files_and_bad_input(planted_script, stdin, doc, capsys):
    stdin("在见。".encode())
    assert main(["check", str(doc), "-"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{doc}:3:5: 有 → 友 (0.97)", "<stdin>:1:1: 在 → 再 (0.97)"]
    stdin("朋有".encode("gbk"))
    assert main(["check", "-"]) == 2
    assert "<stdin>: not valid UTF-8" in capsys.readouterr().err
    assert main(["check", "-", "-"]) == 2
    assert "more than once" in capsys.readouterr().err


def test_fix_standard_input_prints_a_diff(planted_script, stdin, capsys):
    stdin(DOC.encode())
    assert main(["fix", "-"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- a/<stdin>\n+++ b/<stdin>\n")
    assert "-我跟我朋有打算去法国玩儿。\n+我跟我朋友打算去法国玩儿。\n" in out
    stdin("今天天气很好。\n".encode())
    assert main(["fix", "-"]) == 0
    assert capsys.readouterr().out == ""


def test_fix_write_refuses_standard_input(planted_script, stdin, doc, capsys):
    stdin(DOC.encode())
    assert main(["fix", "--write", str(doc), "-"]) == 2
    captured = capsys.readouterr()
    assert "cannot write to standard input" in captured.err and captured.out == ""
    assert doc.read_text(encoding="utf-8") == DOC  # nothing written at all


def test_a_file_named_dash_is_still_reachable(planted_script, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("在见。", encoding="utf-8")
    assert main(["check", "./-"]) == 1
    assert capsys.readouterr().out.strip() == "-:1:1: 在 → 再 (0.97)"


# -- progress bar ----------------------------------------------------------------------------

def _many(tmp_path, count=5):
    for number in range(count):
        (tmp_path / f"{number}.md").write_text("我的朋有在家。\n", encoding="utf-8")
    return tmp_path


def test_no_progress_bar_when_stderr_is_not_a_terminal(planted_script, tmp_path, capsys):
    _many(tmp_path)
    assert main(["check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    assert len(captured.out.splitlines()) == 10


def test_progress_bar_only_on_a_terminal_and_never_with_json(planted_script, tmp_path,
                                                             monkeypatch, capsys):
    import sys

    _many(tmp_path)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "check:" in captured.err and "/5 [" in captured.err  # tqdm's bar, on stderr
    assert len(captured.out.splitlines()) == 10 and "/5 [" not in captured.out
    assert main(["check", "--format", "json", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.err == "" and len(json.loads(captured.out)) == 10


# -- exit statuses of fix ---------------------------------------------------------------------

def test_fix_exit_statuses_are_documented_and_kept(planted_script, doc, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["fix", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "0 nothing to fix" in help_text
    assert "1 fixes found (diff printed) or, with --write, written" in help_text
    assert "2 usage or input errors" in help_text
    clean = tmp_path / "clean.md"
    clean.write_text("今天天气很好。\n", encoding="utf-8")
    assert main(["fix", str(clean)]) == 0
    assert main(["fix", "--write", str(clean)]) == 0
    assert main(["fix", str(doc)]) == 1
    assert main(["fix", "--write", str(doc)]) == 1  # written: 1, like check with findings
    assert main(["fix", "--write", str(doc)]) == 0  # nothing left to fix
    assert main(["fix", "--write", str(doc), str(tmp_path / "missing.md")]) == 2


def test_fix_leaves_reference_labels_alone(planted_script, tmp_path, capsys):
    path = tmp_path / "links.md"
    text = "见[朋有][]和[朋有](https://e.com)。\n\n[朋有]: https://e.com\n"
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--format", "json", str(path)]) == 1
    found = json.loads(capsys.readouterr().out)
    assert [f.get("fixable", True) for f in found] == [False, True]
    assert main(["fix", "--write", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == text.replace("[朋有](", "[朋友](")
    assert "1 change)" in capsys.readouterr().out


def test_bare_command_on_a_terminal_says_a_server_is_waiting(tmp_path):
    """`electra-lsp` typed at a prompt starts the stdio server: it says so at once, on stderr
    (an editor's pipe gets no such line)."""
    import pty
    import select
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    server = subprocess.Popen([sys.executable, "-m", "electra_lsp"], stdin=terminal,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    os.close(terminal)
    try:
        ready, _, _ = select.select([server.stderr], [], [], 30)
        line = server.stderr.readline().decode("utf-8") if ready else ""
    finally:
        server.kill()
        server.wait(timeout=30)
        os.close(controller)
    assert "waiting for an editor" in line and "electra-lsp --help" in line


def test_command_help_lists_editor_only_settings_apart(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    text = out[out.index("settings (same names"):]  # past the usage line
    editor = text.index("editor-only settings")
    assert text.index("--debounce-ms") > editor and text.index("--severity") > editor
    assert text.index("--top-k") < editor and text.index("--threshold") < editor
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    assert "editor-only" not in capsys.readouterr().out

def test_editor_only_settings_are_still_accepted_by_commands(planted_script, tmp_path, capsys):
    document = tmp_path / "a.md"
    document.write_text("我和朋有去看花。\n", encoding="utf-8")
    assert main(["check", "--severity", "hint", "--debounce-ms", "10", str(document)]) == 1
