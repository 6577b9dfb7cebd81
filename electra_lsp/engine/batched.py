"""What every model backend does around the models themselves: tokenize, bucket sentences by
length, pad, map token scores back to characters, build masked copies, and read the candidates'
probabilities. Subclasses (torch, ONNX Runtime) only run the two networks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from electra_lsp.engine.alignment import CharTokenizer, EncodedSentence, length_buckets
from electra_lsp.engine.backend import MaskAnswer, MaskQuery
from electra_lsp.engine.resolve import ResolvedModel, model_defaults, model_name

WARM_UP_SENTENCE = "我们今天去公园玩。"


class BatchedBackend(ABC):
    """A `ModelBackend` over a real pair: tokenizes with the pair's vocabulary and runs the
    networks (`_replaced`, `_masked`, per subclass) in length-bucketed batches.

    Raises ModelLoadError from the constructor when the pair cannot be loaded.
    """

    def __init__(self, discriminator: ResolvedModel, generator: ResolvedModel,
                 batch_size: int, max_length: int) -> None:
        self.discriminator_model = discriminator
        self.generator_model = generator
        self.batch_size = batch_size
        self.tokenizer = CharTokenizer(discriminator.directory / "vocab.txt", max_length)
        self._recommended = model_defaults(discriminator)
        # The checker asks the generator about sentences it has just scored: keep the last
        # call's encodings instead of tokenizing them twice.
        self._last_encoded: dict[str, EncodedSentence] = {}

    # -- the networks, per backend ---------------------------------------------------------
    @abstractmethod
    def _replaced(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Discriminator: (batch, tokens) replaced probabilities."""

    @abstractmethod
    def _masked(self, ids: np.ndarray, mask: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Generator: (batch, vocabulary) probabilities at one masked position per row."""

    # -- the interface the checker uses ----------------------------------------------------
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

    def _pad(self, rows: Sequence[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        width = max(len(r) for r in rows)
        ids = np.full((len(rows), width), self.tokenizer.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for row, token_ids in enumerate(rows):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1
        return ids, mask

    def replaced_probabilities(self, sentences: Sequence[str]) -> list[list[float]]:
        encoded = self.tokenizer.encode_batch(sentences)
        self._last_encoded = dict(zip(sentences, encoded, strict=True))
        results: list[list[float]] = [[0.0] * len(s) for s in sentences]
        for batch in length_buckets([len(e.ids) for e in encoded], self.batch_size):
            rows = self._replaced(*self._pad([encoded[i].ids for i in batch])).tolist()
            for row, index in enumerate(batch):
                for char, position in encoded[index].char_to_token.items():
                    results[index][char] = rows[row][position]
        return results

    def masked_probabilities(self, queries: Sequence[MaskQuery]) -> list[MaskAnswer]:
        """One generator pass per batch of masked copies; one masked position per copy."""
        known = self._last_encoded
        missing = list(dict.fromkeys(q.sentence for q in queries if q.sentence not in known))
        encoded = {**known, **dict(zip(missing, self.tokenizer.encode_batch(missing),
                                       strict=True))}
        copies: list[tuple[int, list[int], int]] = []  # (query number, masked ids, position)
        answers = [MaskAnswer(0.0, {})] * len(queries)
        for number, query in enumerate(queries):
            sentence = encoded[query.sentence]
            position = sentence.char_to_token.get(query.index)
            if position is None:  # [UNK] or not a candidate: nothing to say
                continue
            ids = list(sentence.ids)
            ids[position] = self.tokenizer.mask_id
            copies.append((number, ids, position))
        for batch in length_buckets([len(c[1]) for c in copies], self.batch_size):
            chosen = [copies[i] for i in batch]
            ids, mask = self._pad([c[1] for c in chosen])
            positions = np.array([c[2] for c in chosen], dtype=np.int64)
            probabilities = self._masked(ids, mask, positions)
            for row, (number, _, _) in enumerate(chosen):
                answers[number] = self._answer(queries[number], probabilities[row])
        return answers

    def _answer(self, query: MaskQuery, probabilities: np.ndarray) -> MaskAnswer:
        original_id = self.tokenizer.token_id(query.sentence[query.index])
        original = float(probabilities[original_id]) if original_id is not None else 0.0
        wanted = {c: self.tokenizer.token_id(c) for c in query.candidates}
        known = {c: i for c, i in wanted.items() if i is not None and i != self.tokenizer.unk_id}
        values = probabilities[list(known.values())].tolist() if known else []
        return MaskAnswer(original, dict(zip(known, values, strict=True)))
