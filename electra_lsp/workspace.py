"""The workspace's vocabulary: a word the writer's files use again and again is what they mean.

A document's own usage already weighs (`checker.without_document_vocabulary`), but a term of a
project's documentation (git's 变基, a team's product name) may appear once or twice in each
of many files, so that no single file shows it is meant. `check` and `fix` take the files
they check together as their workspace; the language server reads the prose
of the Markdown and text files under the workspace folders once the models are ready (at most
MAX_FILES files and MAX_CHARACTERS characters of prose, hidden and vendored directories left
out); an open document counts with its current text instead of what is on disk. A finding
whose written word (the text its fix's word would replace: 变基 for 变基 → 变革) the
workspace writes WORKSPACE_REPEATS times or more is left out, unless it is no word and its
fix one of the commonest words (`Evidence.fixes_a_common_word`). The folders are read again
when the client adds or removes one, and a file the client reports created, changed or
deleted (workspace/didChangeWatchedFiles, registered where the client allows) is read again
or forgotten.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from electra_lsp.findings import Finding
from electra_lsp.text import kinds

# A written word used this often across the workspace is meant (the same count as for a
# pair within a document against sure evidence: checker.DOCUMENT_REPEATS_SURE).
WORKSPACE_REPEATS = 10
MAX_FILES = 2_000
MAX_CHARACTERS = 4_000_000  # of prose: at most ~16 MB of text kept
MAX_FILE_BYTES = 2_000_000  # larger files are skipped (generated, not written)
MAX_ENTRIES = 200_000  # directory entries of any kind a scan looks at, at most
SKIPPED_DIRECTORIES = frozenset({"node_modules", "site-packages", "__pycache__", "venv",
                                 "build", "dist", "target", "vendor", "_build"})


@dataclass
class WorkspaceVocabulary:
    """Prose of the workspace's files by path, the open documents' overriding them."""

    files: dict[str, str] = field(default_factory=dict)  # path → prose read from disk
    opened: dict[str, str] = field(default_factory=dict)  # path → prose of the open document
    truncated: bool = False  # a limit stopped the scan (not every file counted)

    def uses(self, word: str) -> int:
        """How often `word` occurs in the workspace's prose (occurrences, not overlapping)."""
        # Copies: the server opens, closes and updates files from other threads.
        opened = dict(self.opened)
        count = sum(text.count(word) for path, text in list(self.files.items())
                    if path not in opened)
        return count + sum(text.count(word) for text in opened.values())

    def open(self, path: str, prose: str) -> None:
        """The open document at `path` now reads `prose`."""
        self.opened[path] = prose

    def close(self, path: str) -> None:
        """The document at `path` closed: its file on disk counts again."""
        self.opened.pop(path, None)

    @property
    def characters(self) -> int:
        """Characters of prose read from disk."""
        return sum(len(text) for text in list(self.files.values()))


def scan_workspace(roots: Sequence[Path], prose_of: Callable[[str, str], str],
                   max_files: int = MAX_FILES, max_characters: int = MAX_CHARACTERS,
                   max_entries: int = MAX_ENTRIES) -> WorkspaceVocabulary:
    """The prose (`prose_of(text, kind)`) of the .md/.markdown/.txt files under `roots`.

    Unreadable or undecodable files are skipped (they are not the user's to be told about
    here); symlinks are not followed; hidden directories and SKIPPED_DIRECTORIES are left out.
    The walk stops after `max_entries` directory entries of any kind (a home directory opened
    as a workspace holds millions).
    """
    vocabulary = WorkspaceVocabulary()
    total = 0
    listed = _Listing(max_entries)
    for path in _files(roots, listed):
        if len(vocabulary.files) >= max_files or total >= max_characters:
            vocabulary.truncated = True
            break
        prose = file_prose(path, prose_of)
        if prose is not None:
            vocabulary.files[str(path)] = prose[:max_characters - total]
            total += len(vocabulary.files[str(path)])
    vocabulary.truncated |= listed.stopped
    return vocabulary


def file_prose(path: Path, prose_of: Callable[[str, str], str]) -> str | None:
    """The prose of one file; None when it is too large, unreadable or not UTF-8."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return prose_of(text, kinds.kind_of_path(path))


def update_files(vocabulary: WorkspaceVocabulary, roots: Sequence[Path],
                 changed: Iterable[tuple[Path, bool]], prose_of: Callable[[str, str], str],
                 max_files: int = MAX_FILES, max_characters: int = MAX_CHARACTERS) -> bool:
    """Apply changes on disk, (path, deleted), to the vocabulary: a deleted file goes, a
    created or changed one is read again (within the limits; files outside `roots`, in hidden
    or vendored directories, or of other types are left out). Whether anything changed."""
    touched = False
    for path, deleted in changed:
        key = str(path)
        if deleted or not _watched(path, roots):
            touched |= vocabulary.files.pop(key, None) is not None
            continue
        prose = file_prose(path, prose_of)
        if prose is None:
            touched |= vocabulary.files.pop(key, None) is not None
            continue
        room = max_characters - (vocabulary.characters - len(vocabulary.files.get(key, "")))
        if key not in vocabulary.files and len(vocabulary.files) >= max_files or room <= 0:
            vocabulary.truncated = True
            continue
        vocabulary.files[key] = prose[:room]
        touched = True
    return touched


def _watched(path: Path, roots: Sequence[Path]) -> bool:
    """Whether `scan_workspace` would read `path` (a regular .md/.markdown/.txt file under a
    root, in no hidden or vendored directory)."""
    if not _prose_file(path):
        return False
    for root in roots:
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            continue
        return not any(map(_skipped_directory, parts[:-1]))
    return False


def _prose_file(path: Path) -> bool:
    """A Markdown or text file, not a symbolic link."""
    return path.suffix.lower() in kinds.SUFFIXES and not path.is_symlink()


def _skipped_directory(name: str) -> bool:
    """A hidden or vendored directory, never read."""
    return name.startswith(".") or name in SKIPPED_DIRECTORIES


@dataclass
class _Listing:
    """How many directory entries a walk may still look at."""

    left: int
    stopped: bool = False


def _files(roots: Iterable[Path], listing: _Listing) -> Iterator[Path]:
    seen: set[str] = set()
    for root in roots:
        for directory, subdirectories, names in os.walk(root):  # does not follow symlinks
            listing.left -= len(subdirectories) + len(names)
            if listing.left < 0:
                listing.stopped = True
                return
            subdirectories[:] = sorted(d for d in subdirectories if not _skipped_directory(d))
            for name in sorted(names):
                path = Path(directory) / name
                if _prose_file(path) and str(path) not in seen:
                    seen.add(str(path))
                    yield path


def without_workspace_words(findings: list[Finding], vocabulary: WorkspaceVocabulary
                            ) -> list[Finding]:
    """The findings less those whose written word (2+ characters, where the fix makes a word)
    the workspace uses WORKSPACE_REPEATS times or more, unless it is no word and its fix one
    of the commonest words (以经 → 已经: `Evidence.fixes_a_common_word`)."""
    def explained(finding: Finding) -> bool:
        evidence = finding.evidence
        return (evidence is not None and len(evidence.candidate_word) > 1
                and len(evidence.written_word) > 1 and not evidence.fixes_a_common_word
                and vocabulary.uses(evidence.written_word) >= WORKSPACE_REPEATS)

    return [f for f in findings if not explained(f)]
