"""Assemble the language server: the wiring (server.py) and its LSP methods (handlers/)."""

from __future__ import annotations

from electra_lsp.lsp import handlers
from electra_lsp.lsp.server import ElectraServer
from electra_lsp.settings import Settings


def create_server(settings: Settings | None = None) -> ElectraServer:
    server = ElectraServer(settings)
    handlers.register(server)
    return server
