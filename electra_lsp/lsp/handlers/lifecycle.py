"""initialize, initialized, shutdown, exit and settings pushed by the client."""

from __future__ import annotations

from lsprotocol import types

from electra_lsp.lsp import config
from electra_lsp.lsp.server import ElectraServer


def initialize(ls: ElectraServer, params: types.InitializeParams) -> None:
    # Runs inside pygls' initialize, before the capabilities are computed: pull diagnostics
    # are offered only to clients that announce them (the others get pushed diagnostics).
    text_document = params.capabilities.text_document
    ls.publisher.pull = text_document is not None and text_document.diagnostic is not None
    if ls.publisher.pull:
        from electra_lsp.lsp.handlers import PULL_DIAGNOSTICS

        method, handler, options = PULL_DIAGNOSTICS
        ls.feature(method, options)(handler)
    config.apply_initialization_options(ls, params.initialization_options)


async def initialized(ls: ElectraServer, params: types.InitializedParams) -> None:
    ls.start()
    if ls.client_supports("workspace.configuration"):
        await config.pull_configuration(ls)
    await ls.host.load()


def shutdown(ls: ElectraServer, params: None) -> None:
    ls.shutdown_requested = True  # no more checks or diagnostics


def exit_(ls: ElectraServer, params: None) -> None:
    ls.exit_code = 0 if ls.shutdown_requested else 1


async def did_change_configuration(ls: ElectraServer,
                                   params: types.DidChangeConfigurationParams) -> None:
    if ls.client_supports("workspace.configuration"):
        await config.pull_configuration(ls)
        return
    values = config.section_values(params.settings)
    if values is not None:
        config.apply_configuration(ls, values)
