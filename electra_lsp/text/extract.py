"""Entry point of the text layer: a document and its kind -> prose segments to check."""

from __future__ import annotations

from electra_lsp.text.kinds import MARKDOWN, parse_kind
from electra_lsp.text.segments import Segment


def extract_segments(text: str, kind: str) -> list[Segment]:
    """Prose segments of `text`; `segment.offsets[i]` is the document index of `text[i]`.

    kind: "markdown"/"md" or "plaintext"/"text". Regions switched off by
    `<!-- electra-lsp-disable -->` and friends are left out. Segments never contain a line
    break and are never blank; they may still hold no Chinese (see `split_sentences`).
    Raises ValueError for an unknown kind (see `kinds.parse_kind`).
    """
    if parse_kind(kind) == MARKDOWN:
        from electra_lsp.text.markdown import markdown_segments

        return markdown_segments(text)
    from electra_lsp.text.plain import plain_segments

    return plain_segments(text)
