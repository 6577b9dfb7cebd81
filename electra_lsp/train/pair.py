"""Build, load and save the discriminator + generator pair in the HFL directory layout
(`config.json`, `vocab.txt`, `tokenizer_config.json`, `model.safetensors`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining

from electra_lsp.train.architectures import electra_config_kwargs
from electra_lsp.train.vocab import TOKENIZER_CONFIG, write_vocab

ROLES = ("discriminator", "generator")


def new_pair(size: str, vocab_size: int, max_positions: int, dropout: float = 0.1,
             tie: bool = True) -> tuple[ElectraForPreTraining, ElectraForMaskedLM]:
    """A fresh pair. With `tie`, token and position embeddings are shared, as in the ELECTRA
    paper: the generator's dense MLM signal then trains the discriminator's embeddings too.
    Untied, the generator's output projection (its own embeddings) is not pulled around by the
    50x-weighted detection loss, which matters here because the generator proposes fixes."""
    def config(role: str) -> ElectraConfig:
        return ElectraConfig(**electra_config_kwargs(size, role, vocab_size, max_positions),
                             hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout)

    disc = ElectraForPreTraining(config("discriminator"))
    gen = ElectraForMaskedLM(config("generator"))
    if tie:
        tie_embeddings(disc, gen)
    return disc, gen


def tie_embeddings(disc: ElectraForPreTraining, gen: ElectraForMaskedLM) -> bool:
    """Share the embedding module when shapes allow; return whether they are tied."""
    ours, theirs = disc.electra.embeddings, gen.electra.embeddings
    if any(a.shape != b.shape for a, b in zip(ours.parameters(), theirs.parameters(),
                                             strict=True)):
        return False
    gen.electra.embeddings = ours
    gen.generator_lm_head.weight = ours.word_embeddings.weight
    return True


def embeddings_equal(disc: ElectraForPreTraining, gen: ElectraForMaskedLM) -> bool:
    """Whether a saved pair's embeddings hold the same values (saved from a tied pair)."""
    ours, theirs = disc.electra.embeddings.state_dict(), gen.electra.embeddings.state_dict()
    return ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)


def load_pair(discriminator: Path, generator: Path
              ) -> tuple[ElectraForPreTraining, ElectraForMaskedLM]:
    """An existing pair (e.g. HFL's) to fine-tune, in fp32; embeddings stay separate here."""
    for path in (discriminator, generator):
        if not (path / "config.json").is_file():
            raise ValueError(f"{path} is not a model directory (no config.json)")
    disc = ElectraForPreTraining.from_pretrained(discriminator, dtype=torch.float32)
    gen = ElectraForMaskedLM.from_pretrained(generator, dtype=torch.float32)
    if disc.config.vocab_size != gen.config.vocab_size:
        raise ValueError("the discriminator and generator have different vocabularies")
    return disc, gen


def save_pair(disc: ElectraForPreTraining, gen: ElectraForMaskedLM, vocab: list[str],
              output: Path, dtype: torch.dtype) -> None:
    """Write both models; weights in `dtype` (fp16 halves the size), config stays fp32 so a
    plain from_pretrained loads fp32 and CPU inference keeps full speed."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # one bar per save would drown the loop's own
    for role, model in zip(ROLES, (disc, gen), strict=True):
        target = output / role
        target.mkdir(parents=True, exist_ok=True)
        state = {name: tensor.detach().to("cpu", dtype)
                 for name, tensor in model.state_dict().items()
                 if not _tied_copy(model, name)}
        model.save_pretrained(target, state_dict=state)
        _force_fp32_config(target / "config.json")
        write_vocab(vocab, target / "vocab.txt")
        (target / "tokenizer_config.json").write_text(
            json.dumps(TOKENIZER_CONFIG, indent=2) + "\n", encoding="utf-8")


def _tied_copy(model, name: str) -> bool:
    """The generator's output projection is its input embedding; from_pretrained re-ties it."""
    return name == "generator_lm_head.weight" and model.config.tie_word_embeddings


def _force_fp32_config(path: Path) -> None:
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for key in ("dtype", "torch_dtype"):
        if key in config:
            config[key] = "float32"
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def pair_bytes(output: Path) -> int:
    return sum(f.stat().st_size for role in ROLES for f in (output / role).iterdir())
