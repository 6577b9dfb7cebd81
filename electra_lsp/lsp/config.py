"""Settings from the client: initializationOptions, workspace/didChangeConfiguration and
workspace/configuration (section `electraLsp`), and which document languages are checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from electra_lsp.settings import SECTION, SPECS, SPECS_BY_NAME, Settings, SettingsError
from electra_lsp.text import kinds

# Changing these needs new models; these change what the checker finds; these only change how
# findings are shown.
RELOAD_KEYS = frozenset({"discriminator", "generator", "backend", "threads", "batchSize"})
CHECKER_KEYS = frozenset({"threshold", "minRatio", "topK"})
RECHECK_KEYS = frozenset({"fileTypes", "maxDocumentSize"})
LANGUAGE_ALIASES = kinds.ALIASES


def section_values(payload: Any) -> dict[str, Any] | None:
    """The electraLsp values in a payload: {"electraLsp": {...}} or already flat; else None."""
    if not isinstance(payload, Mapping):
        return None
    inner = payload.get(SECTION)
    if isinstance(inner, Mapping):
        return dict(inner)
    if any(key in SPECS_BY_NAME for key in payload):
        return dict(payload)
    return None


@dataclasses.dataclass(frozen=True)
class Applied:
    settings: Settings
    errors: list[str]  # invalid values (the previous value was kept)
    unknown: list[str]  # keys that are not settings of the server (client-side settings)


def apply_values(base: Settings, previous: Settings, values: Mapping[str, Any]) -> Applied:
    """`base` overlaid with `values`; an invalid value keeps its `previous` value.

    Starting from `base` (command line and initializationOptions) rather than `previous` means a
    setting the user removed goes back to its base value.
    """
    settings, errors, unknown = base, [], []
    for name, raw in values.items():
        if name not in SPECS_BY_NAME:
            unknown.append(name)
            continue
        try:
            settings = settings.replace({name: raw})
        except SettingsError as error:
            errors.append(str(error))
            settings = dataclasses.replace(settings, **{name: getattr(previous, name)})
    return Applied(settings, errors, unknown)


def changed(old: Settings, new: Settings) -> frozenset[str]:
    return frozenset(s.name for s in SPECS if getattr(old, s.name) != getattr(new, s.name))


def normalize_language(language_id: str) -> str:
    language_id = language_id.lower()
    return LANGUAGE_ALIASES.get(language_id, language_id)


def checks_language(settings: Settings, language_id: str) -> bool:
    return normalize_language(language_id) in {normalize_language(t) for t in settings.fileTypes}


def document_kind(language_id: str) -> str:
    """How the text layer reads a document: Markdown, or anything else as plain text."""
    return kinds.kind_of_language(language_id)
