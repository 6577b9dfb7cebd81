"""The ONNX Runtime backend gives the torch backend's results (fp32), exports and quantizes
once, and runs without torch once its graphs are cached."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (optional extra 'onnx')")

from tiny_models import SENTENCES  # noqa: E402

from electra_lsp.checker import Checker  # noqa: E402
from electra_lsp.dictionary import UserDictionary  # noqa: E402
from electra_lsp.engine import onnx_backend  # noqa: E402
from electra_lsp.engine.backend import MaskQuery  # noqa: E402
from electra_lsp.engine.factory import load_backend  # noqa: E402
from electra_lsp.engine.onnx_backend import CACHE_ENV, OnnxBackend  # noqa: E402
from electra_lsp.engine.resolve import resolve  # noqa: E402
from electra_lsp.engine.torch_backend import TorchBackend  # noqa: E402
from electra_lsp.settings import Settings  # noqa: E402

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def pair(tiny_pair):
    discriminator, generator = tiny_pair
    return resolve("discriminator", str(discriminator)), resolve("generator", str(generator))


@pytest.fixture(scope="module")
def backends(pair, cache):
    settings = Settings(batchSize=2, threads=1, precision="fp32")
    return OnnxBackend(*pair, settings, cache=cache), TorchBackend(*pair, settings)


@pytest.fixture(scope="module")
def int8_backend(pair, cache):
    return OnnxBackend(*pair, Settings(batchSize=2, threads=1, precision="int8"), cache=cache)


def test_replaced_probabilities_match_torch(backends):
    onnx, torch = backends
    for got, expected in zip(onnx.replaced_probabilities(SENTENCES),
                             torch.replaced_probabilities(SENTENCES), strict=True):
        assert len(got) == len(expected)
        assert got == pytest.approx(expected, abs=TOLERANCE)
        assert [g == 0.0 for g in got] == [e == 0.0 for e in expected]  # same candidates


def test_masked_probabilities_match_torch(backends):
    onnx, torch = backends
    queries = [MaskQuery(SENTENCES[0], 4, ("友", "有", "又")),
               MaskQuery(SENTENCES[3], 10, ("面", "里")),
               MaskQuery(SENTENCES[0], 0, ("找", "龘")),  # 龘 is not in the tiny vocabulary
               MaskQuery(SENTENCES[1], SENTENCES[1].index("𠀀"), ("园",)),  # [UNK]: no answer
               MaskQuery(SENTENCES[2], 1, ("号",))]
    for got, expected in zip(onnx.masked_probabilities(queries),
                             torch.masked_probabilities(queries), strict=True):
        assert got.original_probability == pytest.approx(expected.original_probability,
                                                         abs=TOLERANCE)
        assert set(got.probabilities) == set(expected.probabilities)
        for char, probability in expected.probabilities.items():
            assert got.probabilities[char] == pytest.approx(probability, abs=TOLERANCE)
    assert onnx.masked_probabilities([]) == []


def test_same_findings_through_the_checker(backends, tmp_path):
    onnx, torch = backends
    settings = Settings(threshold=0.0, minRatio=0.0, batchSize=2)  # random models: flag all
    document = "# 标题\n\n" + "\n\n".join(SENTENCES) + "\n\n`代码` 和公园。\n"
    results = []
    for backend in (onnx, torch):
        checker = Checker(backend, settings, UserDictionary(tmp_path / "words.txt"))
        results.append(checker.check(document))
    got, expected = results
    assert len(got) > 5  # threshold 0 flags every candidate that has a similar character
    assert [(f.start, f.end, f.original) for f in got] == \
        [(f.start, f.end, f.original) for f in expected]
    for a, b in zip(got, expected, strict=True):
        assert a.score == pytest.approx(b.score, abs=TOLERANCE)
        assert {s.text for s in a.suggestions} == {s.text for s in b.suggestions}


def test_load_backend_selects_onnx_and_threads(tiny_pair, cache, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(cache))
    discriminator, generator = tiny_pair
    backend = load_backend(Settings(discriminator=str(discriminator), generator=str(generator),
                                    backend="onnx", threads=1))
    assert isinstance(backend, OnnxBackend)
    assert backend._discriminator.get_session_options().intra_op_num_threads == 1
    assert backend.name == discriminator.parent.name


def test_auto_prefers_onnx_and_falls_back_to_torch(tiny_pair, cache, monkeypatch):
    from electra_lsp.engine.resolve import ModelLoadError
    from electra_lsp.engine.torch_backend import TorchBackend

    monkeypatch.setenv(CACHE_ENV, str(cache))
    names = {"discriminator": str(tiny_pair[0]), "generator": str(tiny_pair[1])}
    assert Settings().backend == "auto"
    assert isinstance(load_backend(Settings(**names)), OnnxBackend)
    assert isinstance(load_backend(Settings(**names, backend="torch")), TorchBackend)

    def unexportable(*args, **kwargs):
        raise ModelLoadError("cannot export")

    blocked = cache.parent / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocked))  # an unwritable cache: onnx refuses, auto goes on
    with pytest.raises(ModelLoadError, match="cannot write the ONNX cache"):
        load_backend(Settings(**names, backend="onnx"))
    assert isinstance(load_backend(Settings(**names)), TorchBackend)
    monkeypatch.setenv(CACHE_ENV, str(cache))

    monkeypatch.setattr(onnx_backend.OnnxBackend, "__init__", unexportable)
    assert isinstance(load_backend(Settings(**names)), TorchBackend)  # auto: torch instead
    with pytest.raises(ModelLoadError, match="cannot export"):
        load_backend(Settings(**names, backend="onnx"))  # asked for by name: the error


def test_export_happens_once_and_follows_the_weights(pair, cache, tmp_path, monkeypatch):
    OnnxBackend(*pair, Settings(), cache=cache)  # cached by the fixture above

    def no_export(model, target):
        raise AssertionError(f"{model.role} exported again")

    monkeypatch.setattr(onnx_backend, "_export", no_export)
    OnnxBackend(*pair, Settings(), cache=cache)
    # changed weights get a new graph, not the stale one
    copy = tmp_path / "copy"
    shutil.copytree(pair[0].directory.parent, copy)
    weights = copy / "discriminator" / "model.safetensors"
    weights.write_bytes(weights.read_bytes() + b"\0")
    with pytest.raises(AssertionError, match="discriminator exported again"):
        OnnxBackend(resolve("discriminator", str(copy / "discriminator")),
                    resolve("generator", str(copy / "generator")), Settings(), cache=cache)


def test_int8_graphs_stay_close_to_fp32(backends, int8_backend, cache):
    onnx, _ = backends
    assert Settings().precision == "fp32"  # int8 scores depend on the batch (see the module)
    assert (onnx.precision, int8_backend.precision) == ("fp32", "int8")
    graphs = sorted(p.name for p in (cache / "onnx").glob("*.onnx"))
    assert len(graphs) == 4  # each network's fp32 export and its int8 copy beside it
    assert {name.removesuffix("-int8.onnx") for name in graphs if name.endswith("-int8.onnx")} \
        == {name.removesuffix(".onnx") for name in graphs if not name.endswith("-int8.onnx")}
    quantized_scores = int8_backend.replaced_probabilities(SENTENCES)
    fp32_scores = onnx.replaced_probabilities(SENTENCES)
    for got, expected in zip(quantized_scores, fp32_scores, strict=True):
        assert [g == 0.0 for g in got] == [e == 0.0 for e in expected]  # same candidates
        assert got == pytest.approx(expected, abs=0.05)
    assert max(abs(g - e) for got, expected in zip(quantized_scores, fp32_scores, strict=True)
               for g, e in zip(got, expected, strict=True)) > 1e-7  # another computation
    query = [MaskQuery(SENTENCES[0], 4, ("友", "有", "又"))]
    (got,), (expected,) = (int8_backend.masked_probabilities(query),
                           onnx.masked_probabilities(query))
    assert got.original_probability == pytest.approx(expected.original_probability, abs=0.05)


def test_a_cached_int8_graph_needs_no_fp32_export(pair, tmp_path, monkeypatch):
    root = logging.getLogger()
    handlers = root.handlers[:]
    OnnxBackend(*pair, Settings(precision="int8"), cache=tmp_path)
    assert root.handlers == handlers and root.manager.disable == 0  # the quantizer is muted
    for graph in (tmp_path / "onnx").glob("*.onnx"):
        if not graph.name.endswith("-int8.onnx"):
            graph.unlink()

    def no_export(model, target):
        raise AssertionError(f"{model.role} exported again")

    monkeypatch.setattr(onnx_backend, "_export", no_export)
    OnnxBackend(*pair, Settings(precision="int8"), cache=tmp_path)
    with pytest.raises(AssertionError, match="exported again"):  # fp32 needs its export back
        OnnxBackend(*pair, Settings(), cache=tmp_path)


def test_the_quantizers_advice_leaves_no_trace(monkeypatch, capsys):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in the CLI: nothing configured
    with onnx_backend._quiet_root_logger():
        logging.warning("Please consider to run pre-processing before quantization.")
    assert root.handlers == [] and root.manager.disable == 0
    assert "pre-processing" not in capsys.readouterr().err


def test_processes_quantizing_at_once_do_not_collide(pair, tmp_path):
    # The quantizer writes a fixed-name `<graph>-inferred.onnx` beside its input: each
    # quantization works in its own folder (two first starts at once used to fail one).
    from concurrent.futures import ThreadPoolExecutor

    directory = tmp_path / "onnx"
    source = onnx_backend.exported(pair[0], directory)
    target = onnx_backend._int8_path(source)
    with ThreadPoolExecutor(2) as pool:  # both quantize (the target does not exist yet)
        list(pool.map(lambda _: onnx_backend._quantize(source, target), range(2)))
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [source.name, target.name, "weights-hashes.json"])  # nothing else left
    assert logging.getLogger().manager.disable == 0  # both mutings undone
    assert OnnxBackend(*pair, Settings(precision="int8"), cache=tmp_path).precision == "int8"


def test_work_left_by_a_killed_quantization_is_removed(pair, tmp_path):
    source = onnx_backend.exported(pair[0], tmp_path)
    stale = tmp_path / ".int8-work-killed"
    stale.mkdir()
    (stale / "fp32-inferred.onnx").write_bytes(b"half")
    os.utime(stale, (0, 0))
    running = tmp_path / ".int8-work-running"  # another process's, just made: kept
    running.mkdir()
    onnx_backend.quantized(source)
    assert not stale.exists() and running.exists()


def test_int8_with_torch_says_it_runs_fp32(tiny_pair, caplog):
    discriminator, generator = tiny_pair
    backend = load_backend(Settings(discriminator=str(discriminator), generator=str(generator),
                                    backend="torch", precision="int8"))
    assert backend.precision == "fp32"
    assert "applies to the onnx backend only" in caplog.text


def test_fp32_never_quantizes(pair, tmp_path, monkeypatch):
    def no_quantizing(path):
        raise AssertionError(f"{path} quantized")

    monkeypatch.setattr(onnx_backend, "quantized", no_quantizing)
    OnnxBackend(*pair, Settings(), cache=tmp_path)
    assert not list((tmp_path / "onnx").glob("*-int8.onnx"))


def test_failed_quantization_is_a_clear_error(pair, tmp_path, monkeypatch):
    from onnxruntime import quantization

    from electra_lsp.engine.resolve import ModelLoadError

    def broken(*args, **kwargs):
        raise ValueError("unsupported graph")

    monkeypatch.setattr(quantization, "quantize_dynamic", broken)
    with pytest.raises(ModelLoadError, match="cannot quantize .*set precision fp32"):
        OnnxBackend(*pair, Settings(precision="int8"), cache=tmp_path)
    assert not list((tmp_path / "onnx").glob("*int8*"))  # nothing half-written is left
    assert len(list((tmp_path / "onnx").glob("*.onnx"))) == 1  # the fp32 export is kept


def test_runs_without_importing_torch_once_cached(pair, cache, int8_backend):
    expected = int8_backend.replaced_probabilities(SENTENCES[:1])[0]
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from electra_lsp.engine.resolve import resolve\n"
        "from electra_lsp.engine.onnx_backend import OnnxBackend\n"
        "from electra_lsp.settings import Settings\n"
        f"d = resolve('discriminator', {str(pair[0].directory)!r})\n"
        f"g = resolve('generator', {str(pair[1].directory)!r})\n"
        f"b = OnnxBackend(d, g, Settings(threads=1, precision='int8'), "
        f"cache=Path({str(cache)!r}))\n"
        f"scores = b.replaced_probabilities([{SENTENCES[0]!r}])[0]\n"
        "print(json.dumps({'torch': 'torch' in sys.modules, 'scores': scores}))\n"
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["torch"] is False
    assert report["scores"] == pytest.approx(expected, abs=1e-6)


def test_corrupt_cached_graph_is_a_clear_error(pair, tmp_path):
    from electra_lsp.engine.resolve import ModelLoadError

    directory = tmp_path / "onnx"
    path = onnx_backend.exported(pair[0], directory)
    path.write_bytes(b"not a graph")
    with pytest.raises(ModelLoadError, match="delete it"):
        OnnxBackend(*pair, Settings(), cache=tmp_path)


def test_failed_export_is_a_clear_error(pair, tmp_path, monkeypatch):
    import torch

    from electra_lsp.engine.resolve import ModelLoadError

    def broken(*args, **kwargs):
        raise RuntimeError("unsupported operator")

    monkeypatch.setattr(torch.onnx, "export", broken)
    with pytest.raises(ModelLoadError, match="use backend torch"):
        OnnxBackend(*pair, Settings(), cache=tmp_path)
    assert not list((tmp_path / "onnx").glob("*.onnx"))  # no half-written graph is left


def test_sessions_share_one_cpu_arena():
    # Both networks draw on the process-wide arena (one peak instead of one per session).
    first = onnx_backend._session_options(0)
    second = onnx_backend._session_options(2)
    assert onnx_backend._shared_arena
    for options in (first, second):
        assert options.get_session_config_entry("session.use_env_allocators") == "1"
