"""Assemble the language server: state (server.py) + LSP methods (features.py) + commands."""

from __future__ import annotations

from electra_lsp.lsp import commands, features
from electra_lsp.lsp.server import ElectraServer
from electra_lsp.settings import Settings


def create_server(settings: Settings | None = None) -> ElectraServer:
    server = ElectraServer(settings)
    features.register(server)
    commands.register(server)
    return server
