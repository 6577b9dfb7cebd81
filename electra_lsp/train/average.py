"""Average the weights of pairs trained from the same starting pair (a uniform "model soup",
Wortsman et al. 2022): runs that start from one pair on different batch streams stay in one
loss basin, and their mean is often better than either run, at no inference cost.

    electra-lsp tune average RUN_A RUN_B [RUN ...] --output DIR

Each RUN holds discriminator/ and generator/ (the layout `electra-lsp train` writes); all must
share one architecture and vocabulary. The output has the same layout (fp16 weights, fp32
config); choose its thresholds afterwards with `electra-lsp tune thresholds`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ARCHITECTURE_KEYS = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                     "intermediate_size", "embedding_size", "max_position_embeddings")


def average_pairs(runs: Sequence[Path], output: Path) -> None:  # noqa: C901
    """Write the element-wise mean of the runs' pairs to `output`."""
    import torch
    from transformers.utils import logging as transformers_logging

    from electra_lsp.train.pair import ROLES, embeddings_equal, load_pair, save_pair, tie_embeddings
    from electra_lsp.train.vocab import read_vocab

    if len(runs) < 2:
        raise ValueError("averaging needs at least two runs")
    if any(output.resolve() == run.resolve() for run in runs):
        raise ValueError(f"{output} is one of the inputs: write the average elsewhere")
    transformers_logging.disable_progress_bar()  # one "Loading weights" bar per model is noise
    vocab = read_vocab(runs[0] / "discriminator" / "vocab.txt")
    pairs = []
    for run in runs:
        for role in ROLES:
            if read_vocab(run / role / "vocab.txt") != vocab:
                raise ValueError(f"{run / role} has another vocabulary than {runs[0]}")
        pairs.append(load_pair(run / "discriminator", run / "generator"))
    for index, role in enumerate(ROLES):
        first = pairs[0][index].config
        for run, pair in zip(runs[1:], pairs[1:], strict=True):
            other = pair[index].config
            if any(getattr(first, k, None) != getattr(other, k, None) for k in ARCHITECTURE_KEYS):
                raise ValueError(f"{run / role} has another architecture than {runs[0] / role}")
    tied = all(embeddings_equal(disc, gen) for disc, gen in pairs)
    averaged = []
    for index in range(len(ROLES)):
        states = [pair[index].state_dict() for pair in pairs]
        model = pairs[0][index]
        mean = {name: torch.stack([state[name].float() for state in states]).mean(dim=0)
                for name in states[0]}
        model.load_state_dict(mean)
        averaged.append(model)
    disc, gen = averaged
    if tied:  # the mean of equal embeddings is equal: keep the pair tied on disk and in use
        tie_embeddings(disc, gen)
    save_pair(disc, gen, vocab, output, torch.float16)


def run(args: argparse.Namespace) -> int:
    """`electra-lsp tune average` (arguments: commands/tune.py)."""
    try:
        average_pairs(args.runs, args.output)
    except (OSError, ValueError) as error:
        print(f"electra-lsp tune average: {error}", file=sys.stderr)
        return 2
    print(f"averaged {len(args.runs)} pairs into {args.output}")
    return 0


if __name__ == "__main__":  # the same as `electra-lsp tune average`
    from electra_lsp.cli import main

    raise SystemExit(main(["tune", "average", *sys.argv[1:]]))
