"""`python -m bench.soak`: memory and latency of the language server under long editing.

30 Markdown documents (about 3,000 characters each, real corpus sentences) are opened in one
server (default model and settings, onnx backend when installed), then edits are sent as fast
as the client can write them: random single-character inserts and deletes in prose (92 %),
multi-line pastes (4 %; a cut of a few lines instead once a document has doubled, so sizes
stay bounded and growth means a leak), and closes followed by reopens (4 %). Every 100th edit
the client waits for that version's diagnostics and records the latency (didChange sent → its
publishDiagnostics received): the latency a user sees while the server is busy with the rest.

Prints the server's RSS (VmRSS from /proc) after the documents are loaded and at each
checkpoint (default after 20,000 and 60,000 edits), the growth between the last two
checkpoints, and latency median and maximum. Issue 13's target: growth ≤ 20 MB from 20k to
60k edits.

    python -m bench.soak [--edits 60000] [--checkpoints 20000 60000] [--backend onnx]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time

from bench.common import corpus_lines, generated_sentences, median, prose_offsets, table
from bench.lsp_client import LspProcess, server_command, server_environment, utf16_position

DOCUMENTS = 30
CHARACTERS = 3_000
SAMPLE_EVERY = 100  # edits between latency samples
TIMEOUT = 120.0  # seconds for one sampled publish
INSERTS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理"  # noqa: E501


def documents(count: int, characters: int, seed: int) -> list[str]:
    """`count` different Markdown documents (headings, paragraphs, a list, a code block) of
    about `characters` characters each, from disjoint slices of the corpus."""
    per = characters // 30 + 10
    lines = corpus_lines(count * per) or generated_sentences(count * per, seed)
    rng = random.Random(seed)
    texts = []
    for number in range(count):
        mine = lines[number * per:(number + 1) * per]
        parts, index = [f"# 文档{number}\n"], 0
        while index < len(mine) and sum(map(len, parts)) < characters:
            if index % 12 == 5:
                parts.append("\n".join(f"- {line[:30]}" for line in mine[index:index + 3]))
                index += 3
            elif index % 17 == 9:
                parts.append("```python\nprint('不检查代码里的字')\n```")
                index += 1
            else:
                take = rng.randint(1, 3)
                parts.append("".join(mine[index:index + take]))
                index += take
        texts.append("\n\n".join(parts)[:characters].rstrip() + "\n")
    return texts


class Soak:
    def __init__(self, server: LspProcess, texts: list[str], seed: int) -> None:
        self.server = server
        self.rng = random.Random(seed)
        self.texts = {f"file:///soak/doc{i:02d}.md": text for i, text in enumerate(texts)}
        self.versions = dict.fromkeys(self.texts, 1)
        self.paste_source = [t for t in texts]
        self.latencies: list[float] = []

    def open(self, uri: str) -> None:
        self.server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": self.versions[uri],
            "text": self.texts[uri]}})

    async def open_all(self) -> None:
        waits = [self.server.diagnostics_for(uri, 1) for uri in self.texts]
        for uri in self.texts:
            self.open(uri)
        await asyncio.wait_for(asyncio.gather(*waits), 600)

    def _change(self, uri: str, start: int, end: int, new: str) -> int:
        text = self.texts[uri]
        change = {"range": {"start": utf16_position(text, start),
                            "end": utf16_position(text, end)}, "text": new}
        self.texts[uri] = text[:start] + new + text[end:]
        self.versions[uri] += 1
        self.server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [change]})
        return self.versions[uri]

    def edit(self) -> tuple[str, int] | None:
        """One random operation; returns (uri, version) of a change, None for close/reopen."""
        uri = self.rng.choice(list(self.texts))
        roll = self.rng.random()
        if roll < 0.04:  # close, then reopen with the same text at a new version
            self.server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            self.versions[uri] += 1
            self.open(uri)
            return None
        offsets = prose_offsets(self.texts[uri]) or [0]
        at = self.rng.choice(offsets)
        long = len(self.texts[uri]) > 2 * CHARACTERS  # sizes stay put: a leak, not growth
        if roll < 0.08 and long:  # cut a few lines
            text = self.texts[uri]
            start = text.rfind("\n", 0, at) + 1
            end = start
            for _ in range(3):
                end = text.find("\n", end + 1)
                if end < 0:
                    end = len(text)
                    break
            return uri, self._change(uri, start, end, "")
        if roll < 0.08:  # a multi-line paste of a few lines from another document
            donor = self.rng.choice(self.paste_source).split("\n")
            first = self.rng.randrange(max(1, len(donor) - 4))
            paste = "\n".join(donor[first:first + 3]) + "\n"
            return uri, self._change(uri, at, at, paste)
        if roll < 0.54 or long:
            return uri, self._change(uri, at, at + 1, "")  # delete one character
        return uri, self._change(uri, at, at, self.rng.choice(INSERTS))

    async def run(self, edits: int) -> None:
        for number in range(1, edits + 1):
            changed = self.edit()
            if number % SAMPLE_EVERY == 0 and changed is not None:
                published = self.server.diagnostics_for(*changed)
                sent = time.perf_counter()
                arrived, _ = await asyncio.wait_for(published, TIMEOUT)
                self.latencies.append((arrived - sent) * 1000)
                self.server.forget_diagnostics()  # the client keeps nothing of old versions
            elif number % 10 == 0:
                await self.server.drain()


async def soak(arguments: list[str], edits: int, checkpoints: list[int], seed: int) -> dict:
    texts = documents(DOCUMENTS, CHARACTERS, seed)
    server = LspProcess(server_command(arguments), server_environment())
    await server.start()
    try:
        await server.request("initialize", {"processId": None, "rootUri": None, "capabilities": {
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
            "general": {"positionEncodings": ["utf-16"]}}})
        server.notify("initialized", {})
        run = Soak(server, texts, seed)
        started = time.perf_counter()
        await run.open_all()
        rss = {"after load": server.rss_mb()[0]}
        done = 0
        for checkpoint in checkpoints:
            await run.run(checkpoint - done)
            done = checkpoint
            # Let the server finish the queued work, then read its memory.
            uri = next(iter(run.texts))
            version = run._change(uri, 0, 0, "")
            await asyncio.wait_for(server.diagnostics_for(uri, version), TIMEOUT)
            rss[f"after {checkpoint:,} edits"] = server.rss_mb()[0]
            print(f"soak: {checkpoint:,} edits, RSS {rss[list(rss)[-1]]:.0f} MB, "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        peak = server.rss_mb()[1]
        characters = sum(map(len, run.texts.values()))
    finally:
        await server.stop()
    return {"rss": rss, "peak": peak, "latencies": run.latencies, "characters": characters,
            "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=60_000)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[20_000, 60_000])
    parser.add_argument("--backend", default="onnx", choices=("onnx", "torch"))
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    checkpoints = sorted({c for c in args.checkpoints if 0 < c < args.edits} | {args.edits})
    result = asyncio.run(soak(["--backend", args.backend], args.edits, checkpoints, args.seed))
    rss = result["rss"]
    names = list(rss)
    rows = [[name, f"{value:.0f}"] for name, value in rss.items()]
    if len(names) >= 3:
        rows.append([f"growth, {names[-2]} → {names[-1]}",
                     f"{rss[names[-1]] - rss[names[-2]]:+.0f}"])
    rows.append(["peak (VmHWM)", f"{result['peak']:.0f}"])
    latencies = result["latencies"]
    print(f"{DOCUMENTS} documents of about {CHARACTERS:,} characters, {args.edits:,} edits in "
          f"{result['seconds']:.0f} s, backend {args.backend}; latency sampled every "
          f"{SAMPLE_EVERY} edits ({len(latencies)} samples): median "
          f"{median(latencies):.0f} ms, max {max(latencies):.0f} ms; the documents hold "
          f"{result['characters']:,} characters at the end\n")
    print(table(["server RSS", "MB"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
