"""Resolve a discriminator + generator pair to directories on disk (loading it into a backend is
`factory.load_backend`'s job).

A model is named by a directory in the HFL layout (`config.json`, `vocab.txt`, weights as
`model.safetensors` or `pytorch_model.bin`) or by a model id (`hfl/chinese-electra-180g-base-
discriminator`) that must already be in the local Hugging Face cache: nothing is downloaded.
Weights load from safetensors when present; pickle `.bin` files only through weights-only
loading; remote code is never trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from electra_lsp.paths import default_model_dir

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
MODEL_SETTINGS_FILE = "electra_lsp.json"  # a model's own recommended thresholds
HOW_TO_GET_MODELS = (
    "Give a model pair with --discriminator DIR --generator DIR (or the settings "
    "electraLsp.discriminator / electraLsp.generator, or ELECTRA_LSP_DISCRIMINATOR / "
    "ELECTRA_LSP_GENERATOR). A pair can be trained with `electra-lsp train`, or HFL's Chinese "
    "ELECTRA models (e.g. hfl/chinese-electra-180g-small-discriminator and "
    "...-small-generator) can be downloaded elsewhere and copied into a directory or the "
    "Hugging Face cache."
)


class ModelLoadError(RuntimeError):
    """A model could not be resolved or loaded; the message says what was tried and what to do."""


@dataclass(frozen=True)
class ResolvedModel:
    """One model of a pair, found on disk: `directory` holds config.json, vocab.txt and weights.

    `weights` and `size_bytes` raise ModelLoadError when the weights are missing.
    """

    role: str  # discriminator or generator
    requested: str  # what the user named ("" for the embedded default)
    directory: Path
    source: str  # "directory", "hub cache" or "embedded default"

    @property
    def weights(self) -> Path:
        """The weights file (safetensors preferred); raises ModelLoadError when there is none."""
        for name in WEIGHT_FILES:
            if (self.directory / name).is_file():
                return self.directory / name
        raise ModelLoadError(f"{self.role} model in {self.directory} has no weights "
                             f"({' or '.join(WEIGHT_FILES)}). {HOW_TO_GET_MODELS}")

    @property
    def size_bytes(self) -> int:
        """Size of the weights file in bytes."""
        return self.weights.stat().st_size


def resolve(role: str, requested: str | None) -> ResolvedModel:
    """Find the directory of a model named by path or id, or the embedded default.

    role: "discriminator" or "generator"; requested: a directory, a Hugging Face model id
    (looked up in the local cache only) or empty for the embedded default. Raises
    ModelLoadError saying what was tried and how to get models.
    """
    if not requested:
        directory = default_model_dir() / role
        if not (directory / "config.json").is_file():
            raise ModelLoadError(
                f"no {role} model: the embedded default was not found at {directory}. "
                + HOW_TO_GET_MODELS
            )
        return _checked(ResolvedModel(role, "", directory, "embedded default"))
    path = Path(requested).expanduser()
    if path.is_dir():
        return _checked(ResolvedModel(role, requested, path.resolve(), "directory"))
    if _looks_like_model_id(requested):
        return _checked(ResolvedModel(role, requested, _from_hub_cache(role, requested),
                                      "hub cache"))
    raise ModelLoadError(f"{role} model not found: {path} is not a directory. "
                         + HOW_TO_GET_MODELS)


def _looks_like_model_id(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "/", "~"))


def _from_hub_cache(role: str, model_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model_id, local_files_only=True))
    except Exception as error:  # the hub library raises several types for "not cached"
        raise ModelLoadError(
            f"{role} model {model_id!r} is not in the local Hugging Face cache "
            f"({type(error).__name__}); electra-lsp never downloads. " + HOW_TO_GET_MODELS
        ) from None


def _checked(model: ResolvedModel) -> ResolvedModel:
    for name in ("config.json", "vocab.txt"):
        if not (model.directory / name).is_file():
            raise ModelLoadError(f"{model.role} model in {model.directory} lacks {name}. "
                                 + HOW_TO_GET_MODELS)
    _ = model.weights
    return model


def read_vocab(directory: Path) -> list[str]:
    """The tokens of a model's vocab.txt, one per line, in id order."""
    return (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()


def check_same_vocabulary(discriminator: ResolvedModel, generator: ResolvedModel) -> None:
    """Raises ModelLoadError unless both halves share one vocabulary (they must be one pair)."""
    if read_vocab(discriminator.directory) != read_vocab(generator.directory):
        raise ModelLoadError(
            f"the discriminator ({discriminator.directory}) and generator "
            f"({generator.directory}) have different vocabularies: use the two halves of one "
            "ELECTRA pair"
        )


def model_defaults(discriminator: ResolvedModel) -> dict:
    """Thresholds a model ships with (`electra_lsp.json` in its directory or its parent)."""
    for directory in (discriminator.directory, discriminator.directory.parent):
        path = directory / MODEL_SETTINGS_FILE
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def settings_path(discriminator: ResolvedModel) -> Path:
    """Where the pair's `electra_lsp.json` is (or goes): the file `model_defaults` reads, else
    beside a pair's discriminator/generator folders, else in the discriminator's folder."""
    for directory in (discriminator.directory, discriminator.directory.parent):
        if (directory / MODEL_SETTINGS_FILE).is_file():
            return directory
    if discriminator.directory.name == "discriminator":
        return discriminator.directory.parent
    return discriminator.directory


def model_name(discriminator: ResolvedModel, generator: ResolvedModel) -> str:
    """A readable identity: the pair's folder (`electra-mini-zh`) or both model names."""
    if discriminator.directory.parent == generator.directory.parent and \
            discriminator.directory.name == "discriminator":
        return discriminator.directory.parent.name
    return f"{discriminator.requested or discriminator.directory.name}+" \
           f"{generator.requested or generator.directory.name}"
