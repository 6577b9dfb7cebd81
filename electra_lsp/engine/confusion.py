"""Which characters a writer could have meant: similar in sound (pinyin) or in shape.

Sound: the same-pinyin table from the shared confusion data, plus pypinyin readings of every
known character grouped by toneless pinyin with common fuzzy pairs merged (zh/z, ch/c, sh/s,
n/l, -ang/-an, -eng/-en, -ing/-in), so heteronyms and regional mix-ups are covered. Only
readings in use count: a character's first reading and those its words in pypinyin's phrase
dictionary use (行 háng in 银行 stays; 也 yí, 透 shū, 搜 xiāo, archaic readings no word uses,
go: they made 也/印, 透/书 and 搜/号 "same sound"). The readings come from a table built from
pypinyin (data/confusion/readings.tsv, `train/readings.py`), not from pypinyin at run time.
Shape: the same-stroke groups from the confusion data.

Not all similar characters are equally likely to be what a writer meant: in real errors the
intended character usually sounds exactly the same, tone included, and one that both sounds and
looks like the written one (侯/候) is far likelier still. `kind()` names how a
candidate is similar, and `weights()` turns kinds into prior weights (a noisy-channel P(written |
meant) up to a constant) read from `similarity_weights.json`, estimated on training pairs by
`python -m electra_lsp.train.similarity_weights`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from electra_lsp.engine.charclass import is_cjk
from electra_lsp.paths import data_dir

_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
# How a candidate is similar to the written character, most specific first. In SIGHAN-15
# training pairs a candidate similar in sound and shape at once was the intended character
# about 6-12 times as often as one similar in sound only.
KINDS = ("sound_and_shape", "same_tone", "other_tone", "listed", "fuzzy_sound", "shape")
WEIGHTS_FILE = "similarity_weights.json"
READINGS_FILE = "readings.tsv"


def fuzzy_key(syllable: str) -> str:
    """Collapse a toneless syllable onto its fuzzy class (e.g. 'zhang' and 'zan' meet at 'zan')."""
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


@lru_cache(maxsize=1)
def _readings_table() -> dict[str, tuple[str, ...]]:
    """{character: readings in use with tone numbers, the first (most common) one first}, from
    data/confusion/readings.tsv (built from pypinyin by `python -m electra_lsp.train.readings`;
    reading the table instead of importing pypinyin keeps ~56 MB of its dictionaries out of
    the server). Raises OSError naming the file when it is missing."""
    path = data_dir() / "confusion" / READINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise OSError(f"cannot read the pinyin readings table {path}: {error}. Reinstall "
                      "electra-lsp or rebuild it: python -m electra_lsp.train.readings") from None
    shared: dict[str, str] = {}  # ~1,500 distinct syllables for ~42,000 characters
    table = {}
    for line in text.splitlines():
        char, _, found = line.partition("\t")
        table[char] = tuple(shared.setdefault(r, r) for r in found.split(" ") if r)
    return table


def _readings_in_use(char: str) -> tuple[str, ...]:
    """Readings with tone numbers, the first (most common) one and those a word uses."""
    return _readings_table().get(char, ())


@lru_cache(maxsize=65536)
def toned_readings(char: str) -> frozenset[str]:
    """Pinyin readings in use with tone numbers (see the module docstring)."""
    return frozenset(_readings_in_use(char))


@lru_cache(maxsize=65536)  # kind() asks for every candidate of every flagged character
def readings(char: str) -> tuple[str, ...]:
    """Toneless pinyin readings in use of one character; () when unknown."""
    toneless = dict.fromkeys(reading.rstrip("012345") for reading in _readings_in_use(char))
    return tuple(reading for reading in toneless if re.fullmatch(r"[a-zü]+", reading))


class ConfusionSets:
    """Similar-character lookup over a universe of characters (normally the model vocabulary)."""

    def __init__(
        self,
        same_pinyin: dict[str, set[str]],
        same_shape: dict[str, set[str]],
        universe: Iterable[str],
        kind_weights: dict[str, float] | None = None,
    ) -> None:
        self._same_pinyin = same_pinyin
        self._same_shape = same_shape
        self.kind_weights = dict(kind_weights or {})  # empty: every kind weighs 1
        by_sound: dict[str, set[str]] = defaultdict(set)
        self._keys: dict[str, set[str]] = {}
        for char in {c for c in universe if len(c) == 1 and is_cjk(c)}:
            keys = {fuzzy_key(reading) for reading in readings(char)}
            self._keys[char] = keys
            for key in keys:
                by_sound[key].add(char)
        self._by_sound = by_sound
        self._kinds: dict[str, dict[str, str]] = {}

    def similar_sound(self, char: str) -> set[str]:
        """Characters that sound like `char` (same or other tone; empty when unknown)."""
        keys = self._keys.get(char)
        if keys is None:
            keys = {fuzzy_key(reading) for reading in readings(char)}
        result = set(self._same_pinyin.get(char, ()))
        for key in keys:
            result |= self._by_sound.get(key, set())
        result.discard(char)
        return result

    def similar_shape(self, char: str) -> set[str]:
        """Characters that look like `char` (empty when unknown)."""
        result = set(self._same_shape.get(char, ()))
        result.discard(char)
        return result

    def similar(self, char: str) -> set[str]:
        """Characters a writer may have meant instead of `char`: similar in sound or shape."""
        return self.similar_sound(char) | self.similar_shape(char)

    def similar_kinds(self, char: str) -> dict[str, str]:
        """{similar character: its kind} for `char`, cached (the evidence asks per position)."""
        found = self._kinds.get(char)
        if found is None:
            found = {c: k for c in self.similar(char) if (k := self.kind(char, c)) is not None}
            if len(self._kinds) < 65536:
                self._kinds[char] = found
        return found

    def is_similar(self, written: str, meant: str) -> bool:
        """Whether `meant` is among the characters similar to `written`."""
        return meant in self.similar(written)

    def kind(self, written: str, meant: str) -> str | None:
        """How `meant` is similar to `written` (one of KINDS), or None if it is not."""
        sound = self._sound_kind(written, meant)
        shape = meant in self._same_shape.get(written, ())
        if sound and shape:
            return "sound_and_shape"
        return sound or ("shape" if shape else None)

    def _sound_kind(self, written: str, meant: str) -> str | None:
        if toned_readings(written) & toned_readings(meant):
            return "same_tone"
        if set(readings(written)) & set(readings(meant)):
            return "other_tone"
        if meant in self._same_pinyin.get(written, ()):
            return "listed"
        written_sounds = self._keys.get(written) or {fuzzy_key(r) for r in readings(written)}
        meant_sounds = self._keys.get(meant) or {fuzzy_key(r) for r in readings(meant)}
        if written_sounds & meant_sounds:
            return "fuzzy_sound"
        return None

    def weights(self, written: str, candidates: Iterable[str]) -> dict[str, float]:
        """Prior weight of each candidate as what the writer meant (1.0 without weights)."""
        if not self.kind_weights:
            return dict.fromkeys(candidates, 1.0)
        return {c: self.kind_weights.get(self.kind(written, c) or "", 0.0) for c in candidates}


def parse_same_pinyin(lines: Iterable[str]) -> dict[str, set[str]]:
    """`char<TAB>same tone<TAB>other tone` lines; the relation is made symmetric."""
    table: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        char, *groups = line.rstrip("\n").split("\t")
        for other in "".join(groups):
            if other != char and is_cjk(other):
                table[char].add(other)
                table[other].add(char)
    return dict(table)


def parse_same_shape(lines: Iterable[str]) -> dict[str, set[str]]:
    """Each line is a group of similar-looking characters, all similar to each other."""
    table: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        group = [c for c in line if is_cjk(c)]
        for char in group:
            table[char].update(other for other in group if other != char)
    return dict(table)


@lru_cache(maxsize=4)
def load_confusion(universe: frozenset[str], directory: Path | None = None) -> ConfusionSets:
    """The confusion sets shipped in `data/confusion/`, over `universe` (e.g. the vocab chars)."""
    directory = directory or data_dir() / "confusion"
    try:
        same_pinyin = (directory / "same_pinyin.txt").read_text(encoding="utf-8").splitlines()
        same_shape = (directory / "same_stroke.txt").read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise FileNotFoundError(
            f"confusion data missing in {directory}: {error}. Reinstall electra-lsp."
        ) from None
    return ConfusionSets(parse_same_pinyin(same_pinyin), parse_same_shape(same_shape), universe,
                         read_kind_weights(directory / WEIGHTS_FILE))


def read_kind_weights(path: Path) -> dict[str, float]:
    """{kind: weight} from a similarity_weights.json; {} (all equal) when there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    weights = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(weights, dict) or not all(
            k in KINDS and isinstance(v, int | float) and v >= 0 for k, v in weights.items()):
        raise ValueError(f"{path}: expected {{\"weights\": {{kind: weight >= 0}}}} with kinds "
                         f"{', '.join(KINDS)}")
    return {k: float(v) for k, v in weights.items()}
