"""Edit latency in the real language server over stdio: a 10,000-character Chinese Markdown
document is open, one character in the middle changes, and we time didChange → the
publishDiagnostics of that version (debounceMs 0). Also cold start: process start →
initialize response, and → first diagnostics of the opened document; and the server's memory.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.common import markdown_document, median, percentile, table
from bench.engine import Context, onnx_available
from bench.lsp_client import LspProcess, server_command, server_environment, utf16_position

TITLE = "Edit latency in the language server"
DOCUMENT_CHARACTERS = 10_000
EDITS = 30
URI = "file:///bench/document.md"
# One distinct replacement per edit, so every edited sentence is new to the sentence cache.
REPLACEMENTS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星山川风云雨雪"
START_TIMEOUT = 600.0  # seconds; a random base model checks the whole document first
EDIT_TIMEOUT = 120.0


def edit_position(text: str) -> int:
    """A CJK character in a prose paragraph near the middle (not code, heading or list)."""
    from electra_lsp.engine.charclass import is_cjk

    offset, fenced = 0, False
    candidates = []
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line and not line.startswith(("#", "-", " ")):
            candidates += [offset + i for i, c in enumerate(line) if is_cjk(c)]
        offset += len(line) + 1
    middle = len(text) // 2
    return min(candidates, key=lambda i: abs(i - middle))


async def measure(arguments: list[str], text: str, edits: int) -> dict[str, float]:
    server = LspProcess(server_command(arguments), server_environment())
    await server.start()
    try:
        capabilities = {"textDocument": {"publishDiagnostics": {"versionSupport": True},
                                         "synchronization": {"didSave": False}},
                        "general": {"positionEncodings": ["utf-16"]}}
        await server.request("initialize", {"processId": None, "rootUri": None,
                                            "capabilities": capabilities})
        initialize_s = time.perf_counter() - server.started
        server.notify("initialized", {})
        opened = server.diagnostics_for(URI, 1)
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": URI, "languageId": "markdown", "version": 1, "text": text}})
        first_time, first = await asyncio.wait_for(opened, START_TIMEOUT)
        if not first and any(s.get("state") == "error" for s in server.statuses):
            raise RuntimeError(f"the server could not load the models: {server.statuses[-1]}")
        first_diagnostics_s = first_time - server.started
        position = edit_position(text)
        current = text
        latencies, counts = [], []
        for number in range(edits):
            version = number + 2
            replacement = REPLACEMENTS[number % len(REPLACEMENTS)]
            start = utf16_position(current, position)
            end = utf16_position(current, position + 1)
            current = current[:position] + replacement + current[position + 1:]
            published = server.diagnostics_for(URI, version)
            sent = time.perf_counter()
            server.notify("textDocument/didChange", {
                "textDocument": {"uri": URI, "version": version},
                "contentChanges": [{"range": {"start": start, "end": end}, "text": replacement}]})
            arrived, items = await asyncio.wait_for(published, EDIT_TIMEOUT)
            latencies.append((arrived - sent) * 1000)
            counts.append(len(items))
            await asyncio.sleep(0.02)
        rss, peak = server.rss_mb()
    finally:
        await server.stop()
    return {"initialize_s": initialize_s, "first_diagnostics_s": first_diagnostics_s,
            "median_ms": median(latencies), "p90_ms": percentile(latencies, 0.9),
            "min_ms": min(latencies), "diagnostics": median(counts), "rss_mb": rss,
            "peak_rss_mb": peak, "initial_diagnostics": len(first)}


def run(context: Context) -> str:
    text, source = markdown_document(DOCUMENT_CHARACTERS)
    edits = 10 if context.quick else EDITS
    rows = []
    with tempfile.TemporaryDirectory(prefix="electra-lsp-bench-") as scratch:
        dictionary = Path(scratch) / "words.txt"
        for pair in context.pairs:
            variants = [("torch", []), ("torch", ["--threads", "1"])]
            variants += [("onnx", [])] if onnx_available() else []
            for backend, extra in variants:
                if extra and pair.random and pair.short != "base":
                    continue  # the thread lever matters most for the default and base sizes
                arguments = ["--discriminator", str(pair.discriminator), "--generator",
                             str(pair.generator), "--backend", backend, "--debounce-ms", "0",
                             "--dictionary-path", str(dictionary), *extra]
                if pair.threshold is not None:
                    arguments += ["--threshold", str(pair.threshold)]
                print(f"edit latency: {pair.label}, {backend} {extra}", file=sys.stderr)
                result = asyncio.run(measure(arguments, text, edits))
                label = backend + (" (1 thread)" if extra else "")
                rows.append([pair.label, label, f"{result['median_ms']:.0f}",
                             f"{result['p90_ms']:.0f}", f"{result['min_ms']:.0f}",
                             f"{result['initialize_s']:.2f}",
                             f"{result['first_diagnostics_s']:.1f}",
                             f"{result['diagnostics']:.0f}", f"{result['rss_mb']:.0f}",
                             f"{result['peak_rss_mb']:.0f}"])
    return "\n".join([
        f"Document: {len(text):,} characters of Markdown (headings, paragraphs, lists, code) "
        f"from {source}. Server: `python -m electra_lsp --stdio`, debounceMs 0, a plain "
        f"JSON-RPC client over stdio. {edits} edits, each replacing one character in a "
        "paragraph at the middle of the document with a different character (so the edited "
        "sentence is never cached); latency = didChange sent → publishDiagnostics of that "
        "version received, which includes re-extracting the whole document, the sentence "
        "cache for the unchanged sentences, the models on the changed one, and converting and "
        "sending every diagnostic of the document. Cold start: process start → initialize "
        "response, and → the first diagnostics of the document opened right after "
        "`initialized` (model load, warm-up and a full check). RSS read from /proc after the "
        "edits (VmRSS, and VmHWM = peak).",
        "",
        table(["model", "backend", "edit median ms", "p90 ms", "min ms", "initialize s",
               "first diagnostics s", "diagnostics", "RSS MB", "peak RSS MB"], rows),
    ])
