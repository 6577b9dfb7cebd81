"""`electra-lsp serve` (the default command): the language server over stdio or TCP.

`electra-lsp --stdio` and `electra-lsp --tcp --port N` mean `serve`. TCP listens on 127.0.0.1
unless --host says otherwise. Settings flags give the server's starting settings; the client's
initializationOptions and workspace configuration (section electraLsp) come on top.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from electra_lsp.commands.common import add_settings_arguments, fail, settings_from_args
from electra_lsp.settings import SettingsError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2087


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the language server (the default: electra-lsp --stdio)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true",
                           help="talk LSP over stdin/stdout (the default)")
    transport.add_argument("--tcp", action="store_true", help="listen for one client over TCP")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"TCP address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"TCP port (default {DEFAULT_PORT})")
    parser.add_argument("--log-file", type=Path, metavar="FILE",
                        help="write the server log here (default: stderr, warnings only)")
    parser.add_argument("--log-level", default=None,
                        choices=["debug", "info", "warning", "error"],
                        help="log level (default: info with --log-file, else warning)")
    add_settings_arguments(parser, server=True)
    parser.set_defaults(run=run)


def configure_logging(log_file: Path | None, level_name: str | None) -> None:
    level = getattr(logging, (level_name or ("info" if log_file else "warning")).upper())
    handler: logging.Handler = logging.FileHandler(log_file, encoding="utf-8") if log_file \
        else logging.StreamHandler(sys.stderr)  # never stdout: it carries the protocol
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    if level > logging.DEBUG:  # pygls logs every message body at INFO (a 5 MB document...)
        logging.getLogger("pygls").setLevel(max(level, logging.WARNING))


STDIO_HINT = ("electra-lsp: the language server is waiting for an editor on stdin/stdout "
              "(LSP); press Ctrl-C to stop. For the command line, see `electra-lsp --help` "
              "(check, fix, chat ...).")


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        return fail(f"--port must be between 1 and 65535, got {args.port}")
    try:
        settings = settings_from_args(args)
    except SettingsError as error:
        return fail(str(error))
    try:
        configure_logging(args.log_file, args.log_level)
    except OSError as error:
        return fail(f"cannot open log file {args.log_file}: {error}")

    from electra_lsp.lsp.app import create_server

    server = create_server(settings)
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        if sys.stdin.isatty():  # a person typed `electra-lsp`: say what is waiting
            print(STDIO_HINT, file=sys.stderr, flush=True)
        server.start_io()
    server.worker.stop()
    server.runner.stop()
    return server.exit_code if server.exit_code is not None else 1
