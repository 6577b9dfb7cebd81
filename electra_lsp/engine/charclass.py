"""Which characters are checked: Chinese ideographs only (no Latin, digits or punctuation)."""

from __future__ import annotations

CJK_RANGES = (  # inclusive code point ranges
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0x3400, 0x4DBF),  # Extension A
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EBEF),  # Extensions C-F
    (0x30000, 0x323AF),  # Extensions G-H
    (0xF900, 0xFAFF),  # Compatibility Ideographs
)


# The same ranges as a regular-expression character class (sentences.py looks for them).
CJK_CLASS = "[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in CJK_RANGES) + "]"


def is_cjk(char: str) -> bool:
    """Whether one character (a str of length 1) is a Chinese ideograph (`CJK_RANGES`)."""
    code = ord(char)
    if 0x4E00 <= code <= 0x9FFF:  # the common case first: called for every character
        return True
    return any(low <= code <= high for low, high in CJK_RANGES[1:])
