"""Build `data/confusion/readings.tsv`: each character's pinyin readings in use, from pypinyin.

`python -m electra_lsp.train.readings [--output FILE]` writes one line per character pypinyin
knows (its `pinyin_dict`, ~42,000 code points): the character, a tab, its readings in use with
tone numbers, most common first, space-separated. A reading is in use when it is the
character's first one or a word of pypinyin's phrase dictionary uses it (行 háng in 银行;
也 yí, 透 shū, 搜 xiāo are archaic readings no word uses). The checker reads the table
instead of importing pypinyin (~56 MB of dictionaries in the server); a test checks that the
shipped table is what this builds from the installed pypinyin.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from electra_lsp.engine.confusion import READINGS_FILE
from electra_lsp.paths import data_dir


def _phrase_readings() -> dict[str, set[str]]:
    """{character: the readings (tone numbers) the words of pypinyin's phrase dictionary
    give it} (~47,000 words)."""
    from pypinyin.contrib.tone_convert import to_tone3
    from pypinyin.phrases_dict import phrases_dict

    used: dict[str, set[str]] = defaultdict(set)
    tone3: dict[str, str] = {}  # ~1,500 distinct syllables: convert each once
    for phrase, syllables in phrases_dict.items():
        if len(phrase) == len(syllables):
            for char, options in zip(phrase, syllables, strict=True):
                for option in options:
                    converted = tone3.get(option)
                    if converted is None:
                        converted = tone3[option] = to_tone3(option)
                    used[char].add(converted)
    return used


def readings_in_use() -> Iterator[tuple[str, tuple[str, ...]]]:
    """(character, its readings in use with tone numbers, the first one first), in code
    point order, for every character pypinyin knows that has one."""
    from pypinyin import Style, pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    used = _phrase_readings()
    for code in sorted(pinyin_dict):
        char = chr(code)
        found = pinyin(char, style=Style.TONE3, heteronym=True, errors=lambda _: [[]])
        every = found[0] if found else []
        kept = tuple(dict.fromkeys(reading for number, reading in enumerate(every)
                                   if number == 0 or reading in used.get(char, ())))
        if kept:
            yield char, kept


def write_readings(path: Path) -> int:
    """Write the table to `path`; the number of characters written."""
    lines = [f"{char}\t{' '.join(found)}\n" for char, found in readings_in_use()]
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m electra_lsp.train.readings",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=data_dir() / "confusion" / READINGS_FILE)
    args = parser.parse_args(argv)
    print(f"{write_readings(args.output)} characters → {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
