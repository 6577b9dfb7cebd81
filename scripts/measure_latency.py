"""Median discriminator latency for one 64-character sentence at batch 1 (torch eager, default
threads, fp32), the figure the embedded model's budget (<= 25 ms on the project CPU) is about.

    .venv/bin/python scripts/measure_latency.py [DISCRIMINATOR_DIR] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

SENTENCE = ("我们今天下午去公园散步，看见很多孩子在草地上玩耍，老人们坐在长椅上聊天，"
            "天气晴朗，阳光明媚，大家都很开心。")


def main() -> None:
    import torch
    from transformers import BertTokenizerFast, ElectraForPreTraining
    from transformers.utils import logging as transformers_logging

    from electra_lsp.paths import default_model_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", type=Path,
                        default=default_model_dir() / "discriminator")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    sentence = (SENTENCE * 2)[:64]
    tokenizer = BertTokenizerFast(str(args.model / "vocab.txt"), do_lower_case=True,
                                  tokenize_chinese_chars=True)
    transformers_logging.disable_progress_bar()
    model = ElectraForPreTraining.from_pretrained(args.model).float().eval()
    inputs = tokenizer(sentence, return_tensors="pt")
    times = []
    with torch.inference_mode():
        for run in range(10 + args.runs):
            start = time.perf_counter()
            model(**inputs)
            if run >= 10:
                times.append((time.perf_counter() - start) * 1000)
    print(f"{args.model}: {len(sentence)} characters ({inputs['input_ids'].shape[1]} tokens), "
          f"batch 1, {torch.get_num_threads()} threads: median {statistics.median(times):.2f} ms "
          f"over {args.runs} runs (min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
