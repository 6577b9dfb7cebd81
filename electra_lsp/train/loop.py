"""The training loop: seeded batches, AdamW with warm-up and linear decay, a progress bar,
periodic checkpoints that --resume continues from, and a final dev evaluation."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import torch

from electra_lsp.train.batches import Batch, make_batch
from electra_lsp.train.corruption import CorruptionRates
from electra_lsp.train.devset import (
    candidate_accuracy,
    detection_scores,
    pair_detection,
    synthetic_detection,
)
from electra_lsp.train.objective import TensorBatch, electra_loss
from electra_lsp.train.pair import (
    embeddings_equal,
    load_pair,
    new_pair,
    pair_bytes,
    save_pair,
    tie_embeddings,
)
from electra_lsp.train.prepare import Data, log, prepare
from electra_lsp.train.vocab import read_vocab

CHECKPOINT = "checkpoint.pt"


@dataclass
class TrainConfig:
    output: Path
    corpus: list[Path]
    pairs: Path | None = None
    size: str | None = "tiny"  # None when fine-tuning an existing pair
    init_discriminator: Path | None = None
    init_generator: Path | None = None
    vocab: Path | None = None
    vocab_size: int = 8000
    steps: int = 10000
    batch_size: int = 64
    seq_len: int = 128
    lr: float = 1e-3
    warmup: float = 0.06  # share of steps
    # Short runs see the corpus about once, so dropout regularises little, and its random masks
    # cost a fifth of a CPU step.
    dropout: float = 0.0
    weight_decay: float = 0.01
    disc_weight: float = 50.0
    tie_embeddings: bool = True  # share embeddings between a from-scratch pair's two models
    pair_share: float = 0.125  # share of each batch taken from supervised pairs
    dev_pairs: list[Path] = field(default_factory=list)  # extra dev sets, scored at checkpoints
    rates: CorruptionRates = field(default_factory=CorruptionRates)
    max_minutes: float | None = None
    checkpoint_every: int = 1000
    seed: int = 0
    batch_seed: int | None = None  # None: --seed; another value varies batches, not the dev split
    device: str = "auto"
    threads: int = 0  # 0: torch's default (one per core)
    # Processes that build batches ahead of the step that needs them: a GPU steps faster than
    # one CPU core corrupts text. Batches depend on (batch seed, step) alone, so any count of
    # workers trains on the same stream.
    workers: int = 0
    precision: str = "auto"  # auto: bf16 autocast on CUDA and on CPUs with bf16 instructions
    dev_size: int = 300
    save_dtype: str = "float16"

    def to_json(self) -> dict:
        return json.loads(json.dumps(dataclasses.asdict(self), default=str))


def pick_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def _autocast(precision: str, device: torch.device) -> torch.autocast:
    if precision == "auto":
        bf16 = device.type == "cuda" or torch.ops.mkldnn._is_mkldnn_bf16_supported()
    else:
        bf16 = precision == "bf16"
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)


def learning_rate(config: TrainConfig, step: int, seconds: float) -> float:
    """Linear warm-up then linear decay to 0 over the run's progress: the share of --steps
    done or, with --max-minutes, of the time spent if that is larger, so a time-limited run
    still ends with a decayed rate however busy the machine is."""
    progress = step / config.steps
    warmed = (step + 1) / config.steps
    if config.max_minutes:
        share = seconds / (config.max_minutes * 60)
        progress, warmed = max(progress, share), max(warmed, share)
    if progress < config.warmup:
        # Warm-up by the same measure of progress, so a run whose --steps are out of reach
        # (a GPU run bounded by --max-minutes) still ramps up smoothly.
        return config.lr * min(1.0, warmed / config.warmup)
    return config.lr * max(0.0, 1.0 - progress) / (1.0 - config.warmup)


def _vocabulary(config: TrainConfig) -> list[str] | None:
    if config.vocab:
        return read_vocab(config.vocab)
    if config.init_discriminator:
        return read_vocab(config.init_discriminator / "vocab.txt")
    return None


def train(config: TrainConfig, resume: bool = False, given: frozenset[str] = frozenset()
          ) -> dict:
    """Train and save the pair under config.output. With `resume`, the checkpoint's settings
    win except the run-length ones named in `given` (those set on the command line)."""
    state = _load_checkpoint(config.output) if resume else None
    if state is not None:
        config = _resumed_config(state["config"], config, given)
    device = pick_device(config.device)
    if config.threads > 0:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    vocab = read_vocab(config.output / "vocab.txt") if state else _vocabulary(config)
    data = prepare(config.corpus, config.pairs, vocab, config.vocab_size, config.seq_len,
                   config.dev_size, config.seed, config.output)
    disc, gen = _initial_pair(config, len(data.vocab))
    if state is not None:  # shared embeddings stay shared: both load the same values
        disc.load_state_dict(state["discriminator"])
        gen.load_state_dict(state["generator"])
    disc.to(device).train()
    gen.to(device).train()
    parameters = list({id(p): p for p in chain(disc.parameters(), gen.parameters())}.values())
    optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay,
                                  eps=1e-6, fused=device.type == "cuda")
    step, elapsed_before = 0, 0.0
    if state is not None:
        optimizer.load_state_dict(state["optimizer"])
        step, elapsed_before = state["step"], state["elapsed"]
        log(f"resuming from step {step} of {config.steps}")
    _write_dev_split(config.output, data)
    dev_sets = load_dev_sets(config.dev_pairs, data, config.seq_len - 2)
    log(f"discriminator {_count(disc) / 1e6:.2f} M parameters, generator "
        f"{_count(gen) / 1e6:.2f} M; training on {device}")
    step, elapsed = _run_steps(config, data, disc, gen, optimizer, step, elapsed_before,
                               device, dev_sets)
    _save(config, data, disc, gen, optimizer, step, elapsed)
    report = {"step": step, "steps": config.steps, "train_seconds": round(elapsed, 1),
              "device": str(device), "pair_bytes": pair_bytes(config.output),
              "dev": evaluate_dev(disc, gen, data, device, config.seed)}
    if dev_sets:
        report["dev"]["dev_sets"] = evaluate_dev_sets(disc, dev_sets, data, device)
    if data.dev_pair_text:
        try:
            report["dev"]["checker"] = checker_eval(config.output, data.dev_pair_text)
        # ModelLoadError (a RuntimeError) or ImportError, e.g. on a training machine without
        # the inference dependencies: the pair is saved and its dev figures stand.
        except (ImportError, OSError, RuntimeError) as error:
            log(f"checker evaluation skipped: {error}")
    (config.output / "training.json").write_text(
        json.dumps({"config": config.to_json(), **report}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    log("dev: " + json.dumps(report["dev"], ensure_ascii=False))
    return report


def _initial_pair(config: TrainConfig, vocab_size: int):
    """The pair to start from: --init-* (checked against the vocabulary and --seq-len) or new
    models of --size. Raises ValueError when an initial pair does not fit."""
    if not (config.init_discriminator and config.init_generator):
        return new_pair(config.size or "tiny", vocab_size, config.seq_len, config.dropout,
                        config.tie_embeddings)
    disc, gen = load_pair(config.init_discriminator, config.init_generator)
    if disc.config.vocab_size != vocab_size:
        raise ValueError("the initial models' vocabulary size does not match vocab.txt")
    limit = min(disc.config.max_position_embeddings, gen.config.max_position_embeddings)
    if config.seq_len > limit:
        raise ValueError(f"--seq-len {config.seq_len} exceeds the initial models' "
                         f"{limit} positions")
    if config.tie_embeddings and embeddings_equal(disc, gen):
        tie_embeddings(disc, gen)  # a pair saved tied (ours) stays tied while fine-tuned
    return disc, gen


def _run_steps(config, data: Data, disc, gen, optimizer, step: int, elapsed_before: float,
               device: torch.device, dev_sets: dict | None = None) -> tuple[int, float]:
    """Train until --steps or --max-minutes; return the step reached and the total seconds."""
    from tqdm import tqdm

    started = time.monotonic()
    deadline = started + config.max_minutes * 60 if config.max_minutes else math.inf
    autocast = _autocast(config.precision, device)
    average: dict[str, float] = {}
    tokens = 0
    log_file = (config.output / "train_log.jsonl").open("a", encoding="utf-8")
    bar = tqdm(total=config.steps, initial=step, unit="step", dynamic_ncols=True)
    batch_seed = config.seed if config.batch_seed is None else config.batch_seed
    batches = BatchStream(config, data, batch_seed, step)
    try:
        while step < config.steps and time.monotonic() < deadline:
            torch.manual_seed(batch_seed * 1_000_003 + step)
            batch = batches.next(step)
            with autocast:
                loss, stats = electra_loss(disc, gen, TensorBatch.of(batch, device),
                                           config.disc_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(optimizer.param_groups[0]["params"], 1.0)
            lr = learning_rate(config, step, time.monotonic() - started)
            optimizer.param_groups[0]["lr"] = lr
            optimizer.step()
            step += 1
            tokens += int(batch.real.sum())
            if step % 10 == 0 or step == config.steps:
                # Sampled every 10 steps (0.4 ≈ 1 - 0.95**10: the old per-step 0.05 average).
                for key, value in stats.items():
                    value = value.item()
                    average[key] = value if key not in average else 0.6 * average[key] + 0.4 * value
                rate = tokens / max(time.monotonic() - started, 1e-9)
                bar.set_postfix({**{k: f"{v:.3f}" for k, v in average.items()},
                                 "tok/s": f"{rate:.0f}"}, refresh=False)
            if step % 100 == 0:
                log_file.write(json.dumps({"step": step, "lr": lr,
                                           **{k: round(v, 4) for k, v in average.items()}})
                               + "\n")
                log_file.flush()
            bar.update(1)
            if config.checkpoint_every and step % config.checkpoint_every == 0 \
                    and step < config.steps:
                _save(config, data, disc, gen, optimizer, step,
                      elapsed_before + time.monotonic() - started)
                if dev_sets:
                    scores = evaluate_dev_sets(disc, dev_sets, data, device)
                    log_file.write(json.dumps({"step": step, "dev_sets": scores}) + "\n")
                    log_file.flush()
    finally:
        batches.close()
        bar.close()
        log_file.close()
    return step, elapsed_before + time.monotonic() - started


def step_batch(config: TrainConfig, data: Data, batch_seed: int, step: int) -> Batch:
    """The batch of one step; per-step seeds make every batch (and --resume) reproducible."""
    rng = np.random.default_rng([batch_seed, step])
    return make_batch(rng, data.train_chunks, data.train_pairs, config.batch_size,
                      config.pair_share, data.table, data.special, config.rates)


_WORKER_STATE: tuple | None = None  # (config, data, batch_seed), inherited by forked workers


def _worker_batch(step: int) -> Batch:
    config, data, batch_seed = _WORKER_STATE
    return step_batch(config, data, batch_seed, step)


class BatchStream:
    """Batches in step order: built inline, or with config.workers > 0 by forked processes
    that keep a bounded number of steps ahead (the data is shared by fork, not pickled)."""

    AHEAD_PER_WORKER = 4

    def __init__(self, config: TrainConfig, data: Data, batch_seed: int, first_step: int) -> None:
        self._args = (config, data, batch_seed)
        self._pool = None
        self._pending: dict[int, object] = {}
        self._submitted = first_step
        if config.workers > 0:
            import multiprocessing

            global _WORKER_STATE
            _WORKER_STATE = self._args
            self._pool = multiprocessing.get_context("fork").Pool(config.workers)
            self._limit = config.steps
            self._ahead = config.workers * self.AHEAD_PER_WORKER

    def next(self, step: int) -> Batch:
        if self._pool is None:
            return step_batch(*self._args, step)
        while self._submitted < min(step + self._ahead, self._limit):
            self._pending[self._submitted] = self._pool.apply_async(_worker_batch,
                                                                    (self._submitted,))
            self._submitted += 1
        pending = self._pending.pop(step, None)
        if pending is None:  # a step out of the submitted order: build it here
            return step_batch(*self._args, step)
        return pending.get()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def evaluate_dev(disc, gen, data: Data, device: torch.device, seed: int) -> dict:
    disc.eval()
    gen.eval()
    try:
        result = {"synthetic_detection": detection_scores(
            disc, synthetic_detection(data.dev_chunks, data.table, data.special, seed),
            data.table, data.special, device)}
        if data.dev_pairs:
            result["pairs_detection"] = detection_scores(
                disc, pair_detection(data.dev_pairs), data.table, data.special, device)
            result["pairs_generator"] = candidate_accuracy(gen, data.dev_pairs, data.vocab,
                                                           data.special, device)
        return result
    finally:
        disc.train()
        gen.train()


def load_dev_sets(paths: list[Path], data: Data, body: int) -> dict[str, list]:
    """Each dev file's pairs, encoded (csc/dev/*.tsv: never trained on)."""
    from electra_lsp.evaluate.runner import read_pairs
    from electra_lsp.train.corpus import encode_pairs

    return {Path(path).stem: encode_pairs(read_pairs(Path(path)), data.tokenizer, body)
            for path in paths}


