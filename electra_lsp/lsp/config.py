"""Settings from the client: initializationOptions, workspace/didChangeConfiguration and
workspace/configuration (section `electraLsp`); what a change of settings sets off; and which
documents are checked (`checked_kind`).

The client's raw values (`section_values`) are not settings: `apply_values` validates them onto
the base settings (command line + initializationOptions) and reports what it could not use.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from electra_lsp.settings import SECTION, SPECS, SPECS_BY_NAME, Settings, SettingsError
from electra_lsp.text import kinds

if TYPE_CHECKING:
    from electra_lsp.lsp.server import ElectraServer

log = logging.getLogger(__name__)
CLIENT_REQUEST_TIMEOUT = 10.0  # seconds to wait for the client to answer one of our requests

# Changing these needs new models; these change what the checker finds; these only change how
# findings are shown.
RELOAD_KEYS = frozenset({"discriminator", "generator", "backend", "precision", "threads",
                         "batchSize"})
CHECKER_KEYS = frozenset({"threshold", "autoFixThreshold", "minRatio", "topK"})
RECHECK_KEYS = frozenset({"fileTypes", "maxDocumentSize"})


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


def checks_language(settings: Settings, language_id: str) -> bool:
    """Whether documents of this language id are checked (the fileTypes setting)."""
    wanted = {kinds.normalize(t) for t in settings.fileTypes}
    return kinds.normalize(language_id) in wanted


def checked_kind(settings: Settings, language_id: str, size: int) -> str | None:
    """How a document is checked ("markdown" or "plaintext"), or None when it is not: its
    language is not in fileTypes, or it has more than maxDocumentSize characters."""
    if not checks_language(settings, language_id) or size > settings.maxDocumentSize:
        return None
    return kinds.kind_of_language(language_id)


# -- the server's settings -----------------------------------------------------------------
def apply_initialization_options(ls: ElectraServer, options: Any) -> None:
    """initializationOptions become the base settings (what a removed setting returns to)."""
    values = section_values(options)
    if values is None:
        return
    applied = apply_values(ls.base_settings, ls.base_settings, values)
    _report(ls, applied)
    ls.base_settings = ls.settings = applied.settings


async def pull_configuration(ls: ElectraServer) -> None:
    """Ask the client for the electraLsp section (workspace/configuration) and apply it."""
    params = types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
    try:
        result = await asyncio.wait_for(ls.workspace_configuration_async(params),
                                        CLIENT_REQUEST_TIMEOUT)
    except Exception as error:
        log.warning("workspace/configuration failed: %s", error)
        return
    if result and isinstance(result[0], dict):
        apply_configuration(ls, result[0])


def apply_configuration(ls: ElectraServer, values: dict[str, Any]) -> None:
    """The client's settings: applied on top of the base settings, then acted upon."""
    applied = apply_values(ls.base_settings, ls.settings, values)
    _report(ls, applied)
    old, ls.settings = ls.settings, applied.settings
    settings_changed(ls, old, ls.settings)


def _report(ls: ElectraServer, applied: Applied) -> None:
    if applied.unknown:
        log.info("ignoring client settings that are not the server's: %s", applied.unknown)
    if applied.errors:
        ls.show(types.MessageType.Error, "electra-lsp: invalid settings (previous values kept): "
                + "; ".join(applied.errors))


def settings_changed(ls: ElectraServer, old: Settings, new: Settings) -> None:
    """New models, a re-check or only a new presentation, as the changed keys need."""
    keys = changed(old, new)
    if not keys or not ls.started:
        return
    if keys & RELOAD_KEYS:
        ls.spawn(ls.host.load())
        return
    checker = ls.host.loaded_checker()
    if checker is None:
        return  # the models being loaded pick the settings up when ready
    if keys & CHECKER_KEYS:
        checker.update_settings(new)
    if "dictionaryPath" in keys:
        from electra_lsp.dictionary import open_dictionary

        checker.dictionary, warnings = open_dictionary(new.dictionaryPath)
        for warning in warnings:
            ls.show(types.MessageType.Warning, f"electra-lsp: {warning}")
    if keys & (CHECKER_KEYS | RECHECK_KEYS | {"dictionaryPath"}):
        ls.host.generation += 1
        ls.recheck_all()
    elif "severity" in keys:
        ls.publisher.changed_all()
