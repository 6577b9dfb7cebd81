"""The server's models: loading them in the model worker with a progress bar and the status
notification, and what was loaded.

Nothing heavy is imported at module level: the checker pulls in pypinyin and the markdown
parser, the torch backend pulls in torch and transformers. The server answers `initialize`
before any of that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from lsprotocol import types

from electra_lsp.lsp.config import CLIENT_REQUEST_TIMEOUT
from electra_lsp.lsp.constants import STATUS_NOTIFICATION
from electra_lsp.lsp.scheduler import Priority
from electra_lsp.settings import Settings

if TYPE_CHECKING:
    from electra_lsp.checker import Checker
    from electra_lsp.engine.backend import ModelBackend
    from electra_lsp.lsp.server import ElectraServer

log = logging.getLogger(__name__)


@dataclass
class LoadedModels:
    checker: Checker
    model: str
    backend: str
    device: str
    seconds: float
    warnings: list[str] = field(default_factory=list)
    lexicon: dict | None = None  # {"words": N, "loadSeconds": s} when the lexicon is in use


class ModelHost:
    """Loads the models and says how that goes (`state`: starting, loading, ready or error).

    `generation` counts models and settings: it is bumped whenever findings computed before
    would no longer be what the server finds, so checks of an older generation are dropped.
    """

    def __init__(self, ls: ElectraServer) -> None:
        self._ls = ls
        self.models: LoadedModels | None = None
        self.state = "starting"
        self.state_message = "waiting for the client"
        self.generation = 0
        self._loads = 0

    def checker(self) -> Checker | None:
        """The checker to check with now: None until the models are ready, and after shutdown."""
        if self.models is None or self.state != "ready" or self._ls.shutdown_requested:
            return None
        return self.models.checker

    def loaded_checker(self) -> Checker | None:
        """The loaded checker whatever the state (settings and dictionary words go to it)."""
        return self.models.checker if self.models is not None else None

    def set_state(self, state: str, message: str) -> None:
        self.state, self.state_message = state, message
        log.info("state %s: %s", state, message)
        self._ls.send(self._ls.protocol.notify, STATUS_NOTIFICATION,
                      {"state": state, "message": message})

    async def load(self) -> None:
        """Load the models the current settings name; then re-check every open document.

        A failure is shown and leaves the server without models (state "error"); a load
        overtaken by a newer one leaves no trace."""
        ls = self._ls
        self.generation += 1
        settings = ls.settings
        started = time.perf_counter()
        # Overtaken means a newer load started, not a newer generation: a dictionary word or a
        # setting changed during the load bumps the generation too, and must not lose it.
        self._loads += 1
        load = self._loads
        what = "models " + " + ".join(
            name for name in (settings.discriminator, settings.generator) if name) \
            if settings.discriminator or settings.generator else "the default models"
        self.set_state("loading", f"loading {what}")
        token = await self._begin_progress(f"electra-lsp: loading {what}")
        try:
            backend = await ls.worker.run(partial(load_models_backend, settings))
            self._report_progress(token, "loading the lexicon and confusion sets", 70)
            loaded = await ls.worker.run(partial(build_checker, backend, settings))
        except Exception as error:
            self._end_progress(token, "failed")
            if load != self._loads:
                return  # a newer load is under way
            message = describe_error(error)
            self.models = None
            self.set_state("error", message)
            ls.show(types.MessageType.Error, f"electra-lsp: cannot load the models: {message}")
            ls.publisher.clear_all()
            return
        self._end_progress(token, "ready")
        if load != self._loads:
            return
        if ls.settings != settings:
            loaded.checker.update_settings(ls.settings)
        loaded.seconds = time.perf_counter() - started
        self.models = loaded
        for warning in loaded.warnings:
            ls.show(types.MessageType.Warning, f"electra-lsp: {warning}")
        self.set_state("ready", f"{loaded.model} ({loaded.backend}, {loaded.device}) loaded "
                                f"in {loaded.seconds:.1f} s")
        ls.recheck_all(Priority.OPEN)
        ls.workspace_host.read()  # in a thread; open documents are checked again when read

    # -- progress ---------------------------------------------------------------------------
    async def _begin_progress(self, title: str) -> str | None:
        if not self._ls.client_supports("window.work_done_progress"):
            return None
        token = f"electra-lsp-load-{self._loads}"
        progress = self._ls.work_done_progress
        try:
            await asyncio.wait_for(progress.create_async(token), CLIENT_REQUEST_TIMEOUT)
            progress.begin(token, types.WorkDoneProgressBegin(
                title=title, message="loading discriminator and generator", percentage=0,
                cancellable=False))
        except Exception as error:  # the client refused or did not answer: no progress bar
            log.info("no progress reporting: %s", error)
            return None
        return token

    def _report_progress(self, token: str | None, message: str, percentage: int) -> None:
        if token is not None:
            self._ls.send(self._ls.work_done_progress.report, token,
                          types.WorkDoneProgressReport(message=message, percentage=percentage))

    def _end_progress(self, token: str | None, message: str) -> None:
        if token is not None:
            self._ls.send(self._ls.work_done_progress.end, token,
                          types.WorkDoneProgressEnd(message=message))


# -- in the model worker -----------------------------------------------------------------------
def load_models_backend(settings: Settings) -> ModelBackend:
    """The discriminator + generator pair. Raises ModelLoadError with the cause."""
    from electra_lsp.engine.factory import load_backend

    return load_backend(settings)


def build_checker(backend: ModelBackend, settings: Settings) -> LoadedModels:
    """Dictionary + confusion sets + checker around a loaded backend."""
    from electra_lsp.checker import load_checker
    from electra_lsp.dictionary import open_dictionary
    from electra_lsp.engine.decide import CombinerError
    from electra_lsp.engine.lexicon import LexiconError
    from electra_lsp.engine.ngrams import NgramError

    start = time.perf_counter()
    dictionary, warnings = open_dictionary(settings.dictionaryPath)
    try:
        checker = load_checker(settings, dictionary, backend=backend)
    except (LexiconError, NgramError, CombinerError) as error:
        # Keep serving with the models alone; the user sees why in a warning.
        warnings.append(f"{error}; checking with the models alone")
        checker = load_checker(settings, dictionary, backend=backend, use_combiner=False)
    kind = getattr(backend, "kind", type(backend).__name__)  # a backend that names none
    device = str(getattr(backend, "device", "cpu" if kind in ("torch", "onnx") else "none"))
    lexicon = None if checker.lexicon is None else {
        "words": len(checker.lexicon),
        "ngrams": len(checker.ngrams) if checker.ngrams else 0,
        "loadSeconds": round(checker.lexicon.load_seconds
                             + (checker.ngrams.load_seconds if checker.ngrams else 0.0), 2)}
    return LoadedModels(checker, backend.name, kind, device, time.perf_counter() - start,
                        warnings, lexicon)


def describe_error(error: BaseException) -> str:
    """ModelLoadError's message as it is (it names the cause and what to do); others typed."""
    from electra_lsp.engine.resolve import ModelLoadError

    if isinstance(error, ModelLoadError):
        return str(error)
    return f"{type(error).__name__}: {error}"
