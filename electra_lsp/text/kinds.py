"""Document kinds, the one place that maps names to them: how the text layer reads a document
("markdown" or "plaintext"), from a kind name, an LSP language id or a file suffix."""

from __future__ import annotations

from pathlib import PurePath

MARKDOWN = "markdown"
PLAINTEXT = "plaintext"
KINDS = (MARKDOWN, PLAINTEXT)
# Other names of the two kinds (in kind arguments, LSP language ids and the fileTypes setting).
ALIASES = {"md": MARKDOWN, "text": PLAINTEXT, "txt": PLAINTEXT, "plain": PLAINTEXT}
MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt",)
SUFFIXES = MARKDOWN_SUFFIXES + TEXT_SUFFIXES  # files `check` and `fix` find in directories


def normalize(name: str) -> str:
    """A kind name or language id, lower-cased with its aliases resolved ("md" → "markdown");
    other names are returned lower-cased."""
    name = name.lower()
    return ALIASES.get(name, name)


def parse_kind(name: str) -> str:
    """The kind a name stands for ("markdown", "MD", "text" ...).

    Raises ValueError naming the accepted names for anything else.
    """
    kind = normalize(name)
    if kind not in KINDS:
        accepted = sorted(set(KINDS) | set(ALIASES))
        raise ValueError(f"unknown document kind {name!r}: expected one of "
                         f"{', '.join(accepted)}")
    return kind


def kind_of_language(language_id: str) -> str:
    """How a document with this LSP language id is read: Markdown, anything else plain text."""
    return MARKDOWN if normalize(language_id) == MARKDOWN else PLAINTEXT


def kind_of_path(path: PurePath) -> str:
    """How a file is read: .md/.markdown as Markdown, anything else as plain text."""
    return MARKDOWN if path.suffix.lower() in MARKDOWN_SUFFIXES else PLAINTEXT
