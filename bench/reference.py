"""The reference algorithm, as DESIGN.md describes the ELECTRA corrector of a popular Chinese
correction toolkit: the discriminator once per sentence, then for each flagged character one
transformers fill-mask pipeline call on a masked copy of the sentence, accepting the first of
the top 5 tokens that is in the character's confusion set.

It uses the same alignment as our engine (a token covering exactly one known CJK character is
a candidate) and the same confusion sets, so the two differ only in the algorithm.
"""

from __future__ import annotations

from pathlib import Path

TOP_K = 5


class ReferenceCorrector:
    def __init__(self, discriminator: Path, generator: Path, threshold: float,
                 threads: int = 0) -> None:
        import torch
        from transformers import (
            BertTokenizerFast,
            ElectraForMaskedLM,
            ElectraForPreTraining,
            pipeline,
        )
        from transformers.utils import logging as transformers_logging

        from electra_lsp.engine.confusion import load_confusion

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        if threads > 0:
            torch.set_num_threads(threads)
        self._torch = torch
        self.threshold = threshold
        self.tokenizer = BertTokenizerFast(str(discriminator / "vocab.txt"), do_lower_case=True)
        self.discriminator = ElectraForPreTraining.from_pretrained(discriminator).eval()
        self.fill_mask = pipeline("fill-mask", model=ElectraForMaskedLM.from_pretrained(generator),
                                  tokenizer=self.tokenizer, device="cpu")
        self.confusion = load_confusion(frozenset(self.tokenizer.get_vocab()))
        self.pipeline_calls = 0

    def flagged(self, sentence: str) -> list[int]:
        """Character indices whose replaced probability reaches the threshold."""
        from electra_lsp.engine.charclass import is_cjk

        encoding = self.tokenizer(sentence, return_offsets_mapping=True, return_tensors="pt",
                                  truncation=True, max_length=512)
        with self._torch.no_grad():
            logits = self.discriminator(input_ids=encoding["input_ids"]).logits[0]
        probabilities = self._torch.sigmoid(logits).tolist()
        ids = encoding["input_ids"][0].tolist()
        found = []
        for position, (start, end) in enumerate(encoding["offset_mapping"][0].tolist()):
            if end - start == 1 and ids[position] != self.tokenizer.unk_token_id and \
                    is_cjk(sentence[start]) and probabilities[position] >= self.threshold:
                found.append(start)
        return found

    def correct(self, sentence: str) -> dict[int, str]:
        """Character index -> accepted replacement."""
        corrections = {}
        for index in self.flagged(sentence):
            masked = sentence[:index] + self.tokenizer.mask_token + sentence[index + 1:]
            self.pipeline_calls += 1
            similar = self.confusion.similar(sentence[index])
            for candidate in self.fill_mask(masked, top_k=TOP_K):
                if candidate["token_str"] in similar:
                    corrections[index] = candidate["token_str"]
                    break
        return corrections
