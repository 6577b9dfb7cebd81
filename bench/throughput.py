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
from bench.engine import PER_PAIR, Context, process_variants

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


def run_check(arguments: list[str], environment: dict[str, str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB and exit code of one `electra-lsp check` process."""
    command = [sys.executable, "-m", "electra_lsp", "check", *arguments]
    env = {**os.environ, **environment}
    env.pop("ELECTRA_LSP_SCRIPTED_MODEL", None)  # time the real models
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env)
    peak = 0
    while process.poll() is None:
        # VmHWM belongs to the child's own address space. getrusage/wait4 would not do: on
        # Linux a child's ru_maxrss keeps the parent's size from before exec.
        peak = max(peak, peak_rss_kb(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {error[-2000:]}")
    return elapsed, peak // 1024, process.returncode


def peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass  # the process has just exited
    return 0


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
            for variant in process_variants():
                if pair is not context.pairs[0] and variant.label not in PER_PAIR:
                    continue  # thread levers on the first pair only: random pairs are slow
                arguments = ["--discriminator", str(pair.discriminator), "--generator",
                             str(pair.generator), "--backend", variant.backend,
                             *variant.arguments]
                env = dict(variant.environment)
                if pair.threshold is not None:
                    arguments += ["--threshold", str(pair.threshold)]
                print(f"throughput: {pair.label}, {variant.label}", file=sys.stderr)
                run_check([*arguments, str(tiny)], env)  # warms the file cache
                startup, _, _ = run_check([*arguments, str(tiny)], env)
                elapsed, rss, _ = run_check([*arguments, str(corpus)], env)
                steady = elapsed - startup
                # start-up varies by a second or so on a busy machine: report the rate after
                # it only when the corpus took clearly longer than starting
                after = f"{characters / steady:,.0f}" if steady > 0.2 * elapsed else "n/a"
                rows.append([pair.label, variant.label, f"{total / 1000:.0f} KB", f"{characters:,}",
                             f"{elapsed:.1f}", f"{startup:.1f}", f"{characters / elapsed:,.0f}",
                             after, rss])
    return "\n".join([
        f"Corpus: Markdown built from {'; '.join(sorted(sources))}, split into {FILES} files. "
        "Each row is one `python -m electra_lsp check DIR` process. \"start s\": the same "
        "command on a one-sentence file (interpreter, imports, model load and warm-up); "
        "\"chars/s after start\" = characters / (wall − start). Peak RSS: the child's "
        "VmHWM, polled every 50 ms from /proc. Random HFL-sized pairs get smaller corpora "
        "(their threshold 0.5 flags about half of all characters, so the generator runs far "
        "more than with a trained model). The thread variants run for the first model only. "
        "\"spinning OpenMP threads\": torch with OpenMP's own wait policy instead of the "
        "PASSIVE one the torch backend sets.",
        "",
        table(["model", "backend", "corpus", "characters", "wall s", "start s", "chars/s",
               "chars/s after start", "peak RSS MB"], rows),
    ])
