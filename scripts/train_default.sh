#!/bin/sh
# Reproduce the embedded default model data/electra_models/electra-tiny-zh (see its README.md):
# 6000 steps from scratch and --resume to 9000 (a warm restart of the decayed learning rate),
# then a second run that starts from that pair (--init-*) on a new batch stream (--batch-seed)
# for up to 18000 more steps or 98 minutes; about 2h40 on one thread of a 2-core CPU. Then the
# similarity weights and thresholds, both chosen on sighan15_train with its 300 dev pairs held
# out (runs/electra-tiny-zh/dev_pairs.tsv; every run uses --seed 0, so the same split).
# sighan15_test*.tsv is never used here.
# The first two phases end by steps well inside their --max-minutes, so they are deterministic
# (fixed seeds, per-step batch seeds); the third is time-limited, so where it stops, and its
# learning-rate schedule, depend on the machine's speed.
set -eu
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
FIRST=${FIRST:-runs/electra-tiny-zh-step9000}
OUT=${OUT:-runs/electra-tiny-zh}
PYTHON=${PYTHON:-.venv/bin/python}
export OMP_NUM_THREADS=1  # one thread: on a shared 2-core machine, 2 threads stall each other
"$PYTHON" -m electra_lsp train --from-scratch --size tiny \
  --corpus "$DATA/corpus/edited.txt.xz" --pairs "$DATA/csc/sighan15_train.tsv" \
  --output "$FIRST" --steps 6000 --batch-size 32 --seq-len 128 --lr 1e-3 \
  --checkpoint-every 500 --max-minutes 45 --seed 0 --threads 1 --dev-size 300
"$PYTHON" -m electra_lsp train --resume --output "$FIRST" --steps 9000 --max-minutes 22
"$PYTHON" -m electra_lsp train \
  --init-discriminator "$FIRST/discriminator" --init-generator "$FIRST/generator" \
  --corpus "$DATA/corpus/edited.txt.xz" --pairs "$DATA/csc/sighan15_train.tsv" \
  --output "$OUT" --steps 18000 --batch-size 32 --seq-len 128 --lr 7e-4 \
  --checkpoint-every 1000 --max-minutes 98 --seed 0 --batch-seed 1 --threads 1 --dev-size 300
"$PYTHON" -m electra_lsp.train.similarity_weights "$DATA/csc/sighan15_train.tsv" \
  --exclude "$OUT/dev_pairs.tsv" --vocab "$OUT/discriminator/vocab.txt"
"$PYTHON" -m electra_lsp.train.thresholds "$OUT" "$OUT/dev_pairs.tsv" \
  --clean "$OUT/dev_corpus.txt" --write precise
"$PYTHON" scripts/measure_latency.py "$OUT/discriminator"
