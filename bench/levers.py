"""What each speed lever is worth: batch size, length bucketing, threads, inference_mode vs
no_grad, and the ONNX Runtime backend. Two figures per configuration: a batch of sentences
checked from an empty cache (the CLI's case), and one sentence at a time (an edit's case)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import contextmanager

from bench.common import median, sentences, stopwatch, table
from bench.engine import Context, checker, onnx_available

TITLE = "Levers: what each setting is worth"
COUNTS = {"default": 200, "small": 100, "base": 30}
SINGLE = 15  # one-sentence checks per configuration


@contextmanager
def unbucketed():
    """Batches in document order instead of grouped by length (more padding)."""
    from electra_lsp.engine import batched

    original = batched.length_buckets
    batched.length_buckets = lambda lengths, size: [
        list(range(i, min(i + size, len(lengths)))) for i in range(0, len(lengths), size)]
    try:
        yield
    finally:
        batched.length_buckets = original


@contextmanager
def no_grad_instead_of_inference_mode():
    import torch

    from electra_lsp.engine.torch_backend import TorchBackend

    saved = {}
    for name in ("_replaced", "_masked"):
        method = getattr(TorchBackend, name)
        saved[name] = method
        setattr(TorchBackend, name, torch.no_grad()(method.__wrapped__))
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(TorchBackend, name, method)


@contextmanager
def spinning():
    """onnxruntime's worker threads spin between operations (its own default)."""
    from electra_lsp.engine import onnx_backend

    onnx_backend.ALLOW_SPINNING = True
    try:
        yield
    finally:
        onnx_backend.ALLOW_SPINNING = False


@contextmanager
def nothing():
    yield


CONFIGURATIONS: list[tuple[str, str, int, int, Callable]] = [
    # (label, backend, batch size, threads (0: backend default), context)
    ("torch, batch 1", "torch", 1, 0, nothing),
    ("torch, batch 8", "torch", 8, 0, nothing),
    ("torch, batch 32 (default)", "torch", 32, 0, nothing),
    ("torch, batch 64", "torch", 64, 0, nothing),
    ("torch, batch 32, no length bucketing", "torch", 32, 0, unbucketed),
    ("torch, batch 32, no_grad not inference_mode", "torch", 32, 0,
     no_grad_instead_of_inference_mode),
    ("torch, batch 32, 1 thread", "torch", 32, 1, nothing),
    ("onnx, batch 32", "onnx", 32, 0, nothing),
    ("onnx, batch 32, spinning threads", "onnx", 32, 0, spinning),
    ("onnx, batch 32, 1 thread", "onnx", 32, 1, nothing),
    ("onnx, batch 8", "onnx", 8, 0, nothing),
]


def run(context: Context) -> str:
    import torch

    default_threads = torch.get_num_threads()
    rows, sources = [], []
    for pair in context.pairs:
        count = COUNTS.get(pair.short, 50) // (5 if context.quick else 1)
        texts, source = sentences(count)
        sources.append(f"{pair.label}: {source}")
        characters = sum(len(t) for t in texts)
        for label, backend, batch_size, threads, patch in CONFIGURATIONS:
            if backend == "onnx" and not onnx_available():
                continue
            print(f"levers: {pair.label}: {label}", file=sys.stderr)
            torch.set_num_threads(default_threads)  # TorchBackend sets it only when threads > 0
            with patch():
                engine = checker(pair, backend, batch_size, threads)
                with stopwatch() as elapsed:
                    engine.check_sentences(texts)
                batch_time = elapsed()
                single = []
                for text in texts[:SINGLE]:
                    with stopwatch() as elapsed:
                        engine.check_sentences([text + "。"])  # not cached yet
                    single.append(elapsed() * 1000)
            rows.append([pair.label, label, f"{characters / batch_time:,.0f}",
                         f"{median(single):.1f}"])
            del engine
    torch.set_num_threads(default_threads)
    return "\n".join([
        f"Sentences: {'; '.join(sources)}; per model the same sentences for every "
        "configuration. "
        f"\"chars/s\": all sentences in one check_sentences call from an empty cache. "
        f"\"1 sentence ms\": median over {SINGLE} single-sentence calls (what an edit costs "
        f"the engine). torch's default thread count here is {default_threads}; OpenMP "
        f"threads sleep when idle (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')!r}, "
        "as the torch backend sets it; the spinning alternative is measured in the CLI and "
        "server tables).",
        "",
        table(["model", "configuration", "chars/s", "1 sentence ms"], rows),
    ])
