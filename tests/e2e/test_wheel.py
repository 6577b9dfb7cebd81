"""A non-editable install (a wheel, as pip and pipx make it) carries the shipped data inside the
package and finds it there: no checkout, no ELECTRA_LSP_DATA, no network."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import REPO

# What `pip wheel` needs from the source tree (pyproject.toml names README.md as the readme).
SOURCES = ["pyproject.toml", "README.md", "electra_lsp", "data"]

MODEL = "electra_lsp/data/electra_models/electra-mini-zh"
EXPECTED_DATA = [
    f"{MODEL}/discriminator/model.safetensors",
    f"{MODEL}/discriminator/config.json",
    f"{MODEL}/discriminator/vocab.txt",
    f"{MODEL}/generator/model.safetensors",
    f"{MODEL}/generator/config.json",
    f"{MODEL}/generator/vocab.txt",
    f"{MODEL}/electra_lsp.json",
    f"{MODEL}/README.md",
    "electra_lsp/data/lexicon/thuocl_it.tsv",
    "electra_lsp/data/lexicon/NOTICE.md",
    "electra_lsp/data/ngrams/char_ngrams.npz",
    "electra_lsp/data/ngrams/NOTICE.md",
    "electra_lsp/data/confusion/same_pinyin.txt",
    "electra_lsp/data/confusion/NOTICE.md",
]


def _require_build_tools() -> None:
    """pip and setuptools in this environment (the build runs offline, --no-build-isolation);
    setuptools builds wheels itself from 70.1, older ones need the `wheel` package."""
    for module in ("pip", "setuptools"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not importable in {sys.executable}: cannot build the wheel "
                        "offline (--no-build-isolation)")
    from importlib.metadata import version

    major, minor = (int(part) for part in version("setuptools").split(".")[:2])
    if (major, minor) < (70, 1) and importlib.util.find_spec("wheel") is None:
        pytest.skip(f"setuptools {version('setuptools')} without the wheel package in "
                    f"{sys.executable}: cannot build the wheel offline")


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the repository's sources (so the build leaves no build/
    behind in the checkout)."""
    _require_build_tools()
    if not (REPO / "data" / "electra_models").is_dir():
        pytest.skip("the repository's data/ is not present")
    root = tmp_path_factory.mktemp("wheel-build")
    source = root / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    out = root / "dist"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                   "--no-index", "-q", "-w", str(out), str(source)], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(out.glob("electra_lsp-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_the_package_and_its_data(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in EXPECTED_DATA if name not in names]
    assert not missing, f"missing from {wheel.name}: {missing}"
    # Every subpackage of the checkout is in the wheel (pyproject.toml lists them by name).
    packages = sorted(str(init.relative_to(REPO).as_posix())
                      for init in (REPO / "electra_lsp").rglob("__init__.py")
                      if "__pycache__" not in init.parts)
    assert packages and all(name in names for name in packages), \
        [name for name in packages if name not in names]
    # Only the package and its metadata: no tests, runs, editors or node_modules.
    tops = {name.split("/", 1)[0] for name in names}
    assert "electra_lsp" in tops
    assert all(top == "electra_lsp" or top.endswith(".dist-info") for top in tops), tops
    assert not [name for name in names
                if any(part in ("tests", "runs", "editors", "node_modules", "__pycache__")
                       for part in name.split("/"))]


def test_installed_wheel_checks_with_its_own_data(wheel, tmp_path):
    site = tmp_path / "site"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ELECTRA_LSP_") and key not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                   "--target", str(site), str(wheel)], env=env)
    assert result.returncode == 0, result.stdout + result.stderr

    # Run outside the repository, with only the installed copy on the path (the test process's
    # ONNX cache directory is kept, so nothing is written to the user's cache).
    work = tmp_path / "work"
    work.mkdir()
    env["PYTHONPATH"] = str(site)
    if "ELECTRA_LSP_CACHE_DIR" in os.environ:
        env["ELECTRA_LSP_CACHE_DIR"] = os.environ["ELECTRA_LSP_CACHE_DIR"]

    where = _run([sys.executable, "-c",
                  "import electra_lsp, electra_lsp.paths as p; "
                  "print(electra_lsp.__file__); print(p.data_dir()); "
                  "print(p.default_model_dir())"], env=env, cwd=work)
    assert where.returncode == 0, where.stderr
    package_file, data, model = (Path(line) for line in where.stdout.splitlines())
    site_resolved = site.resolve()
    assert package_file.resolve().is_relative_to(site_resolved), package_file
    assert data.resolve() == site_resolved / "electra_lsp" / "data", data
    assert model.resolve().is_relative_to(site_resolved), model
    assert not data.resolve().is_relative_to(REPO), data

    sample = work / "sample.md"
    sample.write_text("# 说明\n\n他以经把依赖安装好了。\n", encoding="utf-8")
    check = _run([sys.executable, "-m", "electra_lsp", "check", "sample.md"], env=env, cwd=work)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "以 → 已" in check.stdout, check.stdout + check.stderr
    assert "sample.md:3:" in check.stdout, check.stdout
