"""What the benchmarks share: the model pairs to run, the texts, timing and table helpers."""

from __future__ import annotations

import lzma
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
CORPUS = SHARED_DATA / "corpus" / "edited.txt.xz"
SIGHAN_TEST = SHARED_DATA / "csc" / "sighan15_test.tsv"
BERT_CHINESE_VOCAB_SIZE = 21128  # HFL's Chinese ELECTRA models share BERT-Chinese's vocabulary
RANDOM_THRESHOLD = 0.5  # random discriminators score every character near 0.5
SEED = 20240601


@dataclass(frozen=True)
class Pair:
    label: str  # "default (electra-mini-zh)", "HFL small (random)", ...
    discriminator: Path
    generator: Path
    threshold: float | None  # None: the model's recommended threshold
    random: bool

    @property
    def short(self) -> str:
        return self.label.split(" ")[0] if not self.random else self.label.split(" ")[1]


# -- model pairs ----------------------------------------------------------------------------
def default_pair() -> Pair | None:
    from electra_lsp.paths import DEFAULT_MODEL_NAME, default_model_dir

    directory = default_model_dir()
    if not (directory / "discriminator" / "config.json").is_file():
        return None
    return Pair(f"default ({DEFAULT_MODEL_NAME})", directory / "discriminator",
                directory / "generator", None, False)


def random_pair(size: str, root: Path) -> Pair:
    """A randomly initialised pair with HFL's `size` architecture and a BERT-sized vocabulary."""
    import torch
    from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining

    from electra_lsp.train.architectures import electra_config_kwargs

    vocab = bert_sized_vocabulary()
    target = root / f"hfl-{size}-random"
    for role, model_class in (("discriminator", ElectraForPreTraining),
                              ("generator", ElectraForMaskedLM)):
        directory = target / role
        if (directory / "model.safetensors").is_file():
            continue
        torch.manual_seed(SEED + (role == "generator"))
        config = ElectraConfig(**electra_config_kwargs(size, role, len(vocab), 512))
        model = model_class(config).eval()
        directory.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(directory)
        (directory / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return Pair(f"HFL {size} (random)", target / "discriminator", target / "generator",
                RANDOM_THRESHOLD, True)


def bert_sized_vocabulary() -> list[str]:
    """BERT-Chinese's layout ([PAD], [unused1-99], [UNK], [CLS], [SEP], [MASK], ...) with real
    characters (the confusion tables' and the corpus'), padded to 21,128 with [unusedN]."""
    from electra_lsp.engine.charclass import is_cjk
    from electra_lsp.paths import data_dir

    tokens = ["[PAD]", *(f"[unused{i}]" for i in range(1, 100)), "[UNK]", "[CLS]", "[SEP]",
              "[MASK]"]
    tokens += list("，。！？；：、“”‘’（）《》【】—…·,.!?;:()[]-_/%'\"")
    tokens += list("abcdefghijklmnopqrstuvwxyz0123456789")
    tokens += [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    seen = dict.fromkeys(tokens)
    sources = [data_dir() / "confusion" / "same_pinyin.txt",
               data_dir() / "confusion" / "same_stroke.txt"]
    for source in sources:
        if source.is_file():
            for char in source.read_text(encoding="utf-8"):
                if is_cjk(char):
                    seen.setdefault(char, None)
    for line in corpus_lines(20_000):
        for char in line:
            if is_cjk(char):
                seen.setdefault(char, None)
    tokens = list(seen)[:BERT_CHINESE_VOCAB_SIZE]
    tokens += [f"[unused{i}]" for i in range(100, 100 + BERT_CHINESE_VOCAB_SIZE - len(tokens))]
    return tokens


def pairs(sizes: Sequence[str], root: Path) -> tuple[list[Pair], list[str]]:
    """The default pair (when trained) and random HFL-sized pairs; notes on what is missing."""
    found, notes = [], []
    default = default_pair()
    if default is None:
        notes.append("The embedded default model (data/electra_models/electra-mini-zh) is not "
                     "present: its rows are skipped.")
    else:
        found.append(default)
    found += [random_pair(size, root) for size in sizes]
    return found, notes


# -- texts ---------------------------------------------------------------------------------
def corpus_lines(limit: int) -> list[str]:
    """Real edited sentences, or [] when the shared corpus is absent."""
    if not CORPUS.is_file():
        return []
    lines = []
    with lzma.open(CORPUS, "rt", encoding="utf-8") as stream:
        for line in stream:
            line = line.strip()
            if line:
                lines.append(line)
            if len(lines) >= limit:
                break
    return lines


_GENERATED_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地"
    "于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小"
    "物现实加量都两体制机当使点从业本去把性好应开它合还因由其"
    "些然前外天政"
)


def generated_sentences(count: int, seed: int = SEED) -> list[str]:
    """Fixed pseudo-sentences used when the shared data is absent (timings only)."""
    rng = random.Random(seed)
    return ["".join(rng.choice(_GENERATED_CHARS) for _ in range(rng.randint(12, 40))) + "。"
            for _ in range(count)]


def sentences(count: int) -> tuple[list[str], str]:
    """`count` short real sentences (SIGHAN-15 test sources) and where they came from."""
    if SIGHAN_TEST.is_file():
        rows = SIGHAN_TEST.read_text(encoding="utf-8").splitlines()
        found = [row.split("\t")[0] for row in rows if row.strip()][:count]
        return found, f"first {len(found)} sources of csc/sighan15_test.tsv"
    return generated_sentences(count), f"{count} generated sentences (shared data absent)"


def prose_offsets(text: str) -> list[int]:
    """Code-point offsets of Chinese characters in prose lines of a Markdown document: not in
    fences, headings or list items (where benchmarks place their edits)."""
    from electra_lsp.engine.charclass import is_cjk

    offsets, offset, fenced = [], 0, False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line and not line.startswith(("#", "-", " ")):
            offsets += [offset + i for i, c in enumerate(line) if is_cjk(c)]
        offset += len(line) + 1
    return offsets


def markdown_document(characters: int, seed: int = SEED) -> tuple[str, str]:
    """A Markdown document of about `characters` characters: headings, paragraphs, a list, a
    code block and inline code, built from real corpus sentences when present."""
    lines = corpus_lines(max(200, characters // 20))
    source = "csc corpus edited.txt.xz" if lines else "generated text (shared data absent)"
    if not lines:
        lines = generated_sentences(max(200, characters // 20), seed)
    rng = random.Random(seed)
    parts: list[str] = []
    total, section, index = 0, 0, 0
    while total < characters:
        if index % 6 == 0:
            section += 1
            block = f"## 第{section}节\n"
        elif index % 11 == 5:
            block = "\n".join(f"- {lines[(index + k) % len(lines)][:30]}" for k in range(3)) + "\n"
        elif index % 17 == 9:
            block = "```python\nprint('不检查代码里的字')\n```\n"
        else:
            paragraph = "".join(lines[(index + k) % len(lines)] for k in range(rng.randint(1, 3)))
            block = paragraph.replace("，", "，`code`，", 1) if index % 7 == 3 else paragraph
            block += "\n"
        parts.append(block)
        total += len(block) + 1
        index += 1
    return "\n".join(parts)[:characters].rstrip() + "\n", source


# -- timing and tables -----------------------------------------------------------------------
@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[position]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    def cell(value: object) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for module in ("torch", "onnxruntime", "transformers", "tokenizers"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "not installed"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        **versions,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load average (1/5/15 min) at start": " / ".join(f"{x:.2f}" for x in load),
    }
