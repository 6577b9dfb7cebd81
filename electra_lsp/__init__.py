"""electra-lsp: find Chinese spelling mistakes with ELECTRA, in an editor or on the command line."""

__version__ = "0.1.0"
