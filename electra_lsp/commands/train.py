"""`electra-lsp train`: train a discriminator + generator pair (from scratch or from an existing
pair) with spelling-realistic corruption; writes the HFL layout under --output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Defaults live here (not in argparse) so --resume can tell which flags were given.
_DEFAULTS = {"steps": 10000, "max_minutes": None, "checkpoint_every": 1000, "device": "auto",
             "precision": "auto", "threads": 0, "workers": 0}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a discriminator + generator pair",
        description="Train an ELECTRA pair for Chinese spelling checking: generator MLM plus "
        "replaced-token detection on text corrupted with similar-sound/shape characters.")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--from-scratch", action="store_true",
                       help="new models of --size with a character vocabulary from the corpus")
    start.add_argument("--init-discriminator", type=Path, metavar="DIR",
                       help="fine-tune this discriminator (with --init-generator)")
    parser.add_argument("--init-generator", type=Path, metavar="DIR")
    parser.add_argument("--size", default="tiny", help="architecture for --from-scratch "
                        "(sizes in electra_lsp/train/architectures.py; default tiny)")
    parser.add_argument("--vocab", type=Path, metavar="FILE", help="use this vocab.txt")
    parser.add_argument("--vocab-size", type=int, default=8000,
                        help="tokens in a vocabulary built from the corpus (default 8000)")
    parser.add_argument("--corpus", type=Path, nargs="+", metavar="FILE",
                        help="clean text, one sentence or paragraph a line (.txt or .txt.xz)")
    parser.add_argument("--pairs", type=Path, metavar="FILE.tsv",
                        help="supervised source<TAB>target pairs added to the detection loss")
    parser.add_argument("--pair-share", type=float, default=0.125, metavar="SHARE",
                        help="share of each batch taken from --pairs (default 0.125)")
    parser.add_argument("--dev-pairs", type=Path, nargs="+", default=[], metavar="FILE.tsv",
                        help="dev sets whose detection P/R/F1 is logged at every checkpoint "
                             "and in training.json (never trained on)")
    parser.add_argument("--output", type=Path, required=True, metavar="DIR")
    parser.add_argument("--steps", type=int, help=f"default {_DEFAULTS['steps']}")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seq-len", type=int, default=128,
                        help="tokens per training sequence, [CLS] and [SEP] included")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--dropout", type=float, default=0.0,
                        help="dropout of models trained from scratch (default 0)")
    parser.add_argument("--disc-weight", type=float, default=50.0,
                        help="weight of the replaced-token detection loss (default 50)")
    parser.add_argument("--no-tie-embeddings", dest="tie_embeddings", action="store_false",
                        help="give a from-scratch generator its own embeddings")
    parser.add_argument("--max-minutes", type=float, help="stop (and save) after this long")
    parser.add_argument("--checkpoint-every", type=int, metavar="STEPS",
                        help=f"default {_DEFAULTS['checkpoint_every']}")
    parser.add_argument("--resume", action="store_true",
                        help="continue from --output/checkpoint.pt with its settings")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-seed", type=int, metavar="N",
                        help="seed of the batch stream only (default --seed): continuing "
                             "from a saved pair on new batches keeps --seed's dev split")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"),
                        help="bf16 autocast (auto: on CUDA and CPUs with bf16 support)")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="CPU threads (default: one per core; 1 is faster on a busy machine)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="processes that build batches ahead (default 0: inline); for a "
                             "GPU, whose steps outrun one core's text corruption")
    parser.add_argument("--dev-size", type=int, default=300,
                        help="corpus lines and pairs held out for the final evaluation")
    parser.add_argument("--save-dtype", choices=("float16", "float32"), default="float16",
                        help="weights on disk (models always train and load in float32)")
    parser.set_defaults(run=run)


def _validate(args: argparse.Namespace) -> str | None:
    if args.resume:
        return None
    if not args.corpus:
        return "--corpus is required"
    if not args.from_scratch and not args.init_discriminator:
        return "choose --from-scratch or --init-discriminator DIR --init-generator DIR"
    if bool(args.init_discriminator) != bool(args.init_generator):
        return "--init-discriminator and --init-generator go together"
    if not 0.0 <= args.pair_share <= 1.0:
        return "--pair-share must be between 0 and 1"
    missing = [path for path in [*args.corpus, *([args.pairs] if args.pairs else []),
                                 *args.dev_pairs] if not path.is_file()]
    if missing:
        return f"no such file: {missing[0]}"
    for name in ("steps", "batch_size", "vocab_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            return f"--{name.replace('_', '-')} must be positive"
    if args.seq_len < 8:
        return "--seq-len must be at least 8"
    return None


def run(args: argparse.Namespace) -> int:
    from electra_lsp.train.architectures import SIZES

    problem = _validate(args)
    if problem is None and args.from_scratch and args.size not in SIZES:
        problem = f"--size must be one of {', '.join(SIZES)}"
    if problem:
        print(f"electra-lsp train: {problem}", file=sys.stderr)
        return 2

    from electra_lsp.train.loop import TrainConfig, train

    given = frozenset(name for name in _DEFAULTS if getattr(args, name) is not None)
    config = TrainConfig(
        output=args.output, corpus=list(args.corpus or []), pairs=args.pairs,
        size=args.size if not args.init_discriminator else None,
        init_discriminator=args.init_discriminator, init_generator=args.init_generator,
        vocab=args.vocab, vocab_size=args.vocab_size, batch_size=args.batch_size,
        seq_len=args.seq_len, lr=args.lr, dropout=args.dropout, seed=args.seed,
        batch_seed=args.batch_seed,
        disc_weight=args.disc_weight, tie_embeddings=args.tie_embeddings,
        dev_size=args.dev_size, pair_share=args.pair_share, dev_pairs=list(args.dev_pairs),
        save_dtype=args.save_dtype,
        **{name: getattr(args, name) if name in given else default
           for name, default in _DEFAULTS.items()})
    try:
        report = train(config, resume=args.resume, given=given)
    except ValueError as error:
        print(f"electra-lsp train: {error}", file=sys.stderr)
        return 2
    print(f"saved {args.output}/discriminator and {args.output}/generator after step "
          f"{report['step']} ({report['train_seconds']:.0f} s, "
          f"{report['pair_bytes'] / 1e6:.1f} MB)")
    return 0
