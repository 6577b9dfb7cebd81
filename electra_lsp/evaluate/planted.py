"""Figures on planted typos (train/plant.py): how many the checker finds, how many it fixes
right, and how many false alarms it raises on untouched lines."""

from __future__ import annotations

from collections.abc import Sequence

from electra_lsp.engine.charclass import is_cjk
from electra_lsp.evaluate.runner import SentenceChecker


def planted_figures(checker: SentenceChecker, pairs: Sequence[tuple[str, str]]
                    ) -> dict[str, float]:
    """{"recall", "correct first fix", "false alarms / 10k chars", "typos", "clean chars"}.

    pairs: (source, target); a pair with source == target is an untouched line, whose
    findings are false alarms (counted per 10,000 Chinese characters of untouched lines);
    the others hold planted typos (same length), found when a finding starts at one and fixed
    when its best suggestion is the target character.
    """
    found = checker.check_sentences([source for source, _ in pairs])
    typos = caught = fixed = alarms = clean_chars = 0
    for (source, target), findings in zip(pairs, found, strict=True):
        if source == target:
            clean_chars += sum(1 for c in source if is_cjk(c))
            alarms += len(findings)
            continue
        wrong = {i: t for i, (s, t) in enumerate(zip(source, target, strict=True)) if s != t}
        typos += len(wrong)
        for finding in findings:
            if finding.start in wrong:
                caught += 1
                fixed += finding.best is not None and finding.best.text == wrong[finding.start]
    return {"recall": caught / typos if typos else 0.0,
            "correct first fix": fixed / typos if typos else 0.0,
            "false alarms / 10k chars": alarms * 10_000 / clean_chars if clean_chars else 0.0,
            "typos": typos, "clean chars": clean_chars}
