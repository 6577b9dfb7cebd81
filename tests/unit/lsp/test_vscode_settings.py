"""The VS Code extension's settings and the docs' settings table match the server's schema."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from support import REPO

from electra_lsp.settings import SPECS, Settings, json_schema

ROOT = REPO
SCRIPT = ROOT / "editors" / "vscode" / "scripts" / "sync_settings.py"
CLIENT_ONLY = {"electraLsp.server.path", "electraLsp.server.args", "electraLsp.trace.server"}


def _load_sync():
    spec = importlib.util.spec_from_file_location("sync_settings", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync = _load_sync()


def _package_properties(path: Path = sync.PACKAGE_JSON) -> dict:
    package = json.loads(path.read_text(encoding="utf-8"))
    return package["contributes"]["configuration"]["properties"]


def test_package_json_is_the_server_schema_plus_client_settings():
    properties = _package_properties()
    server_part = {key: value for key, value in properties.items() if key not in CLIENT_ONLY}
    assert server_part == json_schema()
    assert list(server_part) == list(json_schema()), "keep the schema's order"
    assert set(properties) - set(json_schema()) == CLIENT_ONLY
    assert properties["electraLsp.server.path"]["default"] == "electra-lsp"
    assert properties["electraLsp.server.args"]["default"] == []


def test_vscode_defaults_are_the_server_defaults():
    """What VS Code sends for an untouched configuration must give the server its defaults."""
    properties = _package_properties()
    sent = {key.removeprefix("electraLsp."): value["default"]
            for key, value in properties.items() if key not in CLIENT_ONLY}
    settings, errors = Settings().merged(sent)
    assert errors == []
    assert settings == Settings()


def test_generated_files_are_up_to_date(capsys):
    assert sync.main(["--check"]) == 0, capsys.readouterr().out


def test_docs_table_lists_every_setting():
    doc = sync.EDITORS_DOC.read_text(encoding="utf-8")
    table = doc[doc.index(sync.TABLE_START):doc.index(sync.TABLE_END)]
    for spec in SPECS:
        assert f"| `electraLsp.{spec.name}` | `{spec.cli_flag}` |" in table
    for name in CLIENT_ONLY:
        assert f"| `{name}` |" in table


def test_check_reports_stale_copies(tmp_path, monkeypatch, capsys):
    package = tmp_path / "package.json"
    doc = tmp_path / "editors.md"
    shutil.copy(sync.PACKAGE_JSON, package)
    shutil.copy(sync.EDITORS_DOC, doc)
    data = json.loads(package.read_text(encoding="utf-8"))
    data["contributes"]["configuration"]["properties"]["electraLsp.topK"]["default"] = 99
    package.write_text(json.dumps(data, indent=2), encoding="utf-8")
    doc.write_text(doc.read_text(encoding="utf-8").replace("`--top-k`", "`--topk`"),
                   encoding="utf-8")
    monkeypatch.setattr(sync, "ROOT", tmp_path)
    monkeypatch.setattr(sync, "PACKAGE_JSON", package)
    monkeypatch.setattr(sync, "EDITORS_DOC", doc)
    monkeypatch.setattr(sync, "README", tmp_path / "README.md")  # absent: not generated
    lua = tmp_path / "electra_lsp.lua"
    shutil.copy(sync.NEOVIM_CONFIG, lua)
    lua.write_text(lua.read_text(encoding="utf-8").replace("topK = 3,", "topK = 4,"),
                   encoding="utf-8")
    monkeypatch.setattr(sync, "NEOVIM_CONFIG", lua)
    assert sync.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "package.json" in out and "editors.md" in out and "electra_lsp.lua" in out
    assert sync.main([]) == 0
    assert sync.main(["--check"]) == 0
    assert _package_properties(package)["electraLsp.topK"]["default"] == 3
    assert "topK = 3," in lua.read_text(encoding="utf-8")


def test_readme_table_is_generated_when_it_has_the_markers(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{sync.TABLE_START}\nold\n{sync.TABLE_END}\n", encoding="utf-8")
    for name in ("PACKAGE_JSON", "EDITORS_DOC", "NEOVIM_CONFIG"):
        copy = tmp_path / getattr(sync, name).name
        shutil.copy(getattr(sync, name), copy)
        monkeypatch.setattr(sync, name, copy)
    monkeypatch.setattr(sync, "ROOT", tmp_path)
    monkeypatch.setattr(sync, "README", readme)
    assert sync.main(["--check"]) == 1
    assert sync.main([]) == 0
    assert "| `electraLsp.topK` | `--top-k` |" in readme.read_text(encoding="utf-8")


def test_missing_table_markers_are_a_clear_error():
    with pytest.raises(ValueError, match="markers missing"):
        sync.render_doc("# no table here\n")
