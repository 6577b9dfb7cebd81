"""The settings schema: validation, merging with fallback, sources, CLI names."""

from __future__ import annotations

import pytest

from electra_lsp.settings import (
    SPECS_BY_NAME,
    Settings,
    SettingsError,
    from_environment,
    json_schema,
)


def test_valid_values_are_coerced():
    settings = Settings().replace({"threshold": "0.7", "topK": 5, "fileTypes": "markdown,text"})
    assert settings.threshold == 0.7 and settings.topK == 5
    assert settings.fileTypes == ("markdown", "text")


@pytest.mark.parametrize("name, value, message", [
    ("threshold", 1.5, "at most 1.0"),
    ("topK", "many", "an integer"),
    ("topK", 2.5, "an integer"),
    ("severity", "loud", "one of error, warning, information, hint"),
    ("nonsense", 1, "unknown setting electraLsp.nonsense"),
])
def test_invalid_values_name_the_setting(name, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings().replace({name: value})


def test_merged_keeps_previous_value_for_invalid_ones():
    previous = Settings(topK=4)
    merged, errors = previous.merged({"topK": -1, "severity": "warning"})
    assert merged.topK == 4 and merged.severity == "warning"
    assert len(errors) == 1 and "electraLsp.topK" in errors[0]


def test_environment_and_cli_names():
    assert SPECS_BY_NAME["topK"].cli_flag == "--top-k"
    assert SPECS_BY_NAME["debounceMs"].env_var == "ELECTRA_LSP_DEBOUNCE_MS"
    assert from_environment({"ELECTRA_LSP_TOP_K": "2", "HOME": "/"}) == {"topK": "2"}


def test_json_schema_covers_every_setting_with_its_default():
    schema = json_schema()
    assert set(schema) == {f"electraLsp.{name}" for name in SPECS_BY_NAME}
    assert schema["electraLsp.topK"]["default"] == Settings().topK
    assert schema["electraLsp.threshold"]["type"] == ["number", "null"]


def test_settings_fields_are_the_specs_with_their_defaults():
    import dataclasses

    from electra_lsp.settings import SPECS

    fields = dataclasses.fields(Settings)
    assert [f.name for f in fields] == [spec.name for spec in SPECS]
    assert [getattr(Settings(), spec.name) for spec in SPECS] == [spec.default for spec in SPECS]
