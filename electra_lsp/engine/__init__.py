"""The checking engine: model backends, candidates and their evidence, the fused decision."""
