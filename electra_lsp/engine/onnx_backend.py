"""The ONNX Runtime backend: the same interface and results as the torch backend, without torch
at run time (onnxruntime + numpy + tokenizers only), so the server starts faster and smaller.

Each model is exported once (that step needs torch) into a per-user cache directory, keyed by a
hash of its weights and config. The discriminator graph returns replaced probabilities; the
generator graph takes the masked positions as an input and gathers them before the vocabulary
projection, so vocabulary logits are computed only at masked positions, as in the torch backend.

With precision "int8" each exported graph is also quantized once, dynamically (ONNX Runtime's
`quantize_dynamic`: MatMul weights stored as int8, activations quantized per run with one scale
per batch), into `<graph>-int8.onnx` beside it. With the embedded pair that made `check` about
1.2× faster with the same fitted combiner and left the quality benchmarks equal within noise,
but a sentence's scores then depend on the sentences batched with it (log-odds moved by up to
0.5 between a sentence checked alone and in a batch), so fp32, where they do not, is the
default (README, Speed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import onnxruntime

from electra_lsp.engine.batched import BatchedBackend
from electra_lsp.engine.resolve import ModelLoadError, ResolvedModel
from electra_lsp.settings import Settings

CACHE_ENV = "ELECTRA_LSP_CACHE_DIR"
EXPORT_VERSION = "1"  # bump when the exported graphs change, so old caches are not reused
OPSET = 17
_HASH_INDEX = "weights-hashes.json"
# int8: each quantization works in a folder of its own under this prefix; one older than
# STALE_SECONDS (a quantization takes seconds) was left by a killed process.
_WORK_PREFIX = ".int8-work-"
STALE_SECONDS = 600
# Idle worker threads sleep instead of spinning: an editor's server should not burn a core
# between requests, and on a busy machine spinning threads fight the other processes
# (measured in bench/results.md, "Levers").
ALLOW_SPINNING = False
# Both sessions draw on one process-wide CPU arena instead of one arena each: each arena keeps
# its own peak, so sharing one took the server's peak RSS from ~410 to ~385 MB after checking a
# 30,000-character document, at the same speed (measured side by side).
_SHARED_ARENA_LOCK = threading.Lock()
_shared_arena = False


def cache_dir() -> Path:
    """Where exported graphs live: $ELECTRA_LSP_CACHE_DIR, else the platform's user cache."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("electra-lsp"))


