"""A minimal LSP client over stdio (asyncio + JSON-RPC framing) for timing the real server.

Plain JSON rather than a full client library: the benchmark needs exact timestamps of a few
messages, and nothing between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import Sequence
from typing import Any


class LspProcess:
    def __init__(self, command: Sequence[str], env: dict[str, str] | None = None) -> None:
        self.command = list(command)
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.started = 0.0
        self._ids = itertools.count(1)
        self._responses: dict[int, asyncio.Future[Any]] = {}
        self._diagnostics: dict[tuple[str, int | None], asyncio.Future[tuple[float, list]]] = {}
        self.statuses: list[dict] = []
        self.state_changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.started = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env=self.env, limit=1 << 26)
        self._reader = asyncio.create_task(self._read())

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _send(self, message: dict) -> None:
        assert self.process is not None and self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params: Any) -> Any:
        number = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._responses[number] = future
        self._send({"id": number, "method": method, "params": params})
        return await future

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def diagnostics_for(self, uri: str, version: int) -> asyncio.Future[tuple[float, list]]:
        """A future for the first publishDiagnostics of `uri` at `version`: (time, items)."""
        key = (uri, version)
        if key not in self._diagnostics:
            self._diagnostics[key] = asyncio.get_running_loop().create_future()
        return self._diagnostics[key]

    def forget_diagnostics(self) -> None:
        """Drop the futures of diagnostics already received (long runs keep nothing old)."""
        self._diagnostics = {k: f for k, f in self._diagnostics.items() if not f.done()}

    async def drain(self) -> None:
        """Wait until the operating system took what was written (flow control)."""
        assert self.process is not None and self.process.stdin is not None
        await self.process.stdin.drain()

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = await stream.readline()
                if not line:
                    self._fail_all(EOFError("the server closed its output"))
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(await stream.readexactly(length))
            self._dispatch(message, time.perf_counter())

    def _dispatch(self, message: dict, arrived: float) -> None:
        if "id" in message and "method" not in message:
            future = self._responses.pop(message["id"], None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(RuntimeError(str(message["error"])))
                else:
                    future.set_result(message.get("result"))
            return
        method = message.get("method")
        if "id" in message:  # a request from the server: answer it plainly
            result: Any = None
            if method == "workspace/configuration":
                result = [None for _ in message.get("params", {}).get("items", [])]
            self._send({"id": message["id"], "result": result})
            return
        if method == "textDocument/publishDiagnostics":
            params = message["params"]
            future = self.diagnostics_for(params["uri"], params.get("version"))
            if not future.done():
                future.set_result((arrived, params["diagnostics"]))
        elif method == "electraLsp/status":
            self.statuses.append(message["params"])
            self.state_changed.set()

    def _fail_all(self, error: Exception) -> None:
        for future in [*self._responses.values(), *self._diagnostics.values()]:
            if not future.done():
                future.set_exception(error)

    def rss_mb(self) -> tuple[float, float]:
        """Current and peak resident memory of the server process, in MB."""
        values = {}
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                name, _, rest = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    values[name] = int(rest.split()[0]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except asyncio.TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()


def utf16_position(text: str, offset: int) -> dict[str, int]:
    """LSP position (UTF-16 code units) of a code-point offset."""
    from electra_lsp.text.lines import line_of, line_starts

    starts = line_starts(text)
    line = line_of(offset, starts)
    character = len(text[starts[line]:offset].encode("utf-16-le")) // 2
    return {"line": line, "character": character}


def server_command(arguments: Sequence[str]) -> list[str]:
    import sys

    return [sys.executable, "-m", "electra_lsp", "--stdio", *arguments]


def server_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ELECTRA_LSP_SCRIPTED_MODEL", None)  # time the real models
    return env
