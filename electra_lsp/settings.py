"""The one settings schema, shared by the LSP server (section `electraLsp`), the CLI and VS Code.

Each setting has one camelCase name. The CLI derives its flag from it (`topK` → `--top-k`),
VS Code's `contributes.configuration` is tested against `json_schema()`, and LSP clients send
the same names. Invalid values raise `SettingsError` with a message naming the setting;
callers keep the previous value.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECTION = "electraLsp"
SEVERITIES = ("error", "warning", "information", "hint")
BACKENDS = ("auto", "torch", "onnx")
PRECISIONS = ("fp32", "int8")


class SettingsError(ValueError):
    """A setting has an invalid value; the message names the setting and what is allowed."""


@dataclass(frozen=True)
class SettingSpec:
    """One setting of the schema: name, JSON type, default, description and bounds."""

    name: str
    type: str  # JSON schema type: string, number, integer, boolean, array
    default: Any
    description: str
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False

    @property
    def cli_flag(self) -> str:
        """The command-line flag (`topK` -> `--top-k`)."""
        return "--" + re.sub(r"(?<!^)([A-Z])", r"-\1", self.name).lower()

    @property
    def env_var(self) -> str:
        """The environment variable (`topK` -> `ELECTRA_LSP_TOP_K`)."""
        return "ELECTRA_LSP_" + re.sub(r"(?<!^)([A-Z])", r"_\1", self.name).upper()


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("discriminator", "string", None,
                "Discriminator model: a directory in the HFL layout or a model id in the local "
                "Hugging Face cache. Empty: the embedded default model.", nullable=True),
    SettingSpec("generator", "string", None,
                "Generator (masked LM) model: a directory or model id. Empty: the embedded "
                "default model.", nullable=True),
    SettingSpec("backend", "string", "auto",
                "Inference backend: onnx (needs onnxruntime; faster, smaller), torch, or auto: "
                "onnx when onnxruntime is installed, else torch.",
                enum=BACKENDS),
    # fp32 by default: with int8 (dynamic quantization, activation scales per batch) a
    # sentence's scores depend a little on the sentences batched with it (README, Speed).
    SettingSpec("precision", "string", "fp32",
                "Arithmetic of the onnx backend: fp32, or int8 (weights quantized once, "
                "dynamically: faster, findings equal within noise on the benchmarks, but a "
                "sentence's scores then vary slightly with the sentences checked beside it). "
                "The torch backend always runs fp32.",
                enum=PRECISIONS),
    SettingSpec("threshold", "number", None,
                "Probability from which a finding is reported: the fused decision's probability "
                "that it is a typo with this fix (for a pair without a fitted combiner: the "
                "discriminator's score). Empty: the model's recommended threshold.",
                minimum=0.0, maximum=1.0, nullable=True),
    SettingSpec("autoFixThreshold", "number", None,
                "Probability from which a finding's best fix is applied without asking (fix "
                "--write, Fix All, fix on save); never below threshold. Empty: the model's "
                "recommendation.",
                minimum=0.0, maximum=1.0, nullable=True),
    SettingSpec("minRatio", "number", None,
                "Pairs without a fitted combiner only: a suggestion must be this many times more "
                "probable than the written character under the generator. Empty: the model's "
                "recommendation (1.0 if it has none).",
                minimum=0.0, nullable=True),
    SettingSpec("topK", "integer", 3, "Most suggestions offered per finding.",
                minimum=1, maximum=20),
    SettingSpec("debounceMs", "integer", 300,
                "Milliseconds to wait after an edit before checking.", minimum=0, maximum=10000),
    SettingSpec("severity", "string", "information", "Diagnostic severity.", enum=SEVERITIES),
    SettingSpec("fileTypes", "array", ("markdown", "plaintext"),
                "Language ids of documents to check."),
    SettingSpec("dictionaryPath", "string", None,
                "User dictionary file (one word per line). Empty: a file in the platform's "
                "user data directory.", nullable=True),
    SettingSpec("maxDocumentSize", "integer", 5_000_000,
                "Documents with more characters than this are not checked.", minimum=1),
    # 16: with the embedded pair, check_sentences ran 14 % faster than at 32 with onnx (326
    # vs 286 sentences/s, medians of 7) and no slower with torch, with identical findings.
    SettingSpec("batchSize", "integer", 16, "Sentences per model batch.",
                minimum=1, maximum=1024),
    SettingSpec("threads", "integer", 0,
                "CPU threads for inference; 0 lets the backend choose.", minimum=0, maximum=256),
)
SPECS_BY_NAME = {spec.name: spec for spec in SPECS}


def _default(name: str) -> Any:
    return SPECS_BY_NAME[name].default


@dataclass(frozen=True)
class Settings:
    """One value per setting of `SPECS` (same names, defaults from there); immutable: `replace`
    gives a validated copy. None for the thresholds means the model's recommendation."""

    discriminator: str | None = _default("discriminator")
    generator: str | None = _default("generator")
    backend: str = _default("backend")
    precision: str = _default("precision")
    threshold: float | None = _default("threshold")
    autoFixThreshold: float | None = _default("autoFixThreshold")  # noqa: N815
    # The schema's camelCase names are the field names.
    minRatio: float | None = _default("minRatio")  # noqa: N815
    topK: int = _default("topK")  # noqa: N815
    debounceMs: int = _default("debounceMs")  # noqa: N815
    severity: str = _default("severity")
    fileTypes: tuple[str, ...] = _default("fileTypes")  # noqa: N815
    dictionaryPath: str | None = _default("dictionaryPath")  # noqa: N815
    maxDocumentSize: int = _default("maxDocumentSize")  # noqa: N815
    batchSize: int = _default("batchSize")  # noqa: N815
    threads: int = _default("threads")

    def replace(self, values: Mapping[str, Any]) -> Settings:
        """A copy with `values` validated and applied; raises SettingsError on the first bad one."""
        changes = {}
        for name, raw in values.items():
            spec = SPECS_BY_NAME.get(name)
            if spec is None:
                raise SettingsError(f"unknown setting {SECTION}.{name}")
            changes[name] = coerce(spec, raw)
        return dataclasses.replace(self, **changes)

    def merged(self, values: Mapping[str, Any]) -> tuple[Settings, list[str]]:
        """Apply each valid value; keep the previous value for invalid ones; return the errors."""
        current, errors = self, []
        for name, raw in values.items():
            try:
                current = current.replace({name: raw})
            except SettingsError as error:
                errors.append(str(error))
        return current, errors

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON (fileTypes a list), as the status reports them."""
        data = dataclasses.asdict(self)
        data["fileTypes"] = list(self.fileTypes)
        return data


def coerce(spec: SettingSpec, raw: Any) -> Any:
    """Validate one raw value (from JSON, a CLI flag or the environment) against its spec."""
    label = f"{SECTION}.{spec.name}"
    if raw is None or (spec.nullable and raw == ""):
        if spec.nullable:
            return None
        raise SettingsError(f"{label} must not be empty")
    converters: dict[str, Callable[[Any], Any]] = {
        "string": _as_string,
        "number": _as_number,
        "integer": _as_integer,
        "boolean": _as_boolean,
        "array": _as_string_tuple,
    }
    try:
        value = converters[spec.type](raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{label} must be {_article(spec.type)}, got {raw!r}") from None
    if spec.enum is not None and value not in spec.enum:
        raise SettingsError(f"{label} must be one of {', '.join(spec.enum)}, got {raw!r}")
    if spec.minimum is not None and value < spec.minimum:
        raise SettingsError(f"{label} must be at least {spec.minimum}, got {raw!r}")
    if spec.maximum is not None and value > spec.maximum:
        raise SettingsError(f"{label} must be at most {spec.maximum}, got {raw!r}")
    return value


def _article(type_name: str) -> str:
    return {"integer": "an integer", "array": "a list of strings"}.get(type_name, f"a {type_name}")


def _as_string(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError
    return raw


def _as_number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise TypeError
    return float(raw)


def _as_integer(raw: Any) -> int:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        raise TypeError
    return int(raw)


def _as_boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "1", "yes", "false", "0", "no"):
        return raw.lower() in ("true", "1", "yes")
    raise TypeError


def _as_string_tuple(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(item, str) for item in raw):
        raise TypeError
    return tuple(raw)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Raw values from `ELECTRA_LSP_*` variables (e.g. ELECTRA_LSP_DISCRIMINATOR)."""
    environ = os.environ if environ is None else environ
    return {spec.name: environ[spec.env_var] for spec in SPECS if spec.env_var in environ}


def from_file(path: Path) -> dict[str, Any]:
    """Raw values from a JSON settings file: either flat or under the `electraLsp` key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SettingsError(f"cannot read settings file {path}: {error}") from None
    if isinstance(data, dict) and isinstance(data.get(SECTION), dict):
        data = data[SECTION]
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {path} must hold a JSON object")
    return data


def json_schema() -> dict[str, dict[str, Any]]:
    """JSON-schema properties keyed `electraLsp.<name>`, as VS Code's contributes.configuration."""
    properties: dict[str, dict[str, Any]] = {}
    for spec in SPECS:
        entry: dict[str, Any] = {
            "type": [spec.type, "null"] if spec.nullable else spec.type,
            "default": list(spec.default) if isinstance(spec.default, tuple) else spec.default,
            "description": spec.description,
        }
        if spec.type == "array":
            entry["items"] = {"type": "string"}
        if spec.enum is not None:
            entry["enum"] = list(spec.enum)
        if spec.minimum is not None:
            entry["minimum"] = spec.minimum
        if spec.maximum is not None:
            entry["maximum"] = spec.maximum
        properties[f"{SECTION}.{spec.name}"] = entry
    return properties
