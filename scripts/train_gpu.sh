#!/bin/bash
# Train the embedded default pair, electra-mini-zh, on a GPU machine (the device tool's H200),
# from data copied into .gpudata/: edited.txt.xz (corpus/), pairs_mix.tsv (the training mix,
# `python -m electra_lsp.train.mix`) and dev/ (csc/dev/*.tsv, scored at checkpoints only).
#  1. `MINUTES=7.5 scripts/train_gpu.sh`: --size mini from scratch (lr 1e-3, batch 256, 6 % of
#     each batch from the mix). With TINY=DIR, that tiny pair is trained further beside it (the
#     comparison run of 2026-11-30).
#  2. `CONTINUE=DIR MINUTES=2.2 scripts/train_gpu.sh`: phase 1's pair trained further on new
#     batches (lr 3e-4, --batch-seed 11; --seed 0 keeps the dev split).
#  3. On any machine: `electra-lsp tune thresholds` on the run's dev split, then
#     `electra-lsp tune calibrate` (about 8 minutes on two cores); see the model's README.md.
# Writes one tar per pair (without its checkpoint) and the logs to $OUT. Needs python3 with
# torch, transformers, tokenizers, numpy and tqdm; the package runs from this checkout.
set -u
MINUTES=${MINUTES:-7}
DEVICE=${DEVICE:-cuda}
WORKERS=${WORKERS:-5}
BATCH=${BATCH:-256}
STEPS=${STEPS:-200000}
OUT=${OUT:-/tmp/gpu-out}
WORK=${WORK:-/tmp/gpu-work}
mkdir -p "$OUT" "$WORK"
export PYTHONUNBUFFERED=1 ELECTRA_LSP_CACHE_DIR="$WORK/cache" TQDM_MININTERVAL=30 \
    OMP_NUM_THREADS=2 TOKENIZERS_PARALLELISM=false PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
D=.gpudata
VOCAB=data/electra_models/electra-mini-zh/discriminator/vocab.txt
TINY=${TINY:-}
train() {  # the `electra-lsp train` command without the CLI's other commands' imports
    python3 -c 'import argparse, sys
from electra_lsp.commands import train
parser = argparse.ArgumentParser(prog="train")
train.add_parser(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
sys.exit(args.run(args))' train "$@"
}
COMMON=(--corpus $D/edited.txt.xz --pairs $D/pairs_mix.tsv --dev-pairs $D/dev/*.tsv
        --batch-size "$BATCH" --seq-len 128 --steps "$STEPS" --checkpoint-every 2000
        --max-minutes "$MINUTES" --device "$DEVICE" --workers "$WORKERS" --seed 0
        --dev-size 300 --pair-share 0.06)
(python3 -c 'import torch, transformers; print(torch.__version__, transformers.__version__,
 torch.cuda.is_available() and torch.cuda.get_device_name(0))') 2>&1 | tee "$OUT/env.txt"
LIMIT=$(python3 -c "print(int($MINUTES * 60 + 100))")
if [ -n "${CONTINUE:-}" ]; then  # one pair (a GPU-trained one) trained further, new batches
    RUNS="continued"
    timeout "$LIMIT" bash -c "$(declare -f train); train --init-discriminator \
        $CONTINUE/discriminator --init-generator $CONTINUE/generator ${COMMON[*]} \
        --lr ${LR:-3e-4} --batch-seed 11 --output $WORK/continued" > "$OUT/continued.log" 2>&1
else
    RUNS="mini"  # from scratch, with the checker's vocabulary
    timeout "$LIMIT" bash -c "$(declare -f train); train --from-scratch --size mini \
        --vocab $VOCAB ${COMMON[*]} --lr 1e-3 --output $WORK/mini" > "$OUT/mini.log" 2>&1 &
    if [ -n "$TINY" ]; then
        RUNS="mini tiny"
        timeout "$LIMIT" bash -c "$(declare -f train); train --init-discriminator \
            $TINY/discriminator --init-generator $TINY/generator ${COMMON[*]} --lr 5e-4 \
            --batch-seed 7 --output $WORK/tiny" > "$OUT/tiny.log" 2>&1 &
    fi
    wait
fi
for run in $RUNS; do
    cp "$WORK/$run/train_log.jsonl" "$OUT/$run.jsonl" 2>/dev/null
    tar -C "$WORK" -cf "$OUT/$run.tar" --exclude checkpoint.pt --exclude cache "$run"
done
ls -la "$OUT"
for run in $RUNS; do tail -c 1500 "$OUT/$run.log"; echo; done
