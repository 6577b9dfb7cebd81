"""`electra-lsp tune ACTION`: what is fitted for a model pair, from training and dev data.

calibrate           the fused decision and its thresholds (below)
thresholds          a models-only pair's threshold and minRatio, on a dev split
average             the mean of pairs trained from one starting pair (a "model soup")
similarity-weights  the confusion sets' similarity weights, from real error pairs
ngrams              the character n-gram counts of a corpus

`electra-lsp tune calibrate`: fit the fused decision for a discriminator + generator pair.

Fits the combiner (engine/decide.py) on typos planted into clean edited lines plus real
training pairs, chooses its report and automatic-fix thresholds on dev data (never a
`*_test*` file) and, with --write, stores it in the pair's `electra_lsp.json`, where every
command and the server find it. See electra_lsp/train/calibrate.py for the data used.
"""

from __future__ import annotations

import argparse
import importlib
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
    _add_training_tools(actions)


def _add_training_tools(actions: argparse._SubParsersAction) -> None:
    """The tools of electra_lsp/train/ (each module's docstring says more). Their defaults
    live in the modules (nothing heavy is imported to build the parser)."""

    thresholds = actions.add_parser(
        "thresholds", help="choose a models-only pair's threshold and minRatio on a dev split",
        description="Choose a model's detection threshold and min ratio on a dev split (never "
        "a test set), running the real checker and the eval scorer over a grid.")
    thresholds.add_argument("model_dir", type=Path)
    thresholds.add_argument("dev", type=Path, help="source<TAB>target dev pairs (not a test set)")
    thresholds.add_argument("--clean", type=Path, metavar="LINES.txt",
                            help="held-out clean text (one paragraph a line) to count false "
                            "alarms")
    thresholds.add_argument("--clean-data", type=Path, metavar="DATA",
                            help="count false alarms on the edited lines `tune calibrate` "
                            "chooses its threshold on (the tune share of "
                            "DATA/csc/clean/xxqg.txt), with or instead of --clean")
    thresholds.add_argument("--write", choices=("balanced", "precise"),
                            help="save this choice as MODEL_DIR/electra_lsp.json")
    thresholds.set_defaults(run=_tool("thresholds"))

    average = actions.add_parser(
        "average", help="average pairs trained from one starting pair (a model soup)",
        description="Average the weights of pairs trained from the same starting pair (a "
        "uniform model soup); each RUN holds discriminator/ and generator/.")
    average.add_argument("runs", type=Path, nargs="+", help="directories with a trained pair")
    average.add_argument("--output", type=Path, required=True)
    average.set_defaults(run=_tool("average"))

    weights = actions.add_parser(
        "similarity-weights", help="estimate the similarity weights from real error pairs",
        description="Estimate how likely each kind of similar character is to be what a writer "
        "meant, from real error pairs (never a test set), and write the weights file the "
        "confusion sets read.")
    weights.add_argument("pairs", type=Path, help="source<TAB>target training pairs")
    weights.add_argument("--exclude", type=Path, action="append", default=[],
                         help="pairs to leave out (a dev split)")
    weights.add_argument("--vocab", type=Path, default=None,
                         help="candidate universe (default: the embedded model's vocab.txt)")
    weights.add_argument("--output", type=Path, default=None,
                         help="default: the weights file in data/confusion/")
    weights.set_defaults(run=_tool("similarity_weights"))

    ngrams = actions.add_parser(
        "ngrams", help="count the character n-grams of a corpus",
        description="Count the character n-grams (n = 2 … 5) of corpus lines (.txt or "
        ".txt.xz) for the fused decision.")
    ngrams.add_argument("corpus", type=Path, nargs="+")
    ngrams.add_argument("--output", type=Path, required=True)
    ngrams.add_argument("--min-count", type=int, default=None,
                        help="keep n-grams seen this often (default: engine/ngrams.py's)")
    ngrams.set_defaults(run=_tool("ngrams"))


def _tool(module: str):
    """The `run(args)` of electra_lsp.train.<module>, imported when the action runs."""

    def run_tool(args: argparse.Namespace) -> int:
        return importlib.import_module(f"electra_lsp.train.{module}").run(args)

    return run_tool


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
