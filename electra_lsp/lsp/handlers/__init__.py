"""The LSP methods the server answers: flat module-level handlers that take the server as `ls`,
registered here and nowhere else."""

from __future__ import annotations

from lsprotocol import types

from electra_lsp.lsp import constants
from electra_lsp.lsp.handlers import actions, commands, diagnostics, lifecycle, sync
from electra_lsp.lsp.server import ElectraServer

FEATURES = [
    (types.INITIALIZE, lifecycle.initialize, None),
    (types.INITIALIZED, lifecycle.initialized, None),
    (types.SHUTDOWN, lifecycle.shutdown, None),
    (types.EXIT, lifecycle.exit_, None),
    (types.WORKSPACE_DID_CHANGE_CONFIGURATION, lifecycle.did_change_configuration, None),
    (types.TEXT_DOCUMENT_DID_OPEN, sync.did_open, None),
    (types.TEXT_DOCUMENT_DID_CHANGE, sync.did_change, None),
    (types.TEXT_DOCUMENT_DID_CLOSE, sync.did_close, None),
    (types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, sync.did_change_workspace_folders, None),
    (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, sync.did_change_watched_files, None),
    (types.TEXT_DOCUMENT_CODE_ACTION, actions.code_action, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, constants.FIX_ALL_KIND])),
    (types.TEXT_DOCUMENT_HOVER, actions.hover, None),
]
# textDocument/diagnostic is registered by `initialize`, for clients that pull (see there).
PULL_DIAGNOSTICS = (types.TEXT_DOCUMENT_DIAGNOSTIC, diagnostics.pull_diagnostics,
                    types.DiagnosticOptions(identifier=constants.SOURCE,
                                            inter_file_dependencies=False,
                                            workspace_diagnostics=False))
COMMANDS = {
    constants.CHECK_DOCUMENT: commands.check_document,
    constants.FIX_ALL: commands.fix_all,
    constants.ADD_TO_DICTIONARY: commands.add_to_dictionary,
    constants.IGNORE_IN_DOCUMENT: commands.ignore_in_document,
    constants.RELOAD_MODELS: commands.reload_models,
    constants.PROOFREAD: commands.proofread_text,
    constants.SHOW_STATUS: commands.show_status,
}


def register(server: ElectraServer) -> None:
    """Register every LSP method and command on `server`."""
    for method, handler, options in FEATURES:
        server.feature(method, options)(handler)
    for name, handler in COMMANDS.items():
        server.command(name)(handler)
