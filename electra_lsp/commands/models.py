"""`electra-lsp models`: which models resolve, from where, their sizes and load time."""

from __future__ import annotations

import argparse
import json
import sys

from electra_lsp.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_settings_arguments,
    fail,
    settings_from_args,
)
from electra_lsp.settings import SettingsError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models", help="show which models resolve, from where, sizes and load time")
    parser.add_argument("--no-load", action="store_true", help="resolve only; skip loading")
    parser.add_argument("--json", action="store_true")
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from electra_lsp.engine.factory import timed_load
    from electra_lsp.engine.lexicon import LexiconError, shared_lexicon
    from electra_lsp.engine.ngrams import NgramError, shared_ngrams
    from electra_lsp.engine.resolve import ModelLoadError, check_same_vocabulary, resolve

    try:
        settings = settings_from_args(args)
    except SettingsError as error:
        return fail(str(error))
    report: dict = {"backend": settings.backend, "models": []}
    exit_code = EXIT_OK
    resolved = {}
    for role in ("discriminator", "generator"):
        requested = getattr(settings, role)
        try:
            model = resolve(role, requested)
        except ModelLoadError as error:
            report["models"].append({"role": role, "requested": requested, "error": str(error)})
            exit_code = EXIT_USAGE
            continue
        resolved[role] = model
        report["models"].append({
            "role": role, "requested": model.requested or "(embedded default)",
            "source": model.source, "directory": str(model.directory),
            "weights": model.weights.name, "sizeMB": round(model.size_bytes / 1e6, 2)})
    if exit_code == EXIT_OK:
        try:
            check_same_vocabulary(resolved["discriminator"], resolved["generator"])
            if not args.no_load:
                backend, seconds = timed_load(settings)
                report.update(name=backend.name, backendUsed=backend.kind,
                              precision=getattr(backend, "precision", None),
                              loadSeconds=round(seconds, 2),
                              recommended=recommended_summary(backend.recommended),
                              decision="fused" if "combiner" in backend.recommended
                              else "models only (no fitted combiner: electra-lsp tune "
                              "calibrate)")
                lexicon = shared_lexicon()
                ngrams = shared_ngrams()
                report["lexicon"] = {
                    "words": len(lexicon), "ngrams": len(ngrams),
                    "loadSeconds": round(lexicon.load_seconds + ngrams.load_seconds, 2)}
        except (LexiconError, NgramError) as error:
            report["lexiconError"] = str(error)
            exit_code = EXIT_USAGE
        except ModelLoadError as error:
            report["error"] = str(error)
            exit_code = EXIT_USAGE
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_text(report)
    return exit_code


def _print_text(report: dict) -> None:
    for model in report["models"]:
        if "error" in model:
            print(f"{model['role']}: error: {model['error']}", file=sys.stderr)
            continue
        print(f"{model['role']}: {model['requested']} [{model['source']}]")
        print(f"  {model['directory']} ({model['weights']}, {model['sizeMB']} MB)")
    if "loadSeconds" in report:
        precision = f" {report['precision']}" if report.get("precision") else ""
        print(f"loaded {report['name']} with {report['backendUsed']}{precision} (backend "
              f"{report['backend']}) in {report['loadSeconds']} s")
        print(f"decision: {report['decision']}")
    if "lexicon" in report:
        print(f"lexicon: {report['lexicon']['words']} words and "
              f"{report['lexicon']['ngrams']} character n-grams loaded in "
              f"{report['lexicon']['loadSeconds']} s")
    if "lexiconError" in report:
        print(f"lexicon: error: {report['lexiconError']}", file=sys.stderr)
    if "error" in report:
        print(f"error: {report['error']}", file=sys.stderr)


def recommended_summary(recommended: dict) -> dict:
    """The pair's shipped settings for a report: its combiner (400 trees or so, megabytes of
    JSON) reduced to what it is and its thresholds."""
    from electra_lsp.engine.decide import Combiner

    summary = {key: value for key, value in recommended.items() if key != "combiner"}
    stored = recommended.get("combiner")
    if isinstance(stored, Combiner):  # parsed already: read it, don't serialize its trees
        summary["combiner"] = {
            "kind": stored.model.kind, "stages": 1 if stored.decider is None else 2,
            "features": len(stored.features), "threshold": stored.threshold,
            "autoFixThreshold": stored.auto_fix_threshold}
    elif isinstance(stored, dict):
        summary["combiner"] = {
            "kind": stored.get("kind"), "stages": 2 if stored.get("decider") else 1,
            "features": len(stored.get("features", ())), "threshold": stored.get("threshold"),
            "autoFixThreshold": stored.get("autoFixThreshold")}
    return summary
