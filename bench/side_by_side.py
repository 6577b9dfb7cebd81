"""Our engine against the reference algorithm: same models, same sentences, same detection
threshold, one run each. Reports time, speed-up and how often both correct a sentence alike."""

from __future__ import annotations

import sys

from bench.common import sentences, stopwatch, table
from bench.engine import Context, checker, corrections, onnx_available
from bench.reference import ReferenceCorrector

TITLE = "Side by side with the reference algorithm"
COUNTS = {"default": 200, "small": 100, "base": 30}  # base is slow for the reference


def run(context: Context) -> str:
    rows, sources = [], []
    for pair in context.pairs:
        count = COUNTS.get(pair.short, 50) // (5 if context.quick else 1)
        texts, source = sentences(count)
        sources.append(f"{pair.label}: {source}")
        print(f"side-by-side: {pair.label}, {len(texts)} sentences", file=sys.stderr)
        ours = checker(pair, "torch")
        threshold = ours.threshold
        reference = ReferenceCorrector(pair.discriminator, pair.generator, threshold)
        reference.correct(texts[0])  # warm-up, as our backends warm up when loading
        reference.pipeline_calls = 0
        with stopwatch() as elapsed:
            expected = [reference.correct(t) for t in texts]
        reference_time = elapsed()
        engines = [("torch", ours)]
        if onnx_available():
            engines.append(("onnx", checker(pair, "onnx")))
        characters = sum(len(t) for t in texts)
        for name, engine in engines:
            with stopwatch() as elapsed:
                found = engine.check_sentences(texts)
            ours_time = elapsed()
            got = [corrections(f) for f in found]
            same = sum(g == e for g, e in zip(got, expected, strict=True))
            flagged_ours = sum(len(f) for f in found)
            context.metrics[("speed_up", pair.label, name)] = reference_time / ours_time
            rows.append([pair.label, f"{threshold:g}", len(texts), reference.pipeline_calls,
                         f"{reference_time:.2f}", f"{characters / reference_time:,.0f}",
                         name, f"{ours_time:.2f}", f"{characters / ours_time:,.0f}",
                         f"{reference_time / ours_time:.1f}×",
                         f"{same / len(texts):.0%}",
                         sum(len(e) for e in expected), flagged_ours])
    header = ["model", "threshold", "sentences", "reference fill-mask calls",
              "reference s", "reference chars/s", "our backend", "ours s", "ours chars/s",
              "speed-up", "identical corrections", "reference corrections",
              "our findings"]
    return "\n".join([
        f"Sentences: {'; '.join(sources)}. One run each, in one process, models "
        "loaded and warmed up before timing (load time excluded). The reference runs the "
        "discriminator once per sentence and one transformers fill-mask pipeline call (top 5) "
        "per flagged character; ours batches all sentences through the discriminator and all "
        "masked copies through the generator, computing vocabulary logits only at the masked "
        "positions. Both use the same threshold, alignment and confusion sets. \"Identical "
        "corrections\": share of sentences where both propose exactly the same "
        "(position, replacement) set; ours also requires p(candidate) ≥ minRatio·p(original), "
        "so it proposes less where the reference takes any top-5 confusable token.",
        "",
        table(header, rows),
    ])
