"""`electra-lsp chat`: proofread pasted text in a conversation.

Interactive: type or paste Chinese text (several lines; a blank line or Ctrl-D ends a message;
piped, a message runs to the end of input or the next /command line)
and get back the text with each suspected character marked, the corrected text, and one line
per finding with its suggestions and reason. Commands: /fix, /explain N, /add WORD,
/ignore WORD, /settings, /help, /quit. Colours only on a terminal and without NO_COLOR.

`--json`: a machine mode for bots. One JSON object a line in ({"text": ..., "kind":
"plaintext"|"markdown"}), one a line out ({"corrected", "findings": [{start, end, original,
suggestions, score, explanation, autoFix}]}, offsets in characters, i.e. code points); a bad
line gets {"error": ...} and the session goes on.

The models load once, in the background: the first prompt appears at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import TextIO

from electra_lsp.commands.common import (
    add_settings_arguments,
    fail,
    load_checker,
    settings_from_args,
    setup_errors,
)
from electra_lsp.settings import SettingsError

COMMANDS = frozenset({"/fix", "/explain", "/add", "/ignore", "/settings", "/help", "/quit",
                      "/exit", "/q"})
HELP = """命令 commands:
  /fix          只输出上一条消息的改正文本 (print only the corrected text)
  /explain N    第 N 处的详细依据 (the evidence for finding N)
  /add WORD     把词加入用户词典，永久有效 (add to the user dictionary)
  /ignore WORD  本次会话中忽略这个词 (ignore in this session)
  /settings     当前设置 (current settings)
  /help         本帮助 (this help)
  /quit         退出 (quit; Ctrl-D on an empty message too)
粘贴或输入文本，空行或 Ctrl-D 结束一条消息。Paste or type text; a blank line or Ctrl-D ends it."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chat", help="proofread pasted text in a conversation (--json: a line-based protocol)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true",
                        help="one JSON object a line in and out (for bots)")
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


