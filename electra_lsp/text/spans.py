"""Spans that are never prose, whatever the file type: URLs, e-mail addresses and file paths.

`non_prose_spans(text)` is the one definition; the Markdown and plain-text extractors put a
`PLACEHOLDER` where it finds a span. A span needs its ASCII structure, so ordinary prose with a
dot or a slash (`1.5倍`, `A/B 测试`, `和/或`, `版本 3.2.1`) is left alone:

- a URL: a scheme (`https://`), `www.`, or a host ending in a known top-level domain
  (`例子.com/侯选/包.zip`), with an optional port, path, query and fragment;
- an e-mail address: a local part, `@` and a domain with a dot (`侯选@例子.com`);
- a file path: `/` with at least one more `/` (`/usr/local/侯选.txt`), `./`, `../`, `~/` or a
  drive letter (`C:\\用户\\侯选.txt`).

Chinese characters may stand inside a span (IRIs, Chinese folder names). A span runs to
whitespace or to Chinese/full-width punctuation (`，。；：！？、（）「」` ...); ASCII `.,;:!?'` and
an unbalanced closing bracket at its very end are left out (`见 https://a.com/b.` ends before
the full stop). A host or local part holding Chinese must start at the start of the text, after
whitespace or after punctuation; an ASCII one may follow Chinese directly (`访问example.com`).
"""

from __future__ import annotations

import re

# Ends every span: whitespace, <, >, ", ` and Chinese/full-width punctuation.
_STOP = r"\s<>\"`，。；：！？、（）「」『』【】《》“”‘’〈〉〔〕［］｛｝…—～｜"
_BODY = rf"[^{_STOP}]"
_TLDS = (
    "com|net|org|cn|io|edu|gov|mil|int|info|biz|dev|app|ai|co|me|cc|tv|xyz|top|tech|site|"
    "online|cloud|wiki|blog|shop|store|news|hk|tw|mo|jp|kr|sg|uk|us|eu|de|fr|ru|ca|au"
)
_ASCII_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_ANY_LABEL = r"[^\W_](?:[\w\-]*[^\W_])?"  # may hold Chinese
# A first label (or local part) that holds Chinese ends in it: in "访问example.com" the host is
# "example.com", found by its ASCII start.
_NON_ASCII = r"[^\x00-\x7f\W]"
_CJK_LABEL = rf"(?:[^\W_][\w\-]*)?{_NON_ASCII}"
# Before an ASCII start: no ASCII word character nor URL punctuation. Before a start that may
# hold Chinese: no word character at all (Chinese has no spaces to end a word).
_ASCII_START = r"(?<![A-Za-z0-9_.%+\-@/\\~])"
_ANY_START = r"(?<![\w.%+\-@/\\~])"
_FIRST_LABEL = rf"(?:{_ASCII_START}{_ASCII_LABEL}|{_ANY_START}{_CJK_LABEL})"

_SCHEME_URL = rf"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://{_BODY}*"
_WWW_URL = rf"{_ASCII_START}(?i:www)\.{_BODY}+"
_EMAIL = (
    rf"(?:(?i:mailto):)?(?:{_ASCII_START}[A-Za-z0-9_.%+\-]+|{_ANY_START}[\w.%+\-]*{_NON_ASCII})"
    rf"@(?:{_ANY_LABEL}\.)+[A-Za-z]{{2,}}(?![A-Za-z0-9\-])"
)
_DOMAIN_URL = (
    rf"{_FIRST_LABEL}\.(?:{_ANY_LABEL}\.)*(?i:{_TLDS})(?![A-Za-z0-9\-])"
    rf"(?::[0-9]+)?(?:[/?#]{_BODY}*)?"
)
_WINDOWS_PATH = rf"{_ASCII_START}[A-Za-z]:[\\/]{_BODY}+"
_RELATIVE_PATH = rf"{_ASCII_START}(?:\.\.?|~)[/\\]{_BODY}+"
# An absolute path needs a second "/": after Chinese, its first part must be ASCII ("打开/usr/
# 侯选" is a path, "甲/乙/丙" is not).
_ABSOLUTE_PATH = (
    rf"{_ANY_START}/(?:[^{_STOP}/]+/)+{_BODY}*"
    rf"|{_ASCII_START}/[A-Za-z0-9_.\-]+/{_BODY}*"
)
_SPAN_RE = re.compile(
    "|".join(
        f"(?:{part})"
        for part in (_SCHEME_URL, _EMAIL, _WWW_URL, _WINDOWS_PATH, _RELATIVE_PATH,
                     _ABSOLUTE_PATH, _DOMAIN_URL)
    )
)
_TRAILING = ".,;:!?'"
_CLOSING = {")": "(", "]": "[", "}": "{"}


def _trimmed_end(text: str, start: int, end: int) -> int:
    """`end` without trailing ASCII punctuation and unbalanced closing brackets."""
    while end > start:
        char = text[end - 1]
        if char in _TRAILING:
            end -= 1
        elif char in _CLOSING:
            body = text[start:end]
            if body.count(char) <= body.count(_CLOSING[char]):
                break
            end -= 1
        else:
            break
    return end


def non_prose_spans(text: str) -> list[tuple[int, int]]:
    """Half-open `(start, end)` ranges of `text` holding a URL, e-mail address or file path;
    sorted, not overlapping."""
    spans: list[tuple[int, int]] = []
    for match in _SPAN_RE.finditer(text):
        end = _trimmed_end(text, match.start(), match.end())
        if end > match.start():
            spans.append((match.start(), end))
    return spans
