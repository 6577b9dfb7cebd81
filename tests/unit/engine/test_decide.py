"""The fitted combiner: fit → JSON → load gives the same probabilities, the exported trees
predict what scikit-learn predicts, and the upper bound really bounds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from electra_lsp.engine.decide import Combiner, CombinerError, fit_combiner, top_rows
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


@pytest.mark.parametrize("floor", [0.1, None])
@pytest.mark.parametrize("kind", ["logistic", "trees"])
def test_fit_save_load_round_trip(kind, floor):
    features, labels = synthetic()
    combiner = fit_combiner(features, labels, None, kind=kind, threshold=0.6,
                            auto_fix_threshold=0.8, floor=floor, groups=groups_of(len(labels)))
    stored = json.loads(json.dumps(combiner.to_json()))
    assert ("decider" in stored) == (floor is not None)
    loaded = Combiner.from_json(stored)
    assert loaded.threshold == 0.6 and loaded.auto_fix_threshold == 0.8
    assert (loaded.decider is None) == (floor is None)
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


def groups_of(rows: int, size: int = 3) -> np.ndarray:
    """Positions of `size` candidates each."""
    return np.arange(rows) // size


def test_top_rows_takes_the_highest_of_each_group_ties_to_the_first():
    ranked = np.array([0.2, 0.7, 0.7, 0.1, 0.9, 0.5])
    groups = np.array([4, 4, 4, 2, 2, 9])
    assert top_rows(ranked, groups).tolist() == [4, 1, 5]  # groups 2, 4, 9


def test_the_decider_decides_the_top_candidates_from_the_floor_on():
    features, labels = synthetic()
    groups = groups_of(len(labels))
    cascade = fit_combiner(features, labels, None, kind="logistic", floor=0.3, groups=groups)
    ranked = cascade.probabilities(features)
    np.testing.assert_array_equal(ranked, Combiner(cascade.model, 0.5, 0.9).probabilities(features))
    top = top_rows(ranked, groups)
    final = cascade.decided(features[top], ranked[top])
    below = ranked[top] < 0.3
    assert below.any() and (~below).any()
    np.testing.assert_array_equal(final[below], ranked[top][below])
    decided = Combiner(cascade.decider, 0.5, 0.9).probabilities(features[top][~below])
    np.testing.assert_allclose(final[~below], np.maximum(decided, 0.3))
    assert not np.allclose(final[~below], ranked[top][~below])  # a second model, not a copy
    with pytest.raises(ValueError, match="group"):
        fit_combiner(features, labels, None, kind="logistic", floor=0.3)


@pytest.mark.parametrize("floor", [0.1, None])
@pytest.mark.parametrize("kind", ["logistic", "trees"])
def test_upper_bound_is_at_least_any_generator_outcome(kind, floor):
    features, labels = synthetic()
    groups = groups_of(len(labels))
    combiner = fit_combiner(features, labels, None, kind=kind, floor=floor, groups=groups)
    rng = np.random.default_rng(1)
    bound = combiner.upper_bound(features)
    for _ in range(5):
        tried = features.copy()
        for column in GENERATOR_COLUMNS:
            low, high = CLIP[FEATURES[column]]
            tried[:, column] = rng.uniform(low, high, len(tried))
        ranked = combiner.probabilities(tried)
        top = top_rows(ranked, groups)
        # whichever row ends on top, its position's probability stays under its bound
        assert (combiner.decided(tried[top], ranked[top]) <= bound[top] + 1e-12).all()


def test_malformed_combiners_are_refused_with_a_reason():
    good = fit_combiner(*synthetic(500), None, kind="logistic", groups=groups_of(500)).to_json()
    with pytest.raises(CombinerError, match="features"):
        Combiner.from_json({**good, "features": ["detector"]})
    with pytest.raises(CombinerError, match="threshold"):
        Combiner.from_json({**good, "threshold": 1.5})
    with pytest.raises(CombinerError, match="malformed"):
        Combiner.from_json({k: v for k, v in good.items() if k != "intercept"})
    with pytest.raises(CombinerError, match="kind"):
        Combiner.from_json({**good, "kind": "forest"})
    with pytest.raises(CombinerError, match="floor"):
        Combiner.from_json({**good, "floor": 0.95})
    with pytest.raises(CombinerError, match="kind"):
        Combiner.from_json({**good, "decider": {**good["decider"], "kind": "forest"}})
