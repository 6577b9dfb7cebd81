"""`python -m bench.docs_probe`: false alarms on real, human-translated technical text.

The zh_CN message catalogues of the tools installed on this machine (git, coreutils, dpkg,
PostgreSQL, GTK ... under /usr/share/locale/zh_CN/LC_MESSAGES/*.mo, read with the standard
library's gettext; the iso_* code lists are left out) are the nearest thing here to the
documentation our users write: command-line help, error messages and option descriptions,
with their own terms (变基, 属组, 元组). Each catalogue is one document of its messages' lines
with 8+ Chinese characters, checked alone (its own vocabulary weighs), and with all of them
as its workspace, as `electra-lsp check DIR` and the language server check a file
(workspace.py).

There are no gold corrections. Findings that a reader confirmed as real errors are listed in
KNOWN_ERRORS, and accepted variant spellings (做为 for 作为) in VARIANTS; every other finding
counts as a false alarm. Figures: Chinese characters, findings, real errors among them,
variants, false alarms per 10,000 Chinese characters; `--list` prints every finding. The
catalogues depend on the installed packages: compare engines in one run on one machine.
Nothing is copied from the catalogues into this repository.
"""

from __future__ import annotations

import argparse
import gettext
import sys
from pathlib import Path

from bench.common import table
from electra_lsp.engine.charclass import is_cjk

LOCALE_DIR = Path("/usr/share/locale/zh_CN/LC_MESSAGES")
MIN_CHINESE = 8
# (catalogue, snippet, index of the flagged character in it): errors confirmed by reading.
KNOWN_ERRORS = (
    ("dpkg", "在这此运行中", 2),         # 这次
    ("postgres-15", "的所由者", 2),      # 所有者
    ("libpq5-15", "服务起发送", 2),      # 服务器
    ("xkeyboard-config", "士耳其语", 0),  # 土耳其语
    ("libc", "不只一次", 1),              # 不止一次
    ("postgres-15", "递归查询终", 4),    # 递归查询中 (two messages)
)
# Variant spellings a proof-reader may change but need not: neither error nor false alarm.
VARIANTS = ("做为", "混和", "查寻", "模版")


def catalogue_documents(directory: Path = LOCALE_DIR) -> dict[str, str]:
    """{catalogue name: its message lines with MIN_CHINESE+ Chinese characters, one
    paragraph each}, sorted and deduplicated; {} when the directory is missing."""
    documents = {}
    for path in sorted(directory.glob("*.mo")):
        if path.stem.startswith("iso_"):
            continue
        try:
            with path.open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        lines = {part.strip() for message in catalog.values() if isinstance(message, str)
                 for part in message.split("\n")}
        kept = sorted(line for line in lines if sum(map(is_cjk, line)) >= MIN_CHINESE)
        if kept:
            documents[path.stem] = "\n\n".join(kept) + "\n"
    return documents


def classify(name: str, sentence: str, start: int) -> str:
    """'error', 'variant' or 'false alarm' for a finding at sentence[start] (any text that
    holds the finding at that offset: a sentence or the whole document)."""
    for catalogue, snippet, index in KNOWN_ERRORS:
        low = start - index
        if catalogue == name and low >= 0 and sentence[low:low + len(snippet)] == snippet:
            return "error"
    if any(v in sentence[max(0, start - 3):start + 4] and v.find(sentence[start]) >= 0
           for v in VARIANTS):
        return "variant"
    return "false alarm"


def probe(checker, documents: dict[str, str]) -> dict[str, tuple[dict[str, float], list[str]]]:
    """{"alone" / "workspace": (figures, one line per finding)} of `checker` over the
    documents: each checked alone, and each with all of them as its workspace."""
    from electra_lsp.checker import prose
    from electra_lsp.workspace import WorkspaceVocabulary, without_workspace_words

    checked = {name: checker.check_document(text, "plaintext")
               for name, text in documents.items()}
    alone = {name: findings for name, (findings, _) in checked.items()}
    workspace = WorkspaceVocabulary({name: prose(sentences)
                                     for name, (_, sentences) in checked.items()})
    chinese = sum(sum(map(is_cjk, text)) for text in documents.values())
    return {"alone": _figures(documents, alone, chinese),
            "workspace": _figures(documents, {name: without_workspace_words(found, workspace)
                                              for name, found in alone.items()}, chinese)}


def _figures(documents: dict[str, str], found: dict[str, list], chinese: int
             ) -> tuple[dict[str, float], list[str]]:
    kinds = {"error": 0, "variant": 0, "false alarm": 0}
    automatic = {"error": 0, "variant": 0, "false alarm": 0}
    lines = []
    for name, findings in found.items():
        text = documents[name]
        for finding in findings:
            kind = classify(name, text, finding.start)
            kinds[kind] += 1
            automatic[kind] += finding.auto_fix and finding.best is not None
            at = finding.start
            fix = finding.best.text if finding.best else "?"
            before = text[max(0, at - 8):at].rpartition("\n")[2]
            after = text[at + 1:at + 8].partition("\n")[0]
            lines.append(f"{kind:11} {name}: {before}[{text[at]}→{fix}]{after} "
                         f"({finding.score:.2f})")
    figures = {"Chinese characters": chinese, "findings": sum(kinds.values()),
               "real errors found": kinds["error"], "variants flagged": kinds["variant"],
               "false alarms": kinds["false alarm"],
               "false alarms / 10k chars": round(kinds["false alarm"] / max(chinese, 1) * 1e4, 2),
               "automatic fixes (fix --write)": sum(automatic.values()),
               "automatic fixes that are wrong": automatic["false alarm"]}
    return figures, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.docs_probe", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    parser.add_argument("--list", action="store_true", help="print every finding")
    parser.add_argument("--pair", type=Path, metavar="PAIR_DIR",
                        help="probe this pair (discriminator/ and generator/, with its own "
                             "electra_lsp.json) instead of the embedded one")
    args = parser.parse_args(argv)
    documents = catalogue_documents(args.locale_dir)
    if not documents:
        print(f"bench.docs_probe: no zh_CN catalogues in {args.locale_dir}", file=sys.stderr)
        return 2

    from electra_lsp.checker import load_checker
    from electra_lsp.settings import Settings

    settings = Settings() if args.pair is None else Settings(
        discriminator=str(args.pair / "discriminator"), generator=str(args.pair / "generator"))
    checker = load_checker(settings)
    results = probe(checker, documents)
    print(f"{len(documents)} catalogues from {args.locale_dir}; model "
          f"{checker.backend.name} ({type(checker.backend).__name__})\n")
    names = list(results["alone"][0])
    print(table(["measure", "each catalogue alone",
                 "in a workspace of them all (check DIR, the server)"],
                [[name, *(str(results[k][0][name]) for k in ("alone", "workspace"))]
                 for name in names]))
    if args.list:
        for key, (_, lines) in results.items():
            print("\n".join(["", f"## {key}", *lines]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
