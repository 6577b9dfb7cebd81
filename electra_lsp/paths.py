"""Where shipped data lives: the directory named by ELECTRA_LSP_DATA; else the package data
`electra_lsp/data/` of an installed wheel; else `data/` beside the package in a checkout or an
editable install."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

DEFAULT_MODEL_NAME = "electra-mini-zh"


def data_dir() -> Path:
    """The directory of the shipped data (models, lexicon, confusion sets, n-grams)."""
    override = os.environ.get("ELECTRA_LSP_DATA")
    if override:
        return Path(override)
    # A wheel maps the repository's data/ to the package data electra_lsp/data/ (pyproject.toml).
    try:
        packaged = Path(str(files("electra_lsp") / "data"))
    except (ModuleNotFoundError, TypeError, ValueError):
        packaged = None
    if packaged is not None and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def default_model_dir() -> Path:
    """The embedded default pair: `data/electra_models/<name>/{discriminator,generator}`."""
    return data_dir() / "electra_models" / DEFAULT_MODEL_NAME
