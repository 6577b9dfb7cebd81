"""The PyTorch backend: batched discriminator scores and batched masked-position generator
probabilities, with the vocabulary projection computed only at masked positions."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence

# OpenMP worker threads sleep between operations instead of spinning: with other busy
# processes on the cores, spinning made 2-thread inference 10-40x slower (bench/results.md).
# Read when torch loads OpenMP, so it is set before the import; a user's own value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch
from transformers import ElectraForMaskedLM, ElectraForPreTraining
from transformers.utils import logging as transformers_logging

from electra_lsp.engine.alignment import CharTokenizer, EncodedSentence, length_buckets
from electra_lsp.engine.backend import MaskAnswer, MaskQuery
from electra_lsp.engine.models import ModelLoadError, ResolvedModel, model_defaults, model_name
from electra_lsp.settings import Settings

WARM_UP_SENTENCE = "我们今天去公园玩。"


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


class TorchBackend:
    def __init__(self, discriminator: ResolvedModel, generator: ResolvedModel,
                 settings: Settings) -> None:
        if settings.threads > 0:
            torch.set_num_threads(settings.threads)
        self.discriminator_model = discriminator
        self.generator_model = generator
        self.batch_size = settings.batchSize
        self._discriminator = load_weights(ElectraForPreTraining, discriminator)
        self._generator = load_weights(ElectraForMaskedLM, generator)
        max_length = min(self._discriminator.config.max_position_embeddings,
                         self._generator.config.max_position_embeddings)
        self.tokenizer = CharTokenizer(discriminator.directory / "vocab.txt", max_length)
        self._recommended = model_defaults(discriminator)
        self.warm_up()

    @property
    def name(self) -> str:
        return model_name(self.discriminator_model, self.generator_model)

    @property
    def recommended(self) -> dict:
        return self._recommended

    @property
    def vocabulary(self) -> frozenset[str]:
        return self.tokenizer.vocabulary

    def warm_up(self) -> None:
        self.replaced_probabilities([WARM_UP_SENTENCE])
        self.masked_probabilities([MaskQuery(WARM_UP_SENTENCE, 2, ("天",))])

    def _pad(self, encoded: Sequence[EncodedSentence]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(e.ids) for e in encoded)
        ids = torch.full((len(encoded), width), self.tokenizer.pad_id, dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)] = torch.tensor(e.ids)
            mask[row, : len(e.ids)] = 1
        return ids, mask

    @torch.inference_mode()
    def replaced_probabilities(self, sentences: Sequence[str]) -> list[list[float]]:
        encoded = self.tokenizer.encode_batch(sentences)
        results: list[list[float]] = [[0.0] * len(s) for s in sentences]
        for batch in length_buckets([len(e.ids) for e in encoded], self.batch_size):
            ids, mask = self._pad([encoded[i] for i in batch])
            probabilities = torch.sigmoid(self._discriminator(input_ids=ids,
                                                              attention_mask=mask).logits)
            rows = probabilities.tolist()
            for row, index in enumerate(batch):
                for char, position in encoded[index].char_to_token.items():
                    results[index][char] = rows[row][position]
        return results

    @torch.inference_mode()
    def masked_probabilities(self, queries: Sequence[MaskQuery]) -> list[MaskAnswer]:
        """One generator pass per batch of masked copies; one masked position per copy."""
        by_sentence: dict[str, list[int]] = defaultdict(list)
        for number, query in enumerate(queries):
            by_sentence[query.sentence].append(number)
        sentences = list(by_sentence)
        encoded = dict(zip(sentences, self.tokenizer.encode_batch(sentences), strict=True))
        # (query number, masked ids, token position); queries on [UNK]/non-candidates get nothing
        copies: list[tuple[int, list[int], int]] = []
        answers: list[MaskAnswer | None] = [None] * len(queries)
        for number, query in enumerate(queries):
            sentence = encoded[query.sentence]
            position = sentence.char_to_token.get(query.index)
            if position is None:
                answers[number] = MaskAnswer(0.0, {})
                continue
            ids = list(sentence.ids)
            ids[position] = self.tokenizer.mask_id
            copies.append((number, ids, position))
        for batch in length_buckets([len(c[1]) for c in copies], self.batch_size):
            chosen = [copies[i] for i in batch]
            ids, mask = self._pad([EncodedSentence(c[1], {}) for c in chosen])
            hidden = self._generator.electra(input_ids=ids, attention_mask=mask).last_hidden_state
            rows = torch.arange(len(chosen))
            at_mask = hidden[rows, torch.tensor([c[2] for c in chosen])]
            head = self._generator.generator_predictions(at_mask)
            logits = self._generator.generator_lm_head(head)
            probabilities = torch.softmax(logits, dim=-1)
            for row, (number, _, _) in enumerate(chosen):
                answers[number] = self._answer(queries[number], probabilities[row])
        return [answer if answer is not None else MaskAnswer(0.0, {}) for answer in answers]

    def _answer(self, query: MaskQuery, probabilities: torch.Tensor) -> MaskAnswer:
        original_id = self.tokenizer.token_id(query.sentence[query.index])
        original = float(probabilities[original_id]) if original_id is not None else 0.0
        wanted = {c: self.tokenizer.token_id(c) for c in query.candidates}
        known = {c: i for c, i in wanted.items() if i is not None and i != self.tokenizer.unk_id}
        values = probabilities[list(known.values())].tolist() if known else []
        return MaskAnswer(original, dict(zip(known, values, strict=True)))
