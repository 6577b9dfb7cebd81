"""`python -m electra_lsp.train.ngrams CORPUS... --output FILE`: count the character bigrams and
trigrams of corpus lines (.txt or .txt.xz) for engine/ngrams.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from electra_lsp.engine.ngrams import MIN_COUNT, count_ngrams
from electra_lsp.train.corpus import read_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m electra_lsp.train.ngrams",
                                     description=__doc__)
    parser.add_argument("corpus", type=Path, nargs="+")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--min-count", type=int, default=MIN_COUNT)
    args = parser.parse_args(argv)
    lines = list(read_lines(args.corpus))
    ngrams = count_ngrams(lines, args.min_count)
    ngrams.save(args.output)
    print(f"{len(lines)} lines: {len(ngrams.bigram_keys)} bigrams, "
          f"{len(ngrams.trigram_keys)} trigrams seen at least {args.min_count} times "
          f"-> {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
