"""What the subcommands share: settings flags, model loading with clear errors, reading inputs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from electra_lsp import settings as settings_module
from electra_lsp.settings import SPECS, Settings, SettingsError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt",)
_BINARY_SNIFF = 8192


class InputError(Exception):
    """An input file cannot be checked; the message names the file."""


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per setting, named after the schema (`topK` → `--top-k`), plus --config."""
    group = parser.add_argument_group("settings (same names as the electraLsp.* LSP settings)")
    group.add_argument("--config", type=Path, metavar="FILE",
                       help="JSON settings file (flat, or under an 'electraLsp' key)")
    for spec in SPECS:
        group.add_argument(spec.cli_flag, dest=f"setting_{spec.name}", metavar="VALUE",
                           default=None, help=f"{spec.description} (env {spec.env_var})")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Defaults, then the settings file, then ELECTRA_LSP_* variables, then flags."""
    values: dict[str, Any] = {}
    if getattr(args, "config", None) is not None:
        values.update(settings_module.from_file(args.config))
    values.update(settings_module.from_environment())
    for spec in SPECS:
        flag_value = getattr(args, f"setting_{spec.name}", None)
        if flag_value is not None:
            values[spec.name] = flag_value
    return Settings().replace(values)


def fail(message: str) -> int:
    print(f"electra-lsp: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def load_checker(settings: Settings):  # -> Checker, imported lazily (torch is slow to import)
    from electra_lsp.checker import Checker
    from electra_lsp.dictionary import UserDictionary, default_dictionary_path
    from electra_lsp.engine.models import load_backend

    backend = load_backend(settings)
    path = Path(settings.dictionaryPath).expanduser() if settings.dictionaryPath \
        else default_dictionary_path()
    dictionary = UserDictionary(path)
    for warning in dictionary.warnings:
        print(f"electra-lsp: warning: {warning}", file=sys.stderr)
    return Checker(backend, settings, dictionary)


def setup_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean "cannot start": reported in one line, exit 2."""
    from electra_lsp.dictionary import DictionaryError
    from electra_lsp.engine.decide import CombinerError
    from electra_lsp.engine.lexicon import LexiconError
    from electra_lsp.engine.models import ModelLoadError
    from electra_lsp.engine.ngrams import NgramError

    return (ModelLoadError, DictionaryError, SettingsError, FileNotFoundError, LexiconError,
            NgramError, CombinerError)


def checker_and_files(args: argparse.Namespace):  # -> (Checker, list[Path])
    """What check and fix start from: settings, the input files, a loaded checker.

    Raises InputError with a one-line message for anything that means "cannot start".
    """
    try:
        settings = settings_from_args(args)
    except SettingsError as error:
        raise InputError(str(error)) from None
    files = list(iter_input_files(args.paths))
    if not files:
        raise InputError("no .md, .markdown or .txt files found under " +
                         ", ".join(str(p) for p in args.paths))
    try:
        return load_checker(settings), files
    except setup_errors() as error:
        raise InputError(str(error)) from None


def document_kind(path: Path) -> str:
    return "markdown" if path.suffix.lower() in MARKDOWN_SUFFIXES else "plaintext"


def iter_input_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Files named, and .md/.markdown/.txt files under directories (symlinks not followed)."""
    for path in paths:
        if path.is_dir():
            for root, directories, files in os.walk(path):
                directories[:] = sorted(d for d in directories if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    if child.suffix.lower() in MARKDOWN_SUFFIXES + TEXT_SUFFIXES and \
                            not child.is_symlink():
                        yield child
        else:
            yield path


@dataclass(frozen=True)
class InputFile:
    path: Path
    data: bytes
    text: str


def read_input(path: Path) -> InputFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise InputError(f"{path}: binary file, not checked")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: not valid UTF-8 (byte {error.start}); convert it to UTF-8 first"
        ) from None
    return InputFile(path, data, text)


def line_and_column(text: str, offset: int, line_starts: list[int]) -> tuple[int, int]:
    """1-based line and character column of a code-point offset."""
    from bisect import bisect_right

    line = bisect_right(line_starts, offset) - 1
    return line + 1, offset - line_starts[line] + 1


def line_starts_of(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position != -1:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts
