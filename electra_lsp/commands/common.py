"""What the subcommands share: settings flags, model loading with clear errors, reading inputs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from electra_lsp import settings as settings_module
from electra_lsp.settings import SPECS, Settings, SettingsError
from electra_lsp.text import kinds
from electra_lsp.text.lines import line_starts

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_BINARY_SNIFF = 8192


STDIN = "-"  # a PATH argument meaning standard input
STDIN_NAME = "<stdin>"  # how output names it
InputPath = Path | str  # a Path, or STDIN


class InputError(Exception):
    """An input file cannot be checked; the message names the file."""


# Settings only the language server acts on; the other commands accept them (one --config
# file serves both) but list them apart, so no one expects them to change a check.
EDITOR_ONLY = frozenset({"debounceMs", "severity", "fileTypes", "maxDocumentSize"})


def add_settings_arguments(parser: argparse.ArgumentParser, server: bool = False) -> None:
    """One flag per setting, named after the schema (`topK` → `--top-k`), plus --config.
    server: the language server's parser (every setting acts there)."""
    group = parser.add_argument_group("settings (same names as the electraLsp.* LSP settings)")
    editor = group if server else parser.add_argument_group(
        "editor-only settings (accepted so one --config file serves both; no effect here)")
    group.add_argument("--config", type=Path, metavar="FILE",
                       help="JSON settings file (flat, or under an 'electraLsp' key)")
    for spec in SPECS:
        target = editor if spec.name in EDITOR_ONLY else group
        target.add_argument(spec.cli_flag, dest=f"setting_{spec.name}", metavar="VALUE",
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
    """The core's `load_checker` with the user dictionary, which must be readable (a
    DictionaryError ends the command); its skipped lines are warned about on stderr."""
    from electra_lsp.checker import load_checker as load
    from electra_lsp.dictionary import UserDictionary, dictionary_path
    from electra_lsp.engine.factory import load_backend

    backend = load_backend(settings)  # first: a missing model is the error to report
    dictionary = UserDictionary(dictionary_path(settings.dictionaryPath))
    for warning in dictionary.warnings:
        print(f"electra-lsp: warning: {warning}", file=sys.stderr)
    return load(settings, dictionary, backend=backend)


def setup_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean "cannot start": reported in one line, exit 2."""
    from electra_lsp.dictionary import DictionaryError
    from electra_lsp.engine.decide import CombinerError
    from electra_lsp.engine.lexicon import LexiconError
    from electra_lsp.engine.ngrams import NgramError
    from electra_lsp.engine.resolve import ModelLoadError

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
    if sum(path == STDIN for path in args.paths) > 1:
        raise InputError("standard input (-) given more than once")
    files = list(iter_input_files(args.paths))
    if not files:
        raise InputError("no .md, .markdown or .txt files found under " +
                         ", ".join(str(p) for p in args.paths))
    try:
        return load_checker(settings), files
    except setup_errors() as error:
        raise InputError(str(error)) from None


def input_path(value: str) -> InputPath:
    """argparse type of a PATH argument: `-` is standard input (`./-` is a file named -)."""
    return STDIN if value == STDIN else Path(value)


def display_name(path: InputPath) -> str:
    """How output names an input: the path, or <stdin>."""
    return STDIN_NAME if path == STDIN else str(path)


def document_kind(path: InputPath) -> str:
    """Standard input is read as Markdown (plain prose is Markdown too)."""
    return kinds.MARKDOWN if path == STDIN else kinds.kind_of_path(path)


def iter_input_files(paths: Sequence[InputPath]) -> Iterator[InputPath]:
    """Files named, and .md/.markdown/.txt files under directories (symlinks not followed)."""
    for path in paths:
        if path == STDIN:
            yield STDIN
        elif path.is_dir():
            for root, directories, files in os.walk(path):
                directories[:] = sorted(d for d in directories if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root) / name
                    if child.suffix.lower() in kinds.SUFFIXES and \
                            not child.is_symlink():
                        yield child
        else:
            yield path


@dataclass(frozen=True)
class InputFile:
    path: InputPath
    data: bytes
    text: str

    @property
    def name(self) -> str:
        return display_name(self.path)


def read_input(path: InputPath) -> InputFile:
    name = display_name(path)
    try:
        data = _read_stdin() if path == STDIN else path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise InputError(f"{name}: binary file, not checked")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # error.object is the data after a byte-order mark; say the byte's place in the input.
        # What comes before the bad byte decodes, so its lines are counted as `check` counts.
        line = len(line_starts(error.object[:error.start].decode("utf-8")))
        byte = len(data) - len(error.object) + error.start + 1
        raise InputError(f"{name}: not valid UTF-8 at line {line} (byte {byte} of the "
                         f"{'input' if path == STDIN else 'file'}); convert it to UTF-8 first"
                         ) from None
    return InputFile(path, data, text)


def _read_stdin() -> bytes:
    """Standard input's bytes (UTF-8 expected whatever the locale says)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer.read()
    return sys.stdin.read().encode("utf-8")  # a text-only stand-in (tests, embedding)


def check_files(checker: Any, paths: Iterable[InputPath],
                error: Callable[[InputError], None]) -> list[tuple[InputFile, list[Any]]]:
    """(file, findings) for each readable file, in order; `error` is told of each file that
    cannot be read. Each file's own vocabulary weighs (`Checker.check`), and the files checked
    together are its workspace, as the language server's folders are: a written word they
    use WORKSPACE_REPEATS times in all is meant (`workspace.without_workspace_words`: git's
    变基 once or twice in each of many files). Like the server's, the workspace holds the prose
    of the files up to `workspace.MAX_CHARACTERS` characters (later files are still checked,
    with what was read)."""
    from electra_lsp.checker import prose
    from electra_lsp.workspace import MAX_CHARACTERS, WorkspaceVocabulary, without_workspace_words

    checked = []
    vocabulary = WorkspaceVocabulary()
    total = 0
    for path in paths:
        try:
            source = read_input(path)
        except InputError as problem:
            error(problem)
            continue
        findings, sentences = checker.check_document(source.text, document_kind(path))
        checked.append((source, findings))
        if total < MAX_CHARACTERS:
            written = prose(sentences)
            vocabulary.files[str(len(checked))] = written
            total += len(written)
        else:
            vocabulary.truncated = True
    # One file alone too, so that `check FILE` and the server agree.
    return [(source, without_workspace_words(findings, vocabulary))
            for source, findings in checked]