def evaluate_dev_sets(disc, dev_sets: dict[str, list], data: Data, device: torch.device
                      ) -> dict[str, dict[str, float]]:
    """The discriminator's char-level detection P/R/F1 at 0.5 on each dev set."""
    disc.eval()
    try:
        return {name: detection_scores(disc, pair_detection(pairs), data.table, data.special,
                                       device)
                for name, pairs in dev_sets.items()}
    finally:
        disc.train()


def checker_eval(output: Path, pairs: list[tuple[str, str]]) -> dict:
    """The saved pair through the real Checker and `electra-lsp eval`'s scorer, at the default
    threshold and min ratio: the figures a user would see (thresholds are tuned afterwards)."""
    from electra_lsp.checker import Checker
    from electra_lsp.engine.factory import load_backend
    from electra_lsp.evaluate.runner import evaluate
    from electra_lsp.settings import Settings

    settings = Settings(discriminator=str(output / "discriminator"),
                        generator=str(output / "generator"))
    metrics = evaluate(Checker(load_backend(settings), settings), pairs, progress=False).to_json()
    summary: dict = {"false_positive_rate": round(metrics["false_positive_rate"], 4)}
    for key in ("sentence_detection", "sentence_correction", "char_detection", "char_correction"):
        summary[key] = {name: round(metrics[key][name], 4)
                        for name in ("precision", "recall", "f1")}
    return summary


