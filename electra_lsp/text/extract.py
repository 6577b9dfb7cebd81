"""Entry point of the text layer: a document and its kind -> prose segments to check."""

from __future__ import annotations

from electra_lsp.text.segments import Segment

MARKDOWN_KINDS = frozenset({"markdown", "md"})
PLAIN_KINDS = frozenset({"plaintext", "text", "plain", "txt"})


def extract_segments(text: str, kind: str) -> list[Segment]:
    """Prose segments of `text`; `segment.offsets[i]` is the document index of `text[i]`.

    kind: "markdown"/"md" or "plaintext"/"text". Regions switched off by
    `<!-- electra-lsp-disable -->` and friends are left out. Segments never contain a line
    break and are never blank; they may still hold no Chinese (see `split_sentences`).
    """
    normalized = kind.lower()
    if normalized in MARKDOWN_KINDS:
        from electra_lsp.text.markdown import markdown_segments

        return markdown_segments(text)
    if normalized in PLAIN_KINDS:
        from electra_lsp.text.plain import plain_segments

        return plain_segments(text)
    raise ValueError(
        f"unknown document kind {kind!r}: expected one of "
        f"{', '.join(sorted(MARKDOWN_KINDS | PLAIN_KINDS))}"
    )
