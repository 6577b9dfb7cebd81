"""`electra-lsp tune calibrate`: fit the fused decision for a discriminator + generator pair.

Fits the combiner (engine/decide.py) on typos planted into clean edited lines plus real
training pairs, chooses its report and automatic-fix thresholds on dev data (never a
`*_test*` file) and, with --write, stores it in the pair's `electra_lsp.json`, where every
command and the server find it. See electra_lsp/train/calibrate.py for the data used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from electra_lsp.commands.common import add_settings_arguments, fail, settings_from_args


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tune", help="fit what is tuned for a model pair (calibrate: the fused decision)",
        description="Fit what is tuned for a discriminator + generator pair.")
    actions = parser.add_subparsers(dest="tune_command", metavar="ACTION", required=True)
    calibrate = actions.add_parser(
        "calibrate", help="fit the fused decision and choose its thresholds on dev data",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    calibrate.add_argument("--data", type=Path, default=Path("../shared/data"),
                           help="the shared data directory (csc/, lexicon/; default "
                           "../shared/data)")
    calibrate.add_argument("--limit", type=int, default=None, metavar="N",
                           help="at most N lines or pairs from each source (a quick trial)")
    calibrate.add_argument("--write", action="store_true",
                           help="store the combiner in the pair's electra_lsp.json (else "
                           "print it)")
    add_settings_arguments(calibrate)
    calibrate.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from electra_lsp.commands.common import setup_errors
    from electra_lsp.engine.confusion import load_confusion
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.engine.lexicon import LexiconError, shared_lexicon
    from electra_lsp.engine.ngrams import NgramError, shared_ngrams
    from electra_lsp.engine.resolve import settings_path
    from electra_lsp.train.calibrate import calibrate, write_combiner

    if not (args.data / "csc").is_dir():
        return fail(f"no CSC data in {args.data} (expected {args.data}/csc/clean, "
                    "csc/train, csc/dev); pass --data")
    try:
        settings = settings_from_args(args)
        backend = load_backend(settings)
        lexicon = shared_lexicon()
        combiner, report = calibrate(backend, lexicon, load_confusion(backend.vocabulary),
                                     shared_ngrams(), args.data, limit=args.limit)
    except (*setup_errors(), LexiconError, NgramError, ImportError, ValueError) as error:
        return fail(str(error))
    if args.write:
        path = write_combiner(settings_path(backend.discriminator_model), combiner, report)
        print(f"wrote the combiner to {path}")
    else:
        json.dump({"combiner": combiner.to_json()}, sys.stdout, ensure_ascii=False, indent=1)
        print()
    return 0
