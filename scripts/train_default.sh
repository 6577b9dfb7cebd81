#!/bin/sh
# Reproduce the embedded default model data/electra_models/electra-tiny-zh (see its README.md).
# Needs the shared data beside the checkout (../shared/data); about 40 minutes on 2 CPU cores.
# Thresholds are then chosen on runs/electra-tiny-zh/dev_pairs.tsv (held out from sighan15_train)
# with scripts/tune_thresholds.py; sighan15_test*.tsv is never used for training or tuning.
set -eu
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/electra-tiny-zh}
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" -m electra_lsp train --from-scratch --size tiny \
  --corpus "$DATA/corpus/edited.txt.xz" --pairs "$DATA/csc/sighan15_train.tsv" \
  --output "$OUT" --steps 4000 --batch-size 32 --seq-len 128 --lr 1e-3 \
  --checkpoint-every 500 --max-minutes 45 --seed 0 --threads 1 --dev-size 300 "$@"
