"""The user dictionary: words (names, terms) whose characters are never reported.

One word per line, UTF-8; lines starting with # are comments. A line that is not one word (it
holds a space or a tab, or is longer than MAX_WORD characters) is skipped and named in
`warnings`; the rest of the file is still read. Additions are written atomically (temporary
file + rename) so a crash never leaves a half-written dictionary.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "electra-lsp"
MAX_WORD = 64  # characters; a longer "word" is a pasted paragraph, not a dictionary entry


def default_dictionary_path() -> Path:
    """The user dictionary when the dictionaryPath setting is empty: `dictionary.txt` in the
    platform's user data directory (e.g. ~/.local/share/electra-lsp/ on Linux)."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "dictionary.txt"


def dictionary_path(setting: str | None) -> Path:
    """The file the dictionaryPath setting names (`~` expanded), or the default one."""
    return Path(setting).expanduser() if setting else default_dictionary_path()


class DictionaryError(OSError):
    """The dictionary file cannot be read or written; the message names the file."""


def open_dictionary(setting: str | None) -> tuple[UserDictionary, list[str]]:
    """The user dictionary the dictionaryPath setting names, and warnings to show.

    Never raises: an unreadable dictionary is reported in the warnings and replaced by an empty
    one (the models still work, and additions are kept in memory). `UserDictionary(path)` is
    the strict way (it raises DictionaryError), as the command line wants.
    """
    path = dictionary_path(setting)
    try:
        dictionary = UserDictionary(path)
        return dictionary, list(dictionary.warnings)
    except DictionaryError as error:
        return UserDictionary(), [f"{error}; the dictionary is empty for this session"]


class UserDictionary:
    """A set of words; `covers` says whether a span of text lies inside one of them.

    With a `path` the file is read at once (DictionaryError if it cannot be; lines that are not
    one word are skipped and named in `warnings`) and `add` writes it back.
    """

    def __init__(self, path: Path | None = None, words: set[str] | None = None) -> None:
        self.path = path
        self._words: set[str] = set(words or ())
        self._lock = threading.Lock()
        self.warnings: list[str] = []  # lines skipped when the file was read
        if path is not None:
            self._words |= self._read(path)

    def _read(self, path: Path) -> set[str]:
        if path.is_symlink():
            raise DictionaryError(f"dictionary {path} is a symbolic link; name the file itself")
        if not path.exists():
            return set()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise DictionaryError(f"cannot read dictionary {path}: {error}") from None
        words = set()
        skipped = []
        for number, line in enumerate(lines, start=1):
            word = line.strip()
            if not word or word.startswith("#"):
                continue
            if len(word) > MAX_WORD or any(c.isspace() for c in word):
                skipped.append(number)
                continue
            words.add(word)
        if skipped:
            shown = ", ".join(map(str, skipped[:5])) + (" ..." if len(skipped) > 5 else "")
            self.warnings.append(
                f"dictionary {path}: skipped {len(skipped)} line{'s' if len(skipped) > 1 else ''}"
                f" that are not one word (line {shown}); the other words are used")
        return words

    @property
    def words(self) -> frozenset[str]:
        """The words, a snapshot."""
        return frozenset(self._words)

    def add(self, word: str) -> bool:
        """Add a word (persisted when the dictionary has a file); False if already present."""
        word = word.strip()
        if not word or "\n" in word:
            raise ValueError("a dictionary word must be non-empty and on one line")
        with self._lock:
            if word in self._words:
                return False
            self._words.add(word)
            if self.path is not None:
                self._write(self.path, sorted(self._words))
        return True

    @staticmethod
    def _write(path: Path, words: list[str]) -> None:
        if path.is_symlink():
            raise DictionaryError(f"dictionary {path} is a symbolic link; not writing through it")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".dictionary-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write("# electra-lsp user dictionary: one word per line\n")
                file.write("".join(word + "\n" for word in words))
            os.replace(temporary, path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise DictionaryError(f"cannot write dictionary {path}: {error}") from None

    def covers(self, text: str, start: int, end: int) -> bool:
        """Whether [start, end) of `text` lies inside an occurrence of a dictionary word."""
        for word in self._words:
            search_from = max(0, start - len(word) + 1)
            found = text.find(word, search_from)
            while found != -1 and found < end:
                if found <= start and found + len(word) >= end:
                    return True
                found = text.find(word, found + 1)
        return False
