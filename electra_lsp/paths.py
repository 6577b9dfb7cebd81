"""Where shipped data lives: `data/` beside the package in a checkout or editable install, or
the directory named by ELECTRA_LSP_DATA."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MODEL_NAME = "electra-tiny-zh"


def data_dir() -> Path:
    override = os.environ.get("ELECTRA_LSP_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"


def default_model_dir() -> Path:
    """The embedded default pair: `data/electra_models/<name>/{discriminator,generator}`."""
    return data_dir() / "electra_models" / DEFAULT_MODEL_NAME