def _save(config: TrainConfig, data: Data, disc, gen, optimizer, step: int,
          elapsed: float) -> None:
    """The usable pair plus a checkpoint for --resume, written atomically."""
    save_pair(disc, gen, data.vocab, config.output, getattr(torch, config.save_dtype))
    state = {"config": config.to_json(), "step": step, "elapsed": elapsed,
             "discriminator": disc.state_dict(), "generator": gen.state_dict(),
             "optimizer": optimizer.state_dict()}
    partial = config.output / (CHECKPOINT + ".partial")
    torch.save(state, partial)
    partial.replace(config.output / CHECKPOINT)


def _load_checkpoint(output: Path) -> dict:
    path = output / CHECKPOINT
    if not path.is_file():
        raise ValueError(f"--resume: no checkpoint at {path}")
    # weights_only: the checkpoint holds only tensors, numbers, strings and dicts of them, so
    # a tampered file cannot run code when resumed.
    return torch.load(path, map_location="cpu", weights_only=True)


def _resumed_config(saved: dict, config: TrainConfig, given: frozenset[str]) -> TrainConfig:
    """The checkpoint's settings, except those that only say how long or where to run."""
    overridable = {"steps", "max_minutes", "checkpoint_every", "device", "precision",
                   "threads", "workers"} & given
    values = {}
    for item in dataclasses.fields(TrainConfig):
        if item.name in saved and item.name not in overridable:
            values[item.name] = saved[item.name]
        else:
            values[item.name] = getattr(config, item.name)
    values["corpus"] = [Path(p) for p in values["corpus"]]
    values["dev_pairs"] = [Path(p) for p in values["dev_pairs"]]
    for name in ("pairs", "init_discriminator", "init_generator", "vocab"):
        values[name] = Path(values[name]) if values[name] else None
    values["output"] = config.output
    values["rates"] = CorruptionRates(**{**saved["rates"], "kinds": tuple(saved["rates"]["kinds"])})
    return TrainConfig(**values)


def _write_dev_split(output: Path, data: Data) -> None:
    """The held-out pairs and corpus lines, so thresholds are tuned on exactly what training
    never saw (the clean lines measure false alarms on edited text)."""
    (output / "dev_corpus.txt").write_text("".join(line + "\n" for line in data.dev_lines),
                                           encoding="utf-8")
    if data.dev_pair_text:
        (output / "dev_pairs.tsv").write_text(
            "".join(f"{s}\t{t}\n" for s, t in data.dev_pair_text), encoding="utf-8")


def _count(model) -> int:
    return sum(p.numel() for p in model.parameters())
