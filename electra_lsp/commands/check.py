"""`electra-lsp check PATH...`: report suspected misspellings, like a linter."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from electra_lsp.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    InputError,
    add_settings_arguments,
    checker_and_files,
    document_kind,
    fail,
    line_and_column,
    line_starts_of,
    read_input,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="report suspected misspellings in Markdown and text files",
        description="Check .md/.markdown/.txt files (directories recurse). Output: "
        "path:line:col: 原 → 建议 (score), columns in characters. Exit 0 when clean, 1 with "
        "findings, 2 on usage or input errors.")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        checker, files = checker_and_files(args)
    except InputError as error:
        return fail(str(error))
    exit_code, report = EXIT_OK, []
    for path in files:
        try:
            source = read_input(path)
        except InputError as error:
            print(f"electra-lsp: error: {error}", file=sys.stderr)
            exit_code = EXIT_USAGE
            continue
        findings = checker.check(source.text, document_kind(path))
        if findings and exit_code == EXIT_OK:
            exit_code = EXIT_FINDINGS
        starts = line_starts_of(source.text)
        for finding in findings:
            line, column = line_and_column(source.text, finding.start, starts)
            if args.format == "json":
                report.append({"path": str(path), "line": line, "column": column,
                               **finding.to_json()})
            else:
                best = finding.best
                suggestion = best.text if best else "?"
                why = f"  {finding.evidence.reason()}" if finding.evidence else ""
                print(f"{path}:{line}:{column}: {finding.original} → {suggestion} "
                      f"({finding.score:.2f}){why}")
    if args.format == "json":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    return exit_code
