"""`python -m bench.quality` (`make bench-quality`): the old engine (models only: the
discriminator flags, the generator ranks) against the new one (fused decision with the
lexicon), side by side in one run, on
- typos planted into clean edited lines the models never trained on (the BENCH share of
  csc/clean/xxqg.txt, never used for fitting or thresholds; train/plant.py: 80 % same pinyin as
  an input method would, 10 % near sound, 10 % shape; every line once untouched and once with
  one typo): recall, correct first fix, false alarms per 10,000 Chinese characters on the
  untouched lines;
- every dev set (csc/dev/*.tsv) and csc/sighan15_test.tsv (reported, never tuned on), plus the
  peer toolkit's sentence figure on sighan15_test_707.tsv;
- speed: sentences per second of `check_sentences` on the sighan15_test sources (the median of
  5 runs per engine, the engines taking turns).
`--int8` adds the fused engine with precision int8 (quantized graphs) as a column.
Prints one Markdown table; needs ../shared/data (or --data).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench.common import table

SPEED_RUNS = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--previous", type=Path, metavar="PAIR_DIR",
                        help="also run this pair (discriminator/ and generator/, with its own "
                             "electra_lsp.json) with its fused decision, as a third column: "
                             "an earlier default pair against the current one")
    parser.add_argument("--int8", action="store_true",
                        help="also run the fused engine with precision int8, as a column")
    parser.add_argument("--limit", type=int, default=0,
                        help="at most this many pairs per set (0: all; for a quick try)")
    args = parser.parse_args(argv)
    if not (args.data / "csc").is_dir():
        print(f"bench.quality: no CSC data in {args.data}; pass --data", file=sys.stderr)
        return 2

    from electra_lsp.checker import load_checker
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.evaluate.planted import planted_figures
    from electra_lsp.evaluate.runner import evaluate, read_pairs
    from electra_lsp.settings import Settings
    from electra_lsp.train.calibrate import BENCH_SEEDS, clean_lines, planted_and_clean

    settings = Settings()
    backend = load_backend(settings)
    engines = {"old (models only)": load_checker(settings, backend=backend, use_combiner=False),
               "new (fused)": load_checker(settings, backend=backend)}
    new = engines["new (fused)"]
    if args.int8:
        int8 = settings.replace({"precision": "int8"})
        engines["new (fused, int8)"] = load_checker(int8, backend=load_backend(int8))
    if args.previous:
        earlier = Settings(discriminator=str(args.previous / "discriminator"),
                           generator=str(args.previous / "generator"))
        engines = {f"previous pair {args.previous.name} (fused)": load_checker(earlier),
                   **engines}
    limit = args.limit or None
    lines = clean_lines(args.data, "bench")[:limit]
    bench_pairs = planted_and_clean(lines, new.lexicon, new.confusion, backend.vocabulary,
                                    BENCH_SEEDS)

    rows: list[list[object]] = []
    results = {name: planted_figures(checker, bench_pairs) for name, checker in engines.items()}
    first = next(iter(results.values()))
    print(f"planted: {first['typos']} typos, {first['clean chars']} clean characters",
          file=sys.stderr)
    for measure in ("recall", "correct first fix", "false alarms / 10k chars"):
        rows.append([f"planted IME typos: {measure}",
                     *(f"{r[measure]:.3f}" for r in results.values())])

    sets = sorted((args.data / "csc" / "dev").glob("*.tsv"))
    sets.append(args.data / "csc" / "sighan15_test.tsv")
    for path in sets:
        pairs = read_pairs(path)[:limit]
        reports = {name: evaluate(checker, pairs, progress=False).to_json()
                   for name, checker in engines.items()}
        for label, get in (
                ("sentence correction F1", lambda r: r["sentence_correction"]["f1"]),
                ("char detection F1", lambda r: r["char_detection"]["f1"]),
                ("false-positive rate", lambda r: r["false_positive_rate"])):
            rows.append([f"{path.stem}: {label}", *(f"{get(r):.3f}" for r in reports.values())])
    peer_pairs = read_pairs(args.data / "csc" / "sighan15_test_707.tsv")[:limit]
    for label in ("precision", "recall", "f1"):
        values = []
        for checker in engines.values():
            report = evaluate(checker, peer_pairs, progress=False).to_json()
            values.append(f"{report['toolkit_sentence'][label]:.3f}")
        rows.append([f"sighan15_test_707: peer sentence {label}", *values])

    sources = [s for s, _ in read_pairs(args.data / "csc" / "sighan15_test.tsv")][:limit]
    rows.append(speed_row(engines, sources))
    print(f"Model: {backend.name} ({type(backend).__name__}, "
          f"{getattr(backend, 'precision', 'fp32')}); one run, same machine.\n")
    print(table(["measure", *engines], rows))
    return 0


def speed_row(engines: dict, sources: list[str]) -> list[object]:
    """The table row of check_sentences speeds: sentences/s, the median of SPEED_RUNS runs per
    engine, the engines taking turns (so a slower spell of the machine hits each alike)."""
    runs: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(SPEED_RUNS):
        for name, checker in engines.items():
            checker.update_settings(checker.settings)  # empty the sentence cache
            began = time.perf_counter()
            checker.check_sentences(sources)
            runs[name].append(len(sources) / (time.perf_counter() - began))
    return [f"check speed (sentences/s, median of {SPEED_RUNS})",
            *(f"{statistics.median(r):.0f}" for r in runs.values())]


if __name__ == "__main__":
    sys.exit(main())
