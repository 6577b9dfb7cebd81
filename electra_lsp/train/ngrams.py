"""`electra-lsp tune ngrams CORPUS... --output FILE`: count the character n-grams (n = 2 … 5)
of corpus lines (.txt or .txt.xz) for engine/ngrams.py."""

from __future__ import annotations

import argparse
import sys

from electra_lsp.engine.ngrams import MIN_COUNT, count_ngrams
from electra_lsp.train.corpus import read_lines


def run(args: argparse.Namespace) -> int:
    """`electra-lsp tune ngrams` (arguments: commands/tune.py)."""
    min_count = MIN_COUNT if args.min_count is None else args.min_count
    lines = list(read_lines(args.corpus))
    ngrams = count_ngrams(lines, min_count)
    ngrams.save(args.output)
    sizes = ", ".join(f"{len(keys)} {n}-grams" for n, (keys, _) in ngrams.tables.items())
    print(f"{len(lines)} lines: {sizes} seen at least {min_count} times "
          f"-> {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":  # the same as `electra-lsp tune ngrams`
    from electra_lsp.cli import main

    raise SystemExit(main(["tune", "ngrams", *sys.argv[1:]]))
