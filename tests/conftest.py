"""Shared fixtures: tiny seeded ELECTRA pairs (both weight formats) and a scripted backend.

The helpers beside this file (support, lsp_fixtures, tiny_models) are importable from every
test through pytest's `pythonpath` setting (pyproject.toml)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

# The default backend (auto) exports ONNX graphs into a cache: keep the tests' out of the user's
# cache directory. Server subprocesses inherit this.
os.environ.setdefault("ELECTRA_LSP_CACHE_DIR", tempfile.mkdtemp(prefix="electra-lsp-test-cache-"))


@pytest.fixture(scope="session")
def tiny_pair(tmp_path_factory) -> tuple[Path, Path]:
    """A random tiny pair saved as model.safetensors."""
    from tiny_models import build_pair

    return build_pair(tmp_path_factory.mktemp("tiny-safetensors"), seed=0)


@pytest.fixture(scope="session")
def tiny_pair_bin(tmp_path_factory) -> tuple[Path, Path]:
    """The same pair saved as pickle pytorch_model.bin."""
    from tiny_models import build_pair

    return build_pair(tmp_path_factory.mktemp("tiny-bin"), seed=0, safetensors=False)


@pytest.fixture
def planted_script(tmp_path, monkeypatch) -> Path:
    """A scripted backend (ELECTRA_LSP_SCRIPTED_MODEL) that plants 有→友 and 在→再."""
    script = tmp_path / "planted.json"
    script.write_text(json.dumps({"name": "planted", "score": 0.97,
                                  "errors": {"有": {"友": 0.9}, "在": {"再": 0.8}}},
                                 ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("ELECTRA_LSP_SCRIPTED_MODEL", str(script))
    return script

