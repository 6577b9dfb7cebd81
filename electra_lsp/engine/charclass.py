"""Which characters are checked: Chinese ideographs only (no Latin, digits or punctuation)."""

from __future__ import annotations

_CJK_RANGES = (
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0x3400, 0x4DBF),  # Extension A
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EBEF),  # Extensions C-F
    (0x30000, 0x323AF),  # Extensions G-H
    (0xF900, 0xFAFF),  # Compatibility Ideographs
)


def is_cjk(char: str) -> bool:
    code = ord(char)
    if 0x4E00 <= code <= 0x9FFF:  # the common case first: called for every character
        return True
    return any(low <= code <= high for low, high in _CJK_RANGES[1:])
