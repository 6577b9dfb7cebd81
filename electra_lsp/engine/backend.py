"""The model interface the checker depends on. Torch and ONNX backends implement it; tests may
inject a scripted backend to plant errors deterministically."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class MaskQuery:
    """Mask `sentence[index]` and ask the generator for the probability of each candidate."""

    sentence: str
    index: int
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class MaskAnswer:
    """The generator's answer to one `MaskQuery`."""

    original_probability: float  # p(sentence[index]) at the masked position (0 if not in vocab)
    probabilities: dict[str, float]  # candidate -> probability (candidates not in vocab omitted)


@runtime_checkable
class ModelBackend(Protocol):
    """A loaded discriminator + generator pair.

    Backends also name their kind in a class attribute `kind` ("torch", "onnx", "scripted"):
    what actually runs the models once the backend setting "auto" is resolved; real ones also
    name the arithmetic they run in, `precision` ("int8" or "fp32").
    """

    @property
    def name(self) -> str:
        """A short identity used in cache keys and status reports."""
        ...

    @property
    def recommended(self) -> dict:
        """Settings the model ships with (e.g. {"threshold": 0.6, "minRatio": 2.0}); its
        "combiner" is the JSON until a Checker parses it, then the parsed `Combiner`."""
        ...

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every token the generator can propose (single characters are the candidates)."""
        ...

    def replaced_probabilities(self, sentences: Sequence[str]) -> list[list[float]]:
        """For each sentence, one replaced-probability per character (code point).

        Characters that are not candidates (non-CJK, [UNK], continuation pieces) get 0.0.
        """
        ...

    def masked_probabilities(self, queries: Sequence[MaskQuery]) -> list[MaskAnswer]:
        """One answer per query, computed in batches."""
        ...
