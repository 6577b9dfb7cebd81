"""`electra-lsp check` over a 200 KB Markdown corpus: characters per second and the child
process' peak memory, per model and backend."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, markdown_document, table
from bench.engine import Context, onnx_available

TITLE = "Throughput: electra-lsp check over a Markdown corpus"
CORPUS_BYTES = {"default": 200_000, "small": 50_000, "base": 20_000}  # random big ones are slow
FILES = 10


def write_corpus(directory: Path, total_bytes: int) -> tuple[int, str]:
    """FILES Markdown files of about total_bytes/FILES bytes each; returns the characters."""
    document, source = markdown_document(total_bytes)  # characters ≥ bytes/3 for CJK
    encoded = document.encode("utf-8")[:total_bytes].decode("utf-8", errors="ignore")
    size = len(encoded) // FILES + 1
    characters = 0
    for number in range(FILES):
        part = encoded[number * size:(number + 1) * size]
        (directory / f"part{number:02}.md").write_text(part, encoding="utf-8")
        characters += len(part)
    return characters, source


def run_check(arguments: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB and exit code of one `electra-lsp check` process."""
    command = [sys.executable, "-m", "electra_lsp", "check", *arguments]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {error[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, process.returncode


def run(context: Context) -> str:
    rows, sources = [], set()
    with tempfile.TemporaryDirectory(prefix="electra-lsp-bench-") as scratch:
        root = Path(scratch)
        tiny = root / "tiny.md"
        tiny.write_text("# 标题\n\n我们今天去公园玩。\n", encoding="utf-8")
        for pair in context.pairs:
            corpus = root / pair.short
            corpus.mkdir()
            total = CORPUS_BYTES.get(pair.short, 50_000) // (10 if context.quick else 1)
            characters, source = write_corpus(corpus, total)
            sources.add(source)
            variants = [("torch", []), ("torch", ["--threads", "1"])]
            variants += [("onnx", [])] if onnx_available() else []
            for backend, extra in variants:
                arguments = ["--discriminator", str(pair.discriminator), "--generator",
                             str(pair.generator), "--backend", backend, *extra]
                if pair.threshold is not None:
                    arguments += ["--threshold", str(pair.threshold)]
                print(f"throughput: {pair.label}, {backend} {extra}", file=sys.stderr)
                run_check([*arguments, str(tiny)])  # first run may export the ONNX graphs
                startup, _, _ = run_check([*arguments, str(tiny)])
                elapsed, rss, _ = run_check([*arguments, str(corpus)])
                steady = max(elapsed - startup, 1e-9)
                label = backend + (" (1 thread)" if extra else "")
                rows.append([pair.label, label, f"{total / 1000:.0f} KB", f"{characters:,}",
                             f"{elapsed:.1f}", f"{startup:.1f}", f"{characters / elapsed:,.0f}",
                             f"{characters / steady:,.0f}", rss])
    return "\n".join([
        f"Corpus: Markdown built from {'; '.join(sorted(sources))}, split into {FILES} files. "
        "Each row is one `python -m electra_lsp check DIR` process. \"start s\": the same "
        "command on a one-sentence file (interpreter, imports, model load and warm-up); "
        "\"chars/s after start\" = characters / (wall − start). Peak RSS from wait4 of the "
        "child. Random HFL-sized pairs get smaller corpora (their threshold 0.5 flags about "
        "half of all characters, so the generator runs far more than with a trained model).",
        "",
        table(["model", "backend", "corpus", "characters", "wall s", "start s", "chars/s",
               "chars/s after start", "peak RSS MB"], rows),
    ])
