"""Our engine as the benchmarks run it: a Checker over a chosen backend and batch settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.common import Pair


@dataclass
class Context:
    """What every benchmark gets: the pairs to run, notes for the report, a scratch folder."""

    pairs: list[Pair]
    notes: list[str] = field(default_factory=list)
    quick: bool = False  # smaller inputs, for trying the benchmarks out
    metrics: dict[tuple[str, ...], float] = field(default_factory=dict)  # for the targets


_confusion_cache: dict[frozenset[str], object] = {}


def checker(pair: Pair, backend: str = "torch", batch_size: int = 32, threads: int = 0):
    """A Checker on `pair` (fresh sentence cache); raises if the backend asked for is missing."""
    from electra_lsp.checker import load_checker
    from electra_lsp.engine.confusion import load_confusion
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.settings import Settings

    settings = Settings(discriminator=str(pair.discriminator), generator=str(pair.generator),
                        backend=backend, threshold=pair.threshold, batchSize=batch_size,
                        threads=threads)
    loaded = load_backend(settings)
    kind = loaded.kind
    if (backend == "onnx") != (kind == "onnx"):
        raise RuntimeError(f"asked for the {backend} backend, got {kind}")
    vocabulary = loaded.vocabulary
    if vocabulary not in _confusion_cache:
        _confusion_cache[vocabulary] = load_confusion(vocabulary)
    return load_checker(settings, backend=loaded, confusion=_confusion_cache[vocabulary])


def onnx_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def corrections(findings) -> dict[int, str]:
    """A sentence's corrections: the best suggestion of each finding."""
    return {f.start: f.best.text for f in findings if f.best is not None}


@dataclass(frozen=True)
class Variant:
    """How a benchmark starts the CLI or the server: backend, extra flags, environment."""

    label: str
    backend: str
    arguments: tuple[str, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()


# Variants run on every pair; the others (thread levers) on the first pair only.
PER_PAIR = ("torch", "onnx", "onnx, int8")


def process_variants() -> list[Variant]:
    found = [
        Variant("torch", "torch"),
        # An empty OMP_WAIT_POLICY is ignored by OpenMP (its default: spin, then sleep) and
        # stops the torch backend from setting PASSIVE.
        Variant("torch, spinning OpenMP threads", "torch", (), (("OMP_WAIT_POLICY", ""),)),
        Variant("torch, 1 thread", "torch", ("--threads", "1")),
    ]
    if onnx_available():
        found.append(Variant("onnx", "onnx"))  # fp32, the default precision
        found.append(Variant("onnx, int8", "onnx", ("--precision", "int8")))
    return found
