"""A deterministic backend driven by a JSON script, for tests and demos with planted errors.

Script format: {"name": "planted", "score": 0.97, "errors": {"唷": {"友": 0.9, "有": 0.05}}}
Every character listed under "errors" is flagged with `score` wherever it appears, and the
generator proposes the listed replacements with the given probabilities. An optional
"recommended" object is what a pair's electra_lsp.json holds (e.g. a "combiner", so that the
fused decision runs with the shipped lexicon). An optional "loadSeconds" makes loading take
that long (a slow model, for tests of what happens while the models load). The server and CLI
select it when ELECTRA_LSP_SCRIPTED_MODEL names such a file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from electra_lsp.engine.backend import MaskAnswer, MaskQuery

SCRIPT_ENV = "ELECTRA_LSP_SCRIPTED_MODEL"
_BACKGROUND = 0.01


class ScriptedBackend:
    """A `ModelBackend` that flags the script's characters (see the module docstring)."""

    kind = "scripted"

    def __init__(self, errors: dict[str, dict[str, float]], score: float = 0.97,
                 name: str = "scripted", recommended: dict | None = None) -> None:
        self._errors = errors
        self._score = score
        self._name = name
        self._recommended = dict(recommended or {})
        self.sentences_seen = 0  # how many sentences went through the detector (for tests)

    @classmethod
    def from_file(cls, path: Path) -> ScriptedBackend:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        time.sleep(float(data.get("loadSeconds", 0.0)))
        return cls(data.get("errors", {}), data.get("score", 0.97), data.get("name", "scripted"),
                   data.get("recommended"))

    @property
    def name(self) -> str:
        return self._name

    @property
    def recommended(self) -> dict:
        return self._recommended

    @property
    def vocabulary(self) -> frozenset[str]:
        chars = set(self._errors)
        for options in self._errors.values():
            chars.update(options)
        return frozenset(chars)

    def replaced_probabilities(self, sentences: Sequence[str]) -> list[list[float]]:
        self.sentences_seen += len(sentences)
        return [[self._score if c in self._errors else 0.0 for c in s] for s in sentences]

    def masked_probabilities(self, queries: Sequence[MaskQuery]) -> list[MaskAnswer]:
        answers = []
        for query in queries:
            options = self._errors.get(query.sentence[query.index], {})
            probabilities = {c: options.get(c, _BACKGROUND / 10) for c in query.candidates}
            answers.append(MaskAnswer(_BACKGROUND, probabilities))
        return answers
