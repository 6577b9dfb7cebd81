"""The fitted combiner: fit → JSON → load gives the same probabilities, the exported trees
predict what scikit-learn predicts, and the upper bound really bounds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from electra_lsp.engine.decide import Combiner, CombinerError, fit_combiner
from electra_lsp.engine.evidence import CLIP, FEATURES, GENERATOR_COLUMNS, INDEX

pytest.importorskip("sklearn")


def synthetic(rows: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows where the label depends on the lexical gain and the generator (with noise)."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, len(FEATURES)))
    for column in GENERATOR_COLUMNS:
        low, high = CLIP[FEATURES[column]]
        features[:, column] = rng.uniform(low, high, rows)
    logit = 1.5 * features[:, INDEX["lexical_gain"]] + 0.3 * features[:, INDEX["generator"]] - 1
    labels = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return features, labels


@pytest.mark.parametrize("kind", ["logistic", "trees"])
def test_fit_save_load_round_trip(kind):
    features, labels = synthetic()
    combiner = fit_combiner(features, labels, None, kind=kind, threshold=0.6,
                            auto_fix_threshold=0.8)
    loaded = Combiner.from_json(json.loads(json.dumps(combiner.to_json())))
    assert loaded.threshold == 0.6 and loaded.auto_fix_threshold == 0.8
    np.testing.assert_allclose(loaded.probabilities(features), combiner.probabilities(features),
                               atol=1e-4)
    # it learned the signal: high lexical gain is likelier an error
    gain = features[:, INDEX["lexical_gain"]]
    probabilities = combiner.probabilities(features)
    assert probabilities[gain > 1].mean() > probabilities[gain < -1].mean() + 0.4


def test_exported_trees_predict_what_scikit_learn_predicts():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from electra_lsp.engine import decide

    features, labels = synthetic()
    boosted = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=15,
                                             random_state=0).fit(features, labels)
    trees = decide._export_trees(boosted)
    expected = boosted.predict_proba(features)[:, 1]
    walked = 1 / (1 + np.exp(-trees.walk(features)))
    np.testing.assert_allclose(walked, expected, atol=1e-9)
    # through ONNX Runtime (float32): the same but where a value sits on a split
    close = np.isclose(Combiner(trees, 0.5, 0.9).probabilities(features), expected, atol=1e-4)
    assert close.mean() > 0.99


@pytest.mark.parametrize("kind", ["logistic", "trees"])
def test_upper_bound_is_at_least_any_generator_outcome(kind):
    features, labels = synthetic()
    combiner = fit_combiner(features, labels, None, kind=kind)
    rng = np.random.default_rng(1)
    bound = combiner.upper_bound(features)
    for _ in range(5):
        tried = features.copy()
        for column in GENERATOR_COLUMNS:
            low, high = CLIP[FEATURES[column]]
            tried[:, column] = rng.uniform(low, high, len(tried))
        assert (combiner.probabilities(tried) <= bound + 1e-12).all()


def test_malformed_combiners_are_refused_with_a_reason():
    good = fit_combiner(*synthetic(500), None, kind="logistic").to_json()
    with pytest.raises(CombinerError, match="features"):
        Combiner.from_json({**good, "features": ["detector"]})
    with pytest.raises(CombinerError, match="threshold"):
        Combiner.from_json({**good, "threshold": 1.5})
    with pytest.raises(CombinerError, match="malformed"):
        Combiner.from_json({k: v for k, v in good.items() if k != "intercept"})
    with pytest.raises(CombinerError, match="kind"):
        Combiner.from_json({**good, "kind": "forest"})
