"""`electra-lsp eval FILE.tsv`: score the checker on `source<TAB>target` CSC pairs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from electra_lsp.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_settings_arguments,
    settings_from_args,
)

if TYPE_CHECKING:
    from electra_lsp.evaluate.runner import EvalReport



def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score the checker on source<TAB>target spelling pairs (SIGHAN format)",
        description="Check the source side of each source<TAB>target line, apply the best "
        "suggestions and report SIGHAN sentence- and character-level detection and correction "
        "precision/recall/F1, the false-positive rate on error-free sentences, the peer "
        "toolkit's sentence-level figure and the speed.",
    )
    parser.add_argument("file", metavar="FILE.tsv", type=Path,
                        help="UTF-8 file, one source<TAB>target pair a line")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--limit", type=_positive_int, metavar="N",
                        help="evaluate only the first N pairs")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def run(args: argparse.Namespace) -> int:
    from electra_lsp.evaluate.runner import EvalInputError, evaluate, read_pairs
    from electra_lsp.settings import SettingsError

    try:
        pairs = read_pairs(args.file)
    except EvalInputError as error:
        print(f"electra-lsp eval: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.limit is not None:
        pairs = pairs[: args.limit]

    try:
        settings = settings_from_args(args)
    except SettingsError as error:
        print(f"electra-lsp eval: {error}", file=sys.stderr)
        return EXIT_USAGE

    from electra_lsp.checker import load_checker
    from electra_lsp.engine.resolve import ModelLoadError

    try:
        checker = load_checker(settings)
    except ModelLoadError as error:
        print(f"electra-lsp eval: {error}", file=sys.stderr)
        return EXIT_USAGE
    report = evaluate(checker, pairs, batch_size=settings.batchSize,
                      progress=not args.no_progress, model=checker.backend.name)
    if args.json:
        print(json.dumps({"file": str(args.file), **report.to_json()}, ensure_ascii=False,
                         indent=2))
    else:
        print(format_report(report, str(args.file)))
    return EXIT_OK


def format_report(report: EvalReport, file: str) -> str:
    m = report.metrics
    t = m.toolkit_sentence
    skipped = f", {m.skipped} skipped (lengths differ)" if m.skipped else ""
    lines = [
        f"file:   {file} ({m.sentences} pairs scored{skipped})",
        f"model:  {report.model}",
        "",
        f"{'':24}{'precision':>10}{'recall':>10}{'F1':>10}",
    ]
    for label, score in (("sentence detection", m.sentence_detection),
                         ("sentence correction", m.sentence_correction),
                         ("character detection", m.char_detection),
                         ("character correction", m.char_correction)):
        lines.append(f"{label:24}{score.precision:10.4f}{score.recall:10.4f}{score.f1:10.4f}")
    lines += [
        "",
        f"false-positive rate:  {m.false_positive_rate:.4f} "
        f"({m.clean_changed} of {m.clean_sentences} error-free sentences changed)",
        f"toolkit sentence:     accuracy {t.accuracy:.4f}  precision {t.precision:.4f}  "
        f"recall {t.recall:.4f}  F1 {t.f1:.4f}  (TP {t.tp}, FP {t.fp}, FN {t.fn}, TN {t.tn})",
        f"speed:                {report.sentences_per_second:.1f} sentences/s "
        f"({report.seconds:.2f} s in the checker)",
    ]
    return "\n".join(lines)
