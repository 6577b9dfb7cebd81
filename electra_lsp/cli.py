"""`electra-lsp`: the language server (default, `--stdio` / `--tcp`) and the subcommands
check, fix, chat, eval, models, train and tune. Each subcommand lives in
`electra_lsp/commands/<name>.py` with `add_parser(subparsers)` and `run(args) -> int`; imports
stay lazy so `--help` and the server's `initialize` answer at once."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMANDS = ("check", "fix", "chat", "eval", "models", "train", "tune", "serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="electra-lsp",
        description="Find Chinese spelling mistakes (错别字) with ELECTRA: a language server "
        "(--stdio, --tcp) and a command line (check, fix, eval, models, train).",
    )
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"electra_lsp.commands.{name}")
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Bare server flags (`electra-lsp --stdio`, `electra-lsp --tcp --port N`) mean `serve`.
    if not argv or argv[0] in ("--stdio", "--tcp", "--host", "--port"):
        argv = ["serve", *argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from reporting the
        # failed flush of stdout at exit (the recipe of the signal module's documentation).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _version() -> str:
    from electra_lsp import __version__

    return f"electra-lsp {__version__}"
