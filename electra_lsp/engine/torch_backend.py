"""The PyTorch backend: batched discriminator scores and batched masked-position generator
probabilities, with the vocabulary projection computed only at masked positions."""

from __future__ import annotations

import os

# OpenMP worker threads sleep between operations instead of spinning: with other busy
# processes on the cores, spinning made 2-thread inference 10-40x slower (bench/results.md).
# Read when torch loads OpenMP, so it is set before the import; a user's own value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from transformers import ElectraForMaskedLM, ElectraForPreTraining
from transformers.utils import logging as transformers_logging

from electra_lsp.engine.batched import BatchedBackend
from electra_lsp.engine.resolve import ModelLoadError, ResolvedModel
from electra_lsp.settings import Settings


def load_weights(model_class: type, model: ResolvedModel) -> torch.nn.Module:
    """from_pretrained on a local directory: safetensors preferred, `.bin` weights-only."""
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()  # stderr noise in the CLI and the server log
    use_safetensors = model.weights.name.endswith(".safetensors")
    try:
        loaded = model_class.from_pretrained(
            model.directory, local_files_only=True, use_safetensors=use_safetensors
        )
    except Exception as error:  # transformers raises many types for a broken checkpoint
        raise ModelLoadError(f"cannot load {model.role} from {model.directory}: {error}") from None
    return loaded.float().eval()  # weights may ship as fp16; fp32 is fastest on CPUs here


class TorchBackend(BatchedBackend):
    """The pair run with torch (fp32)."""

    kind = "torch"
    precision = "fp32"  # the precision setting is the onnx backend's

    def __init__(self, discriminator: ResolvedModel, generator: ResolvedModel,
                 settings: Settings) -> None:
        if settings.threads > 0:
            torch.set_num_threads(settings.threads)
        self._discriminator = load_weights(ElectraForPreTraining, discriminator)
        self._generator = load_weights(ElectraForMaskedLM, generator)
        max_length = min(self._discriminator.config.max_position_embeddings,
                         self._generator.config.max_position_embeddings)
        super().__init__(discriminator, generator, settings.batchSize, max_length)
        self.warm_up()

    @torch.inference_mode()
    def _replaced(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        logits = self._discriminator(input_ids=torch.from_numpy(ids),
                                     attention_mask=torch.from_numpy(mask)).logits
        return torch.sigmoid(logits).numpy()

    @torch.inference_mode()
    def _masked(self, ids: np.ndarray, mask: np.ndarray, positions: np.ndarray) -> np.ndarray:
        hidden = self._generator.electra(input_ids=torch.from_numpy(ids),
                                         attention_mask=torch.from_numpy(mask)).last_hidden_state
        at_mask = hidden[torch.arange(len(positions)), torch.from_numpy(positions)]
        # The vocabulary projection, the generator's largest matrix, only at masked positions.
        logits = self._generator.generator_lm_head(self._generator.generator_predictions(at_mask))
        return torch.softmax(logits, dim=-1).numpy()