class OnnxBackend(BatchedBackend):
    """The pair exported to ONNX (cached by weights hash) and run with ONNX Runtime."""

    kind = "onnx"

    def __init__(self, discriminator: ResolvedModel, generator: ResolvedModel,
                 settings: Settings, cache: Path | None = None) -> None:
        directory = (cache or cache_dir()) / "onnx"
        options = _session_options(settings.threads)
        self.precision = settings.precision
        self._discriminator = _session(graph(discriminator, directory, self.precision), options)
        self._generator = _session(graph(generator, directory, self.precision), options)
        max_length = min(_max_positions(discriminator), _max_positions(generator))
        super().__init__(discriminator, generator, settings.batchSize, max_length)
        self.warm_up()

    def _replaced(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        (probabilities,) = self._discriminator.run(
            None, {"input_ids": ids, "attention_mask": mask})
        return probabilities

    def _masked(self, ids: np.ndarray, mask: np.ndarray, positions: np.ndarray) -> np.ndarray:
        (probabilities,) = self._generator.run(
            None, {"input_ids": ids, "attention_mask": mask, "positions": positions})
        return probabilities


# -- sessions ------------------------------------------------------------------------------
def _register_shared_arena() -> bool:
    """Register the process-wide CPU arena once; False where this onnxruntime refuses it."""
    global _shared_arena
    with _SHARED_ARENA_LOCK:
        if not _shared_arena:
            try:
                memory = onnxruntime.OrtMemoryInfo(
                    "Cpu", onnxruntime.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0,
                    onnxruntime.OrtMemType.DEFAULT)
                # No cap, the default extend strategy (next power of two), default chunk sizes.
                arena = onnxruntime.OrtArenaCfg(0, 0, -1, -1)
                onnxruntime.create_and_register_allocator(memory, arena)
                _shared_arena = True
            except Exception:  # noqa: BLE001 - onnxruntime raises its own types; fall back
                return False
        return True


def _session_options(threads: int) -> onnxruntime.SessionOptions:
    options = onnxruntime.SessionOptions()
    if _register_shared_arena():
        options.add_session_config_entry("session.use_env_allocators", "1")
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = max(0, threads)  # 0: onnxruntime picks (physical cores)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: the server's stderr is its log
    options.add_session_config_entry("session.intra_op.allow_spinning",
                                     "1" if ALLOW_SPINNING else "0")
    return options


def _session(path: Path, options: onnxruntime.SessionOptions) -> onnxruntime.InferenceSession:
    try:
        return onnxruntime.InferenceSession(str(path), options,
                                            providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own types for a corrupt file
        raise ModelLoadError(f"cannot load the ONNX graph {path}: {error}; delete it to "
                             "make it again") from None


def _max_positions(model: ResolvedModel) -> int:
    config = json.loads((model.directory / "config.json").read_text(encoding="utf-8"))
    return int(config.get("max_position_embeddings", 512))


# -- export, once per weights file ---------------------------------------------------------
def graph(model: ResolvedModel, directory: Path, precision: str) -> Path:
    """The cached graph to run for `precision` ("int8" or "fp32"), made the first time.

    Raises ModelLoadError when it cannot be exported or quantized."""
    path = _graph_path(model, directory)
    if precision == "int8":
        ready = _int8_path(path)
        if ready.is_file():  # no need for the fp32 export (nor torch) then
            return ready
        return quantized(_exported_to(model, path))
    return _exported_to(model, path)


def _int8_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-int8.onnx")


def quantized(path: Path) -> Path:
    """The int8 graph of the exported fp32 graph at `path`, quantized the first time (ONNX
    Runtime's dynamic quantization, int8 weights) and kept beside it.

    Raises ModelLoadError naming the graph when it cannot be quantized or written."""
    target = _int8_path(path)
    if not target.is_file():
        _quantize(path, target)
    return target


def _quantize(path: Path, target: Path) -> None:
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as error:  # the quantizer needs the onnx package
        raise ModelLoadError(f"quantizing {path} to int8 needs the onnx package ({error}): "
                             "pip install onnx, or set precision fp32") from None
    _remove_stale_work(path.parent)
    try:
        # A private folder: the quantizer writes a fixed-name `<graph>-inferred.onnx` beside
        # its input, which two processes quantizing at once would share.
        work = Path(tempfile.mkdtemp(dir=path.parent, prefix=_WORK_PREFIX))
    except OSError as error:
        raise ModelLoadError(f"cannot write the ONNX cache {path.parent}: {error.strerror}; "
                             f"set {CACHE_ENV} to a writable directory") from None
    try:
        source = work / "fp32.onnx"
        try:
            os.link(path, source)
        except OSError:  # a file system without hard links
            shutil.copyfile(path, source)
        with _quiet_root_logger():
            quantize_dynamic(source, work / "int8.onnx", weight_type=QuantType.QInt8)
        os.replace(work / "int8.onnx", target)
    except Exception as error:  # the quantizer raises many types for graphs it cannot take
        raise ModelLoadError(f"cannot quantize the ONNX graph {path} into {target} "
                             f"({type(error).__name__}: {error}); delete both to make them "
                             "again, or set precision fp32") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_stale_work(directory: Path) -> None:
    """Remove work folders that a killed quantization left behind (never a running one's)."""
    now = time.time()
    for entry in directory.glob(f"{_WORK_PREFIX}*"):
        try:
            if now - entry.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass  # another process removed it first


class _Muting:
    """The root logger's state before the first of the quantizations now running, and how many
    are running (guarded by `lock`)."""

    lock = threading.Lock()
    users = 0
    handlers: list[logging.Handler] = []
    disable = logging.NOTSET


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """The quantizer advises pre-processing through `logging.warning`, which would print to the
    CLI's stderr and the server log, and configure the root logger if it has no handler: mute
    warnings meanwhile (a second or two, once per model) and put the root's handlers back.
    Counted, so that quantizations in two threads restore the state from before the first."""
    root = logging.getLogger()
    with _Muting.lock:
        if not _Muting.users:
            _Muting.handlers, _Muting.disable = root.handlers[:], root.manager.disable
            logging.disable(logging.WARNING)
        _Muting.users += 1
    try:
        yield
    finally:
        with _Muting.lock:
            _Muting.users -= 1
            if not _Muting.users:
                logging.disable(_Muting.disable)
                root.handlers[:] = _Muting.handlers


def exported(model: ResolvedModel, directory: Path) -> Path:
    """The cached ONNX graph of a model, exporting it (with torch) the first time."""
    return _exported_to(model, _graph_path(model, directory))


def _graph_path(model: ResolvedModel, directory: Path) -> Path:
    """Where the fp32 graph of `model` is cached: named by its role and weights' cache key."""
    return directory / f"{model.role}-{_cache_key(model, directory)}.onnx"


def _exported_to(model: ResolvedModel, path: Path) -> Path:
    """`path` (from `_graph_path`), exporting the model there first if it is not cached."""
    if path.is_file():
        return path
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Export beside the target and rename, so a concurrent reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{model.role}-",
                                             suffix=".onnx")
    except OSError as error:
        raise ModelLoadError(f"cannot write the ONNX cache {directory}: {error.strerror}; set "
                             f"{CACHE_ENV} to a writable directory or use backend torch") from None
    os.close(handle)
    try:
        _export(model, Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def _cache_key(model: ResolvedModel, directory: Path) -> str:
    digest = hashlib.sha256()
    digest.update(f"{EXPORT_VERSION}/{OPSET}/{model.role}\n".encode())
    digest.update((model.directory / "config.json").read_bytes())
    digest.update(_weights_hash(model.weights, directory).encode())
    return digest.hexdigest()[:24]


def _weights_hash(weights: Path, directory: Path) -> str:
    """sha256 of a weights file, remembered by (path, size, mtime) so a start does not re-read
    hundreds of megabytes."""
    stat = weights.stat()
    token = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    index_path = directory / _HASH_INDEX
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        if not isinstance(index, dict):
            index = {}
    except (OSError, ValueError):
        index = {}
    if isinstance(index.get(token), str):
        return index[token]
    digest = hashlib.sha256()
    with weights.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    index[token] = digest.hexdigest()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".hashes-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(index, stream)
        os.replace(temporary, index_path)
    except OSError:
        pass  # a read-only cache only costs a re-hash next time
    return index[token]


def _export(model: ResolvedModel, target: Path) -> None:
    try:
        import torch
    except ImportError:
        raise ModelLoadError(
            f"the ONNX graph of {model.directory} is not cached yet, and exporting it needs "
            "torch once: install torch or use backend torch") from None
    from electra_lsp.engine.torch_backend import load_weights

    if model.role == "discriminator":
        from transformers import ElectraForPreTraining

        module = _wrapped(load_weights(ElectraForPreTraining, model), model.role)
        names = ["input_ids", "attention_mask"]
        example: tuple = (torch.ones((2, 8), dtype=torch.long),
                          torch.ones((2, 8), dtype=torch.long))
        axes = {"input_ids": {0: "batch", 1: "length"},
                "attention_mask": {0: "batch", 1: "length"},
                "probabilities": {0: "batch", 1: "length"}}
    else:
        from transformers import ElectraForMaskedLM

        module = _wrapped(load_weights(ElectraForMaskedLM, model), model.role)
        names = ["input_ids", "attention_mask", "positions"]
        example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long),
                   torch.tensor([1, 3], dtype=torch.long))
        axes = {"input_ids": {0: "batch", 1: "length"},
                "attention_mask": {0: "batch", 1: "length"},
                "positions": {0: "batch"}, "probabilities": {0: "batch"}}
    import warnings

    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer chatter about shapes the dynamic axes cover
        # The TorchScript exporter: the dynamo one needs onnxscript, an extra dependency.
        try:
            torch.onnx.export(module, example, str(target), dynamo=False, input_names=names,
                              output_names=["probabilities"], dynamic_axes=axes,
                              opset_version=OPSET, do_constant_folding=True)
        except Exception as error:  # the exporter raises many types for unsupported graphs
            raise ModelLoadError(f"cannot export the {model.role} in {model.directory} to "
                                 f"ONNX ({type(error).__name__}: {error}); use backend "
                                 "torch") from None



def _wrapped(model: object, role: str):  # -> torch.nn.Module; torch is imported only here
    import torch

    class Detector(torch.nn.Module):
        """input ids, attention mask -> replaced probability per token."""

        def __init__(self, discriminator: torch.nn.Module) -> None:
            super().__init__()
            self.discriminator = discriminator

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            logits = self.discriminator(input_ids=input_ids, attention_mask=attention_mask).logits
            return torch.sigmoid(logits)

    class MaskedGenerator(torch.nn.Module):
        """input ids, attention mask, one masked position per row -> vocabulary probabilities
        at that position only."""

        def __init__(self, generator: torch.nn.Module) -> None:
            super().__init__()
            self.generator = generator

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    positions: torch.Tensor) -> torch.Tensor:
            hidden = self.generator.electra(input_ids=input_ids,
                                            attention_mask=attention_mask).last_hidden_state
            index = positions.view(-1, 1, 1).expand(-1, 1, hidden.shape[-1])
            at_mask = torch.gather(hidden, 1, index).squeeze(1)
            head = self.generator.generator_predictions(at_mask)
            return torch.softmax(self.generator.generator_lm_head(head), dim=-1)

    return Detector(model) if role == "discriminator" else MaskedGenerator(model)
