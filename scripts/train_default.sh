#!/bin/sh
# Reproduce the embedded default model data/electra_models/electra-tiny-zh (see its README.md):
# 6000 steps from scratch, then --resume to 9000 (a warm restart of the decayed learning rate),
# about an hour on 2 busy CPU cores; then thresholds chosen on the dev pairs held out from
# sighan15_train (runs/electra-tiny-zh/dev_pairs.tsv). sighan15_test*.tsv is never used here.
# Both phases end by steps well inside their --max-minutes, so the schedule is step-based and
# the run is deterministic (fixed seeds, per-step batch seeds).
set -eu
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/electra-tiny-zh}
PYTHON=${PYTHON:-.venv/bin/python}
export OMP_NUM_THREADS=1  # one thread: on a shared 2-core machine, 2 threads stall each other
"$PYTHON" -m electra_lsp train --from-scratch --size tiny \
  --corpus "$DATA/corpus/edited.txt.xz" --pairs "$DATA/csc/sighan15_train.tsv" \
  --output "$OUT" --steps 6000 --batch-size 32 --seq-len 128 --lr 1e-3 \
  --checkpoint-every 500 --max-minutes 45 --seed 0 --threads 1 --dev-size 300
"$PYTHON" -m electra_lsp train --resume --output "$OUT" --steps 9000 --max-minutes 22
"$PYTHON" -m electra_lsp.train.thresholds "$OUT" "$OUT/dev_pairs.tsv" \
  --clean "$OUT/dev_corpus.txt" --write precise
"$PYTHON" scripts/measure_latency.py "$OUT/discriminator"