class _Models:
    """The checker, loaded once in a background thread."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.checker = None
        self.error: BaseException | None = None
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._load, daemon=True)
        self._thread.start()

    def _load(self) -> None:
        began = time.perf_counter()
        try:
            self.checker = load_checker(self.settings)
        except BaseException as error:  # reported by the session, which goes on or stops
            self.error = error
        self.seconds = time.perf_counter() - began

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def wait(self):
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.checker


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
    except SettingsError as error:
        return fail(str(error))
    models = _Models(settings)
    if args.json:
        return _json_session(models, sys.stdin, sys.stdout)
    return _Session(models, sys.stdin, sys.stdout).run()


# -- machine mode -------------------------------------------------------------------------
def _json_session(models: _Models, source: TextIO, out: TextIO) -> int:
    from electra_lsp.proofread import ProofreadError, proofread

    for line in source:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or "text" not in request:
                raise ProofreadError('expected a JSON object with "text"')
            try:
                checker = models.wait()
            except setup_errors() as error:
                _write(out, {"error": f"cannot load the models: {error}"})
                return 2
            result = proofread(checker.check, request["text"], request.get("kind", "plaintext"))
            _write(out, result.to_json())
        except json.JSONDecodeError as error:
            _write(out, {"error": f"not JSON: {error.msg} (column {error.colno})"})
        except ProofreadError as error:
            _write(out, {"error": str(error)})
    return 0


def _write(out: TextIO, data: dict) -> None:
    out.write(json.dumps(data, ensure_ascii=False) + "\n")
    out.flush()


# -- interactive --------------------------------------------------------------------------
class _Session:
    def __init__(self, models: _Models, source: TextIO, out: TextIO) -> None:
        self.models = models
        self.source = source
        self.out = out
        self.interactive = source.isatty()
        self.pending: str | None = None  # a command line read while reading piped text
        self.color = out.isatty() and not os.environ.get("NO_COLOR")
        self.ignored: set[str] = set()
        self.last = None  # the last Proofread
        self.announced = False  # "ready" printed once, before the first reply

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def run(self) -> int:
        self.say("electra-lsp chat: 粘贴或输入中文文本，空行或 Ctrl-D 结束一条消息；"
                 "/help 查看命令。")
        self.say(self.paint("正在后台加载模型… (loading the models)", "2"))
        while True:
            message = self.read_message()
            if message is None:
                return 0
            if message.startswith("/"):
                if not self.command(message):
                    return 0
            elif message.strip() and not self.reply(message):
                return 2

    def read_message(self) -> str | None:
        """Lines up to a blank line (at a terminal) or end of input; None at end of input with
        nothing read. Piped input keeps its blank lines: a whole file is one message, and only
        a /command line (or the end) ends it, so `chat < file.md` answers once."""
        lines: list[str] = []
        while True:
            try:
                line = self._next_line(lines)
            except EOFError:
                if self.interactive:
                    self.say()
                return "\n".join(lines).strip("\n") if lines else None
            if line.startswith("/") and line.split(" ", 1)[0] in COMMANDS:
                if not "\n".join(lines).strip():
                    return line.strip()
                self.pending = line  # answer the message first, then run the command
                return "\n".join(lines).strip("\n")
            if not line.strip():
                if lines and self.interactive:
                    return "\n".join(lines)
                if lines:
                    lines.append("")
                continue
            lines.append(line.rstrip("\r"))

    def _next_line(self, lines: list[str]) -> str:
        """The next input line without its newline; raises EOFError at the end."""
        if self.pending is not None:
            line, self.pending = self.pending, None
            return line
        if self.interactive:
            return input("› " if not lines else "… ")
        line = self.source.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def checker(self):
        if not self.models.ready:
            self.say(self.paint("等待模型加载… (waiting for the models)", "2"))
        checker = self.models.wait()
        if not self.announced:
            self.announced = True
            self.say(self.paint(f"模型已就绪 ready: {checker.backend.name} "
                                f"({self.models.seconds:.1f} s)", "2"))
        return checker

    def reply(self, text: str) -> bool:
        from electra_lsp.proofread import ProofreadError, proofread

        try:
            checker = self.checker()
        except setup_errors() as error:
            self.say(f"electra-lsp: error: cannot load the models: {error}")
            return False
        try:
            result = proofread(checker.check, text, "plaintext", frozenset(self.ignored))
        except ProofreadError as error:
            self.say(f"electra-lsp: {error}")
            return True
        self.last = result
        if not result.findings:
            self.say(self.paint("未发现错别字 (no typos found)", "32"))
            return True
        marked = result.marked(lambda written, fix: self.paint(f"【{written}→{fix}】", "1;31"))
        self.say("标记 marked:")
        self.say(marked)
        self.say("改正 corrected:")
        self.say(self.paint(result.corrected, "32"))
        self.say("说明 findings:")
        for line in result.lines():
            self.say(line)
        return True

    def command(self, line: str) -> bool:
        """Run a /command; False to quit."""
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name in ("/quit", "/exit", "/q"):
            return False
        if name == "/help":
            self.say(HELP)
        elif name == "/fix":
            self.say(self.last.corrected if self.last else "还没有消息 (nothing to fix yet)")
        elif name == "/explain":
            self.explain(argument)
        elif name == "/add":
            self.add(argument)
        elif name == "/ignore":
            if argument:
                self.ignored.add(argument)
                self.say(f"本次会话忽略「{argument}」 (ignored in this session)")
            else:
                self.say("用法 usage: /ignore WORD")
        elif name == "/settings":
            self.settings()
        else:
            self.say(f"未知命令 unknown command {name}; /help 查看命令")
        return True

    def explain(self, argument: str) -> None:
        findings = self.last.findings if self.last else ()
        if not argument.isdigit() or not 1 <= int(argument) <= len(findings):
            self.say(f"用法 usage: /explain N (N = 1..{len(findings)})" if findings
                     else "还没有发现 (no findings yet)")
            return
        finding = findings[int(argument) - 1]
        text = self.last.text
        self.say(f"{argument}. 「{text[max(0, finding.start - 3):finding.end + 3]}」中的"
                 f"「{finding.original}」 (character {finding.start + 1})")
        if finding.evidence is not None:
            self.say(f"   依据 evidence: {finding.evidence.explanation()}")
        self.say(f"   是错字且应改为「{finding.best.text}」的概率 probability: {finding.score:.2f}"
                 + ("" if finding.auto_fix else " (below autoFixThreshold: not applied unasked)"))
        for suggestion in finding.suggestions:
            self.say(f"   建议 {suggestion.text}: probability {suggestion.score:.2f}, "
                     f"generator {suggestion.probability:.3f}")

    def add(self, word: str) -> None:
        if not word or any(c.isspace() for c in word):
            self.say("用法 usage: /add WORD (one word, no spaces)")
            return
        try:
            checker = self.checker()
            added = checker.dictionary.add(word)
        except (*setup_errors(), OSError) as error:
            self.say(f"electra-lsp: error: {error}")
            return
        where = checker.dictionary.path or "this session"
        self.say(f"{'已加入' if added else '已在'}词典「{word}」 (dictionary: {where})")

    def settings(self) -> None:
        checker = self.models.checker
        if checker is None:
            self.say("模型仍在加载 (the models are still loading)")
            return
        self.say(f"model: {checker.backend.name}; decision: "
                 f"{'fused' if checker.combiner is not None else 'models only'}")
        self.say(f"threshold: {checker.threshold:.2f}; autoFixThreshold: "
                 f"{checker.auto_fix_threshold:.2f}; topK: {checker.settings.topK}")
        self.say(f"dictionary: {checker.dictionary.path or '(none)'}; ignored this session: "
                 f"{'、'.join(sorted(self.ignored)) or '(none)'}")
