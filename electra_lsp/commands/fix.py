"""`electra-lsp fix PATH... [--write]`: apply the best suggestion for every finding.

Without --write it prints a unified diff. With --write each file is replaced atomically
(temporary file + rename, permissions kept), and only if its bytes are still what was read:
a file edited meanwhile is left alone and reported. Code spans are never touched because
findings only come from prose. `-` reads standard input (diff only: --write has nowhere to
write it).

Exit status, like `check`'s: 0 nothing to fix, 1 fixes found (printed) or written, 2 usage or
input errors (the other files are still handled).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from electra_lsp.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    STDIN,
    InputError,
    InputFile,
    add_settings_arguments,
    check_files,
    checker_and_files,
    fail,
    input_path,
)
from electra_lsp.findings import apply_findings
from electra_lsp.text.lines import split_lines


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fix", help="apply the best suggestions (prints a diff unless --write)",
        description="Apply the best suggestion of every finding sure enough to apply unasked "
        "(probability at or above autoFixThreshold; `check` lists all findings). Prints a "
        "unified diff unless --write is given. `-` reads UTF-8 Markdown from standard input "
        "and prints its diff (as <stdin>); --write cannot be used with it. "
        "Exit status (for fix and fix --write alike, like check): 0 nothing to fix; "
        "1 fixes found (diff printed) or, with --write, written; 2 usage or input errors.")
    parser.add_argument("paths", nargs="+", type=input_path, metavar="PATH")
    parser.add_argument("--write", action="store_true", help="rewrite the files in place")
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def write_atomically(source: InputFile, new_text: str) -> None:
    """Replace the file only if it still holds exactly what was read."""
    path = source.path
    if path.is_symlink():
        raise InputError(f"{path}: is a symbolic link; not writing through it")
    if path.read_bytes() != source.data:
        raise InputError(f"{path}: changed since it was read; not rewritten")
    bom = b"\xef\xbb\xbf" if source.data.startswith(b"\xef\xbb\xbf") else b""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(bom + new_text.encode("utf-8"))
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        if path.read_bytes() != source.data:  # last look just before the rename
            raise InputError(f"{path}: changed since it was read; not rewritten")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def unified_diff(name: str, old: str, new: str) -> Iterator[str]:
    """A unified diff whose lines are the project's lines (\\n, \\r\\n, \\r: the numbers
    `check` and the server give), each output line ended by \\n."""
    label = name.lstrip("/")  # as git writes an absolute path: a/tmp/x.md, not a//tmp/x.md
    for line in difflib.unified_diff(split_lines(old), split_lines(new),
                                     fromfile=f"a/{label}", tofile=f"b/{label}"):
        if line.endswith("\n"):
            yield line
        elif line.endswith("\r"):
            yield line + "\n"  # a lone CR stays visible as the file's own terminator
        else:
            yield line + "\n\\ No newline at end of file\n"


def run(args: argparse.Namespace) -> int:
    if args.write and STDIN in args.paths:
        return fail("fix --write cannot write to standard input (-); "
                    "leave out --write to print the diff")
    try:
        checker, files = checker_and_files(args)
    except InputError as error:
        return fail(str(error))
    exit_code = EXIT_OK

    def error(problem: InputError) -> None:
        nonlocal exit_code
        print(f"electra-lsp: error: {problem}", file=sys.stderr)
        exit_code = EXIT_USAGE

    # All files are checked first: their shared vocabulary weighs on each one (see check).
    for source, findings in check_files(checker, files, error):
        try:
            # Only fixes sure enough to apply unasked (autoFixThreshold); `check` lists all.
            fixed = apply_findings(source.text, findings, automatic=True)
            if fixed == source.text:
                continue
            if exit_code == EXIT_OK:
                exit_code = EXIT_FINDINGS
            if args.write:
                write_atomically(source, fixed)
                changes = sum(f.best is not None and f.auto_fix and f.fixable
                              for f in findings)
                print(f"fixed {source.path} ({changes} change{'s' if changes != 1 else ''})")
            else:
                sys.stdout.writelines(unified_diff(source.name, source.text, fixed))
        except InputError as problem:
            error(problem)
    return exit_code
