"""`electra-lsp check PATH...`: report suspected misspellings, like a linter."""

from __future__ import annotations

import argparse
import json
import sys

from electra_lsp.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    InputError,
    add_settings_arguments,
    check_files,
    checker_and_files,
    fail,
    input_path,
)
from electra_lsp.text.lines import LineIndex


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="report suspected misspellings in Markdown and text files",
        description="Check .md/.markdown/.txt files (directories recurse; `-` reads UTF-8 "
        "Markdown from standard input, reported as <stdin>). Output: path:line:col: 原 → 建议 "
        "(score), lines ending at \\n, \\r\\n or \\r, columns in characters. Files checked "
        "together share their vocabulary: a term they write often is taken as meant. A "
        "progress bar goes "
        "to stderr when several files are checked and stderr is a terminal (never with "
        "--format json). Exit 0 when clean, 1 with findings, 2 on usage or input errors.")
    parser.add_argument("paths", nargs="+", type=input_path, metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    try:
        checker, files = checker_and_files(args)
    except InputError as error:
        return fail(str(error))
    exit_code, report = EXIT_OK, []
    show = args.format == "text" and len(files) > 1 and sys.stderr.isatty()
    with tqdm(files, unit="file", desc="check", file=sys.stderr, disable=not show,
              leave=False) as bar:
        # With the bar shown, error lines go through it so that it is redrawn below them.
        say = bar.write if show else print

        def error(problem: InputError) -> None:
            nonlocal exit_code
            say(f"electra-lsp: error: {problem}", file=sys.stderr)
            exit_code = EXIT_USAGE

        # Reported once all are checked: the files' shared vocabulary weighs on each one.
        checked = check_files(checker, bar, error)
    for source, findings in checked:
        if findings and exit_code == EXIT_OK:
            exit_code = EXIT_FINDINGS
        lines = LineIndex(source.text)
        for finding in findings:
            line, column = lines.human(finding.start)
            if args.format == "json":
                report.append({"path": source.name, "line": line, "column": column,
                               **finding.to_json()})
            else:
                best = finding.best
                suggestion = best.text if best else "?"
                why = f"  {finding.evidence.reason()}" if finding.evidence else ""
                print(f"{source.name}:{line}:{column}: {finding.original} → {suggestion} "
                      f"({finding.score:.2f}){why}")
    if args.format == "json":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    return exit_code
