"""Load a resolved pair into the backend that runs it: ONNX Runtime, torch, or (for tests) a
scripted one. The backends import `resolve`, never this module, so the engine has no cycle."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from electra_lsp.engine.backend import ModelBackend
from electra_lsp.engine.resolve import ModelLoadError, check_same_vocabulary, resolve
from electra_lsp.settings import Settings

logger = logging.getLogger(__name__)


def load_backend(settings: Settings) -> ModelBackend:
    """The backend the settings name (discriminator, generator, backend, threads, batchSize).

    backend "auto": ONNX when onnxruntime is installed and can take the model, else torch.
    ELECTRA_LSP_SCRIPTED_MODEL names a scripted backend's JSON (tests). Raises ModelLoadError
    with the cause and what to do (a missing model, mismatched vocabularies, an unreadable
    script, an ONNX failure when "onnx" was asked for by name).
    """
    from electra_lsp.engine.scripted import SCRIPT_ENV, ScriptedBackend

    script = os.environ.get(SCRIPT_ENV)
    if script:
        try:
            return ScriptedBackend.from_file(Path(script))
        except (OSError, ValueError) as error:
            raise ModelLoadError(f"cannot read scripted model {script}: {error}") from None
    discriminator = resolve("discriminator", settings.discriminator)
    generator = resolve("generator", settings.generator)
    check_same_vocabulary(discriminator, generator)
    if settings.backend in ("auto", "onnx"):
        try:
            from electra_lsp.engine.onnx_backend import OnnxBackend
        except ImportError:
            pass  # onnxruntime missing: torch is the documented fallback
        else:
            try:
                return OnnxBackend(discriminator, generator, settings)
            except ModelLoadError as error:
                if settings.backend == "onnx":
                    raise
                # auto: a model the ONNX exporter cannot take still works in torch.
                logger.warning("ONNX backend unavailable (%s); using torch (fp32)", error)
    from electra_lsp.engine.torch_backend import TorchBackend

    if settings.precision != "fp32":
        logger.warning("precision %s applies to the onnx backend only; torch runs fp32",
                       settings.precision)
    return TorchBackend(discriminator, generator, settings)


def timed_load(settings: Settings) -> tuple[ModelBackend, float]:
    """`load_backend(settings)` and the seconds it took."""
    start = time.perf_counter()
    backend = load_backend(settings)
    return backend, time.perf_counter() - start
