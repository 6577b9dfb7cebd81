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

from bench.common import markdown_document, median, percentile, prose_offsets, table
from bench.engine import PER_PAIR, Context, onnx_available, process_variants
from bench.lsp_client import LspProcess, server_command, server_environment, utf16_position

TITLE = "Edit latency in the language server"
DOCUMENT_CHARACTERS = 10_000
EDITS = 30
URI = "file:///bench/document.md"
# One distinct replacement per edit, so every edited sentence is new to the sentence cache.
REPLACEMENTS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月星山川风云雨雪"
START_TIMEOUT = 600.0  # seconds; a random base model checks the whole document first
EDIT_TIMEOUT = 120.0
RANDOM_FLAG_RATE = 0.05  # random pairs: flag this share of characters, as a trained model might


def calibrated_threshold(pair, rate: float = RANDOM_FLAG_RATE) -> float:
    """The replaced probability above which `rate` of the characters of real sentences lie.

    A random discriminator scores everything near 0.5; at threshold 0.5 it flags half of a
    10,000-character document, whose first check then takes many minutes and whose thousands
    of diagnostics dominate every publish. A threshold that flags a trained model's share
    keeps the work per edit (discriminator on the sentence, generator on flagged characters)
    comparable to a real model's.
    """
    from bench.common import sentences
    from bench.engine import checker

    texts, _ = sentences(50)
    engine = checker(pair, "onnx" if onnx_available() else "torch", threads=1)
    scores = sorted(score for per_char in engine.backend.replaced_probabilities(texts)
                    for score in per_char if score > 0.0)
    return scores[int(len(scores) * (1 - rate))]


def edit_position(text: str) -> int:
    """A CJK character in a prose paragraph near the middle (not code, heading or list)."""
    candidates = prose_offsets(text)
    middle = len(text) // 2
    return min(candidates, key=lambda i: abs(i - middle))


async def measure(arguments: list[str], text: str, edits: int,
                  environment: dict[str, str]) -> dict[str, float]:
    server = LspProcess(server_command(arguments), {**server_environment(), **environment})
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
    thresholds = {p.label: calibrated_threshold(p) for p in context.pairs if p.random}
    with tempfile.TemporaryDirectory(prefix="electra-lsp-bench-") as scratch:
        dictionary = Path(scratch) / "words.txt"
        for pair in context.pairs:
            for variant in process_variants():
                if pair is not context.pairs[0] and variant.label not in PER_PAIR:
                    continue  # thread levers on the first pair only: random pairs are slow
                arguments = ["--discriminator", str(pair.discriminator), "--generator",
                             str(pair.generator), "--backend", variant.backend,
                             "--debounce-ms", "0", "--dictionary-path", str(dictionary),
                             *variant.arguments]
                if pair.random:
                    arguments += ["--threshold", f"{thresholds[pair.label]:.6f}"]
                elif pair.threshold is not None:
                    arguments += ["--threshold", str(pair.threshold)]
                print(f"edit latency: {pair.label}, {variant.label}", file=sys.stderr)
                result = asyncio.run(measure(arguments, text, edits, dict(variant.environment)))
                context.metrics[("edit_ms", pair.label, variant.label)] = result["median_ms"]
                context.metrics[("server_rss_mb", pair.label, variant.label)] = \
                    result["peak_rss_mb"]
                rows.append([pair.label, variant.label, f"{result['median_ms']:.0f}",
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
        "edits (VmRSS, and VmHWM = peak). Random pairs use the threshold that flags "
        f"{RANDOM_FLAG_RATE:.0%} of the characters of 50 real sentences ("
        + ", ".join(f"{label}: {value:.4f}" for label, value in thresholds.items())
        + ") instead of 0.5, which would flag half the document (see the notes above). The "
        "thread variants run for the first model only.",
        "",
        table(["model", "backend", "edit median ms", "p90 ms", "min ms", "initialize s",
               "first diagnostics s", "diagnostics", "RSS MB", "peak RSS MB"], rows),
    ])
