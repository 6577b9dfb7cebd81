"""Loading the checker for the server (in the model worker thread) and describing it.

Nothing heavy is imported at module level: the checker pulls in pypinyin and the markdown
parser, the torch backend pulls in torch and transformers. The server answers `initialize`
before any of that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from electra_lsp.settings import Settings

if TYPE_CHECKING:
    from electra_lsp.checker import Checker
    from electra_lsp.dictionary import UserDictionary
    from electra_lsp.engine.backend import ModelBackend

@dataclass
class LoadedModels:
    checker: Checker
    model: str
    backend: str
    device: str
    seconds: float
    warnings: list[str] = field(default_factory=list)
    lexicon: dict | None = None  # {"words": N, "loadSeconds": s} when the lexicon is in use


def load_models_backend(settings: Settings) -> ModelBackend:
    """The discriminator + generator pair. Raises ModelLoadError with the cause."""
    from electra_lsp.engine.factory import load_backend

    return load_backend(settings)


def build_checker(backend: ModelBackend, settings: Settings) -> LoadedModels:
    """Dictionary + confusion sets + checker around a loaded backend."""
    from electra_lsp.checker import load_checker
    from electra_lsp.engine.decide import CombinerError
    from electra_lsp.engine.lexicon import LexiconError
    from electra_lsp.engine.ngrams import NgramError

    start = time.perf_counter()
    dictionary, warnings = open_dictionary(settings)
    try:
        checker = load_checker(settings, dictionary, backend=backend)
    except (LexiconError, NgramError, CombinerError) as error:
        # Keep serving with the models alone; the user sees why in a warning.
        warnings.append(f"{error}; checking with the models alone")
        checker = load_checker(settings, dictionary, backend=backend, use_combiner=False)
    kind = backend.kind
    device = str(getattr(backend, "device", "cpu" if kind in ("torch", "onnx") else "none"))
    lexicon = None if checker.lexicon is None else {
        "words": len(checker.lexicon),
        "trigrams": len(checker.ngrams.trigram_keys) if checker.ngrams else 0,
        "loadSeconds": round(checker.lexicon.load_seconds
                             + (checker.ngrams.load_seconds if checker.ngrams else 0.0), 2)}
    return LoadedModels(checker, backend.name, kind, device, time.perf_counter() - start,
                        warnings, lexicon)


def open_dictionary(settings: Settings) -> tuple[UserDictionary, list[str]]:
    from electra_lsp.dictionary import open_dictionary

    return open_dictionary(settings.dictionaryPath)


def describe_error(error: BaseException) -> str:
    """ModelLoadError's message as it is (it names the cause and what to do); others typed."""
    from electra_lsp.engine.resolve import ModelLoadError

    if isinstance(error, ModelLoadError):
        return str(error)
    return f"{type(error).__name__}: {error}"
