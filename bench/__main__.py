"""`python -m bench [NAME ...]`: run the benchmarks, print their tables, and (for a full run)
write bench/results.md. Names: levers, side_by_side, throughput, edit_latency.

Models: the embedded default pair when it is present, and randomly initialised pairs with HFL's
small and base architectures (BERT-Chinese-sized vocabulary), built in a temporary directory.
ONNX graphs are exported into a temporary cache too, so the user's cache is left alone.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.common import RANDOM_THRESHOLD, machine, pairs, stopwatch, table
from bench.engine import Context, onnx_available

BENCHMARKS = ("levers", "side_by_side", "throughput", "edit_latency")
RESULTS = Path(__file__).resolve().parent / "results.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    parser.add_argument("--sizes", default="small,base",
                        help="random HFL-architecture pairs to include (default small,base; "
                             "'' for none)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller inputs, to try the benchmarks out (not for results.md)")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the report (default: bench/results.md for a full "
                             "run, nowhere otherwise)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    # First torch import through the backend, so this process runs torch as the server and
    # the CLI do (the backend sets OpenMP's wait policy before torch loads).
    import electra_lsp.engine.torch_backend  # noqa: F401

    names = args.names or list(BENCHMARKS)
    output = args.output or (RESULTS if not args.names and not args.quick else None)
    sizes = [s for s in args.sizes.split(",") if s]
    about = machine()
    sections = []
    with tempfile.TemporaryDirectory(prefix="electra-lsp-bench-") as scratch:
        from electra_lsp.engine.onnx_backend import CACHE_ENV

        os.environ[CACHE_ENV] = str(Path(scratch) / "cache")  # children inherit it
        print("building models...", file=sys.stderr)
        found, notes = pairs(sizes, Path(scratch) / "models")
        if any(p.random for p in found):
            notes.append(f"Random pairs (\"HFL small/base (random)\") have HFL's architectures "
                         f"and a 21,128-token vocabulary but random weights: their "
                         f"discriminators score every character near 0.5, so they use "
                         f"threshold {RANDOM_THRESHOLD} and flag about half of all characters "
                         "(far more generator work than a trained model does); their "
                         "findings mean nothing, only their timings do.")
        if onnx_available():
            sections.append(("One-time ONNX export", export_table(found)))
        context = Context(found, notes, args.quick)
        for name in names:
            module = importlib.import_module(f"bench.{name}")
            with stopwatch() as elapsed:
                body = module.run(context)
            sections.append((module.TITLE, body + f"\n\n({name}: {elapsed():.0f} s)"))
            print(f"\n## {module.TITLE}\n\n{body}\n", flush=True)
    sections.insert(0, ("Targets", targets(context)))
    print(f"\n## Targets\n\n{sections[0][1]}\n", flush=True)
    about["load average (1/5/15 min) at end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    report = render(about, context.notes, sections)
    if output is not None:
        output.write_text(report, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    return 0


# (label, metric, model kind, limit, how the limit reads); "default" is the embedded pair
TARGETS = [
    ("edit latency, median", "edit_ms", "default", 60.0, "≤ 60 ms"),
    ("edit latency, median", "edit_ms", "base", 400.0, "≤ 400 ms"),
    ("speed-up over the reference algorithm", "speed_up", "default", -10.0, "≥ 10×"),
    ("server peak RSS", "server_rss_mb", "default", 500.0, "≤ 500 MB"),
]


def targets(context: Context) -> str:
    """Each target per backend: the figure and whether it is met (from this run's tables)."""
    rows = []
    for label, metric, kind, limit, reads in TARGETS:
        found = False
        for (name, pair, variant), value in sorted(context.metrics.items()):
            if name != metric or variant.startswith("torch,"):
                continue
            random = "(random)" in pair
            if (kind == "default") == random or (kind == "base" and "base" not in pair):
                continue
            found = True
            met = value >= -limit if limit < 0 else value <= limit
            unit = {"edit_ms": " ms", "speed_up": "×", "server_rss_mb": " MB"}[metric]
            rows.append([label, pair, variant, reads, f"{value:,.1f}{unit}",
                         "met" if met else "NOT met"])
        if not found:
            rows.append([label, kind, "-", reads, "not measured", "-"])
    return ("From the tables below. The default backend, auto, is onnx where onnxruntime is "
            "installed (as with `make`'s dev install) and torch otherwise; both are shown. "
            "Thread variants are in the tables.\n\n" +
            table(["target", "model", "backend", "target", "measured", ""], rows))


def export_table(found) -> str:
    """Export every pair's graphs now, so later timings never include the one-time export."""
    from electra_lsp.engine.onnx_backend import cache_dir, exported
    from electra_lsp.engine.resolve import resolve

    rows = []
    for pair in found:
        for role, path in (("discriminator", pair.discriminator),
                           ("generator", pair.generator)):
            model = resolve(role, str(path))
            with stopwatch() as elapsed:
                graph = exported(model, cache_dir() / "onnx")
            rows.append([pair.label, role, f"{model.size_bytes / 1e6:.0f}",
                         f"{graph.stat().st_size / 1e6:.0f}", f"{elapsed():.1f}"])
    return ("Exported once per weights file into the cache (needs torch); later starts load "
            "the cached graph.\n\n" +
            table(["model", "role", "weights MB", "graph MB", "export s"], rows))


def render(about: dict[str, str], notes: list[str], sections) -> str:
    lines = ["# electra-lsp benchmarks", "",
             "Written by `python -m bench` (`make bench`). Timings on a shared machine are "
             "noisy: compare rows of one run, not across runs.", "",
             table(["machine", ""], list(about.items())), ""]
    lines += [f"- {note}" for note in notes]
    for title, body in sections:
        lines += ["", f"## {title}", "", body]
    lines.append(f"\nGenerated {time.strftime('%Y-%m-%d %H:%M:%S %Z')}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
