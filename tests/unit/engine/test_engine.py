"""The torch backend against a straightforward unbatched computation, and model loading errors."""

from __future__ import annotations

import shutil

import pytest
import torch
from tiny_models import SENTENCES
from transformers import BertTokenizerFast, ElectraForMaskedLM, ElectraForPreTraining

from electra_lsp.engine.backend import MaskQuery
from electra_lsp.engine.charclass import is_cjk
from electra_lsp.engine.factory import load_backend
from electra_lsp.engine.resolve import ModelLoadError, resolve
from electra_lsp.settings import Settings


@pytest.fixture(scope="module")
def backend(tiny_pair):
    discriminator, generator = tiny_pair
    # fp32: these tests compare with transformers' own outputs to 1e-5 (int8: test_onnx_backend)
    return load_backend(Settings(discriminator=str(discriminator), generator=str(generator),
                                 batchSize=2, precision="fp32"))


def reference_detect(directory, sentence: str) -> list[float]:
    """One sentence at a time, transformers' own tokenizer, no padding."""
    tokenizer = BertTokenizerFast(str(directory / "vocab.txt"), do_lower_case=True)
    model = ElectraForPreTraining.from_pretrained(directory).eval()
    encoding = tokenizer(sentence, return_offsets_mapping=True, return_tensors="pt")
    with torch.no_grad():
        probabilities = torch.sigmoid(model(input_ids=encoding["input_ids"]).logits)[0]
    result = [0.0] * len(sentence)
    for position, (start, end) in enumerate(encoding["offset_mapping"][0].tolist()):
        token_id = int(encoding["input_ids"][0, position])
        if end - start == 1 and token_id != tokenizer.unk_token_id and is_cjk(sentence[start]):
            result[start] = float(probabilities[position])
    return result


def reference_fill(directory, sentence: str, index: int) -> torch.Tensor:
    """Full-vocabulary logits at every position, then the masked one (the slow way)."""
    tokenizer = BertTokenizerFast(str(directory / "vocab.txt"), do_lower_case=True)
    model = ElectraForMaskedLM.from_pretrained(directory).eval()
    encoding = tokenizer(sentence, return_offsets_mapping=True, return_tensors="pt")
    offsets = encoding["offset_mapping"][0].tolist()
    position = next(i for i, (s, e) in enumerate(offsets) if s == index and e == index + 1)
    ids = encoding["input_ids"].clone()
    ids[0, position] = tokenizer.mask_token_id
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, position]
    return torch.softmax(logits, dim=-1), tokenizer


def test_batched_detection_matches_unbatched(backend, tiny_pair):
    batched = backend.replaced_probabilities(SENTENCES)
    for sentence, scores in zip(SENTENCES, batched, strict=True):
        expected = reference_detect(tiny_pair[0], sentence)
        assert len(scores) == len(sentence)
        assert scores == pytest.approx(expected, abs=1e-5)


def test_only_known_cjk_characters_are_candidates(backend):
    sentence = SENTENCES[1]
    scores = backend.replaced_probabilities([sentence])[0]
    for char, score in zip(sentence, scores, strict=True):
        if not is_cjk(char) or char == "𠀀":  # Latin, emoji, and [UNK] Extension B
            assert score == 0.0, char
    assert scores[sentence.index("很")] > 0.0


def test_masked_generator_matches_full_logits(backend, tiny_pair):
    queries = [MaskQuery(SENTENCES[0], 4, ("友", "有", "又")),
               MaskQuery(SENTENCES[3], 10, ("面", "里")),
               MaskQuery(SENTENCES[0], 0, ("找",))]
    answers = backend.masked_probabilities(queries)
    for query, answer in zip(queries, answers, strict=True):
        probabilities, tokenizer = reference_fill(tiny_pair[1], query.sentence, query.index)
        original = tokenizer.convert_tokens_to_ids(query.sentence[query.index])
        assert answer.original_probability == pytest.approx(float(probabilities[original]),
                                                            abs=1e-6)
        for char in query.candidates:
            expected = float(probabilities[tokenizer.convert_tokens_to_ids(char)])
            assert answer.probabilities[char] == pytest.approx(expected, abs=1e-6)


def test_unknown_candidates_and_unk_positions_are_skipped(backend):
    sentence = "我们去公园𠀀。"
    answers = backend.masked_probabilities([
        MaskQuery(sentence, 5, ("园",)),  # the Extension B char is [UNK]: nothing to say
        MaskQuery(sentence, 0, ("找", "龘")),  # 龘 is not in the tiny vocabulary
    ])
    assert answers[0].probabilities == {}
    assert set(answers[1].probabilities) == {"找"}


def test_pickle_weights_give_the_same_results(backend, tiny_pair_bin):
    discriminator, generator = tiny_pair_bin
    assert resolve("discriminator", str(discriminator)).weights.name == "pytorch_model.bin"
    from_bin = load_backend(Settings(discriminator=str(discriminator), generator=str(generator),
                                     precision="fp32"))
    pairs = zip(from_bin.replaced_probabilities(SENTENCES[:2]),
                backend.replaced_probabilities(SENTENCES[:2]), strict=True)
    for got, expected in pairs:
        assert got == pytest.approx(expected, abs=1e-6)


def test_missing_model_directory_names_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ModelLoadError, match="nowhere") as error:
        load_backend(Settings(discriminator=str(missing), generator=str(missing)))
    assert "--discriminator" in str(error.value)


def test_uncached_model_id_is_not_downloaded(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="never downloads"):
        resolve("discriminator", "hfl/chinese-electra-180g-small-discriminator")


def test_missing_weights_and_mismatched_vocabularies(tiny_pair, tmp_path):
    discriminator, generator = tiny_pair
    no_weights = tmp_path / "no-weights"
    shutil.copytree(discriminator, no_weights)
    (no_weights / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="no weights"):
        resolve("discriminator", str(no_weights))
    other = tmp_path / "other-generator"
    shutil.copytree(generator, other)
    with (other / "vocab.txt").open("a", encoding="utf-8") as vocab:
        vocab.write("龘\n")
    with pytest.raises(ModelLoadError, match="different vocabularies"):
        load_backend(Settings(discriminator=str(discriminator), generator=str(other)))
