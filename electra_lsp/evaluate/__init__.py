"""Evaluation of the checker on CSC data (`electra-lsp eval`): metrics (pure) and a runner."""
