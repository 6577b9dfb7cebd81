"""Names the server shares with its clients (the VS Code extension and Neovim config use them)."""

from __future__ import annotations

SERVER_NAME = "electra-lsp"
SOURCE = "electra-lsp"  # Diagnostic.source
CODE = "misspelling"  # Diagnostic.code

STATUS_NOTIFICATION = "electraLsp/status"  # params {"state": loading|ready|error, "message": str}

CHECK_DOCUMENT = "electraLsp.checkDocument"
FIX_ALL = "electraLsp.fixAll"
ADD_TO_DICTIONARY = "electraLsp.addToDictionary"
IGNORE_IN_DOCUMENT = "electraLsp.ignoreInDocument"
RELOAD_MODELS = "electraLsp.reloadModels"
SHOW_STATUS = "electraLsp.showStatus"
PROOFREAD = "electraLsp.proofread"  # {text, kind?} -> {corrected, findings, model}

FIX_ALL_KIND = "source.fixAll.electraLsp"
