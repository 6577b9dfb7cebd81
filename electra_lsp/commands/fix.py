"""`electra-lsp fix PATH... [--write]`: apply the best suggestion for every finding.

Without --write it prints a unified diff. With --write each file is replaced atomically
(temporary file + rename, permissions kept), and only if its bytes are still what was read:
a file edited meanwhile is left alone and reported. Code spans are never touched because
findings only come from prose.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path

from electra_lsp.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    InputError,
    InputFile,
    add_settings_arguments,
    checker_and_files,
    document_kind,
    fail,
    read_input,
)
from electra_lsp.findings import apply_findings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fix", help="apply the best suggestions (prints a diff unless --write)",
        description="Apply the best suggestion of every finding sure enough to apply unasked "
        "(probability at or above autoFixThreshold; `check` lists all findings). Prints a "
        "unified diff unless "
        "--write is given. Exit 0 when nothing to fix, 1 when fixes were found (or written), "
        "2 on usage or input errors.")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
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


def run(args: argparse.Namespace) -> int:
    try:
        checker, files = checker_and_files(args)
    except InputError as error:
        return fail(str(error))
    exit_code = EXIT_OK
    for path in files:
        try:
            source = read_input(path)
            findings = checker.check(source.text, document_kind(path))
            # Only fixes sure enough to apply unasked (autoFixThreshold); `check` lists all.
            fixed = apply_findings(source.text, findings, automatic=True)
            if fixed == source.text:
                continue
            if exit_code == EXIT_OK:
                exit_code = EXIT_FINDINGS
            if args.write:
                write_atomically(source, fixed)
                changes = sum(f.best is not None and f.auto_fix for f in findings)
                print(f"fixed {path} ({changes} change{'s' if changes != 1 else ''})")
            else:
                sys.stdout.writelines(difflib.unified_diff(
                    source.text.splitlines(keepends=True), fixed.splitlines(keepends=True),
                    fromfile=f"a/{path}", tofile=f"b/{path}"))
        except InputError as error:
            print(f"electra-lsp: error: {error}", file=sys.stderr)
            exit_code = EXIT_USAGE
    return exit_code
