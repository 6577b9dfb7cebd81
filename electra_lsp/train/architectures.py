"""ELECTRA configurations by size, shared by training (from scratch) and test model builders."""

from __future__ import annotations

from typing import Any

# (hidden, layers, heads, intermediate, embedding) for discriminator; the generator is smaller,
# as in the ELECTRA paper (a quarter to a third of the discriminator's width).
_SIZES: dict[str, dict[str, tuple[int, int, int, int, int]]] = {
    "test": {"discriminator": (32, 2, 2, 64, 32), "generator": (16, 2, 2, 32, 32)},
    # tiny: the embedded default, sized for a 45-minute CPU training budget (a bigger model sees
    # too few tokens in that time). Its generator is as wide as the discriminator, not a quarter:
    # it proposes the corrections, and runs only at flagged characters.
    "tiny": {"discriminator": (128, 4, 2, 512, 128), "generator": (128, 3, 2, 512, 128)},
    # mini: for a GPU (scripts/train_gpu.sh); twice tiny's depth and 1.5x its width (its
    # discriminator about 2.3x slower on a CPU), with a generator one layer deeper.
    "mini": {"discriminator": (192, 6, 3, 768, 128), "generator": (128, 4, 2, 512, 128)},
    "small": {"discriminator": (256, 12, 4, 1024, 128), "generator": (64, 12, 1, 256, 128)},
    "base": {"discriminator": (768, 12, 12, 3072, 768), "generator": (256, 12, 4, 1024, 768)},
}
SIZES = tuple(_SIZES)


def electra_config_kwargs(size: str, role: str, vocab_size: int,
                          max_positions: int = 512) -> dict[str, Any]:
    """Keyword arguments for transformers.ElectraConfig; `role` is discriminator or generator."""
    hidden, layers, heads, intermediate, embedding = _SIZES[size][role]
    return {
        "vocab_size": vocab_size,
        "embedding_size": embedding,
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": intermediate,
        "max_position_embeddings": max_positions,
        "type_vocab_size": 2,
    }
