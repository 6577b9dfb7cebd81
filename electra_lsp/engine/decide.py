"""The calibrated decision: evidence → probability that a finding is a real error with this fix.

Gradient-boosted trees (or a logistic regression) over `evidence.FEATURES`, fitted by
`electra-lsp tune calibrate` with scikit-learn and applied here with numpy over the stored
trees or coefficients. It ships in the model's
`electra_lsp.json` under "combiner", with the two thresholds chosen on dev data:
`threshold` (a finding is reported) and `autoFixThreshold` (its best fix may be applied
without asking: `fix --write`, Fix All, fix on save).

Two stages (a cascade): the ranker, fitted on every candidate, says how likely each one is the
intended character and so picks each position's top candidate; the decider, fitted only on
those top candidates that the ranker gives at least `floor`, says how likely the position
holds an error with that fix (under `floor` the ranker's probability stands: below any
threshold). The decider learns from the hard cases only, one row per position, as the
decision is made. In five-fold cross-validation grouped by line on the fitting lines
(experiment, with the three lexical features broken_word / written_alone / single_change
added to both), planted-typo recall at ≤ 1 / 2 / 5 false alarms per 10k characters: one stage
0.375 / 0.474 / 0.581, the cascade 0.405 / 0.503 / 0.605 (the decider fitted on every row
≥ floor instead: 0.381 / 0.463 / 0.584).

Because both models are monotonic in the generator features (a linear model by construction,
the trees by a fitting constraint), the largest probability a candidate can reach whatever
the generator says follows from those features at the ends of their clipped ranges
(`upper_bound`). Positions where no candidate can reach the threshold that way are never
sent to the generator: that pre-filter cannot drop a finding the full computation would make.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from electra_lsp.engine.evidence import CLIP, FEATURES, GENERATOR_COLUMNS


class CombinerError(ValueError):
    """A stored combiner is malformed; the message says what is wrong."""


class LinearModel:
    """Logistic regression: logit = features · coefficients + intercept."""

    kind = "logistic"

    def __init__(self, coefficients: Sequence[float], intercept: float) -> None:
        if len(coefficients) != len(FEATURES):
            raise CombinerError(f"combiner has {len(coefficients)} coefficients for "
                                f"{len(FEATURES)} features")
        self.coefficients = np.asarray(coefficients, dtype=np.float64)
        self.intercept = float(intercept)

    def logits(self, features: np.ndarray) -> np.ndarray:
        """Logits, one per row of `features` (shape (n, len(FEATURES))) -> shape (n,)."""
        return features @ self.coefficients + self.intercept

    def generator_increasing(self, column: int) -> bool:
        """Whether the logit never decreases as feature `column` grows."""
        return bool(self.coefficients[column] >= 0)

    def to_json(self) -> dict:
        """The model as JSON (`from_json` reads it back)."""
        return {"coefficients": [round(float(c), 6) for c in self.coefficients],
                "intercept": round(self.intercept, 6)}

    @classmethod
    def from_json(cls, data: dict) -> LinearModel:
        """The model written by `to_json`; raises CombinerError when malformed."""
        return cls([float(c) for c in data["coefficients"]], float(data["intercept"]))


class TreeEnsemble:
    """Gradient-boosted regression trees: logit = baseline + Σ leaf value of each tree.

    Nodes of all trees in flat arrays; a row goes left at a node when
    features[row, feature] <= threshold. Fitted with the generator's features constrained to be
    non-decreasing (monotonic), so their clipped maxima give an upper bound.
    """

    kind = "trees"

    def __init__(self, baseline: float, roots: Sequence[int], feature: Sequence[int],
                 threshold: Sequence[float], left: Sequence[int], right: Sequence[int],
                 value: Sequence[float]) -> None:
        self.baseline = float(baseline)
        self.roots = np.asarray(roots, dtype=np.int64)
        self.feature = np.asarray(feature, dtype=np.int64)
        self.threshold = np.asarray(threshold, dtype=np.float64)
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.value = np.asarray(value, dtype=np.float64)
        self.leaf = self.left < 0
        self._session = None  # ONNX Runtime session (False: not available), built on first use
        sizes = {len(self.feature), len(self.threshold), len(self.left), len(self.right),
                 len(self.value)}
        if len(sizes) != 1 or self.feature.max(initial=0) >= len(FEATURES) \
                or self.left.max(initial=0) >= len(self.feature) \
                or self.right.max(initial=0) >= len(self.feature):
            raise CombinerError("combiner trees are inconsistent")

    def logits(self, features: np.ndarray) -> np.ndarray:
        """(rows,) log-odds; through ONNX Runtime's TreeEnsembleRegressor when it is installed
        (about ten times faster than the numpy walk below, which is the fallback)."""
        if self._session is None:
            self._session = _onnx_trees(self) or False
        if self._session:
            output = self._session.run(None, {"features": features.astype(np.float32)})[0]
            return output[:, 0].astype(np.float64)
        return self.walk(features)

    def walk(self, features: np.ndarray) -> np.ndarray:
        """(rows,) log-odds computed with numpy (no ONNX Runtime)."""
        rows = features.shape[0]
        trees = len(self.roots)
        row = np.repeat(np.arange(rows), trees)
        nodes = np.tile(self.roots, rows)
        active = np.flatnonzero(~self.leaf[nodes])
        while active.size:  # only (row, tree) pairs not yet at a leaf take a step
            at = nodes[active]
            left = features[row[active], self.feature[at]] <= self.threshold[at]
            nodes[active] = np.where(left, self.left[at], self.right[at])
            active = active[~self.leaf[nodes[active]]]
        return self.baseline + np.bincount(row, weights=self.value[nodes], minlength=rows)

    def generator_increasing(self, column: int) -> bool:
        """Whether the trees' output never decreases as feature `column` grows."""
        return True  # fitted with monotonic_cst +1 on GENERATOR_COLUMNS

    def to_json(self) -> dict:
        """The ensemble as JSON (`from_json` reads it back)."""
        return {"baseline": round(self.baseline, 6), "roots": self.roots.tolist(),
                "feature": self.feature.tolist(),
                "split": self.threshold.tolist(),  # full precision: rows sit near splits
                "left": self.left.tolist(), "right": self.right.tolist(),
                "value": [round(float(v), 6) for v in self.value]}

    @classmethod
    def from_json(cls, data: dict) -> TreeEnsemble:
        """The ensemble written by `to_json`; raises CombinerError when malformed."""
        return cls(data["baseline"], data["roots"], data["feature"], data["split"],
                   data["left"], data["right"], data["value"])


@dataclass(frozen=True)
class Combiner:
    """The fused decision: a probability that a candidate fix is right, from its evidence,
    with the thresholds to report it and to apply it unasked.
    """

    model: LinearModel | TreeEnsemble  # the ranker (the only stage when decider is None)
    threshold: float  # probability at which a finding is reported
    auto_fix_threshold: float  # probability at which its best fix is applied unasked
    features: tuple[str, ...] = FEATURES
    decider: LinearModel | TreeEnsemble | None = None  # second stage, for rows ≥ floor
    floor: float = 0.0  # ranker probability from which the decider gives the probability

    def __post_init__(self) -> None:
        if self.features != FEATURES:
            raise CombinerError(
                f"combiner features {list(self.features)} differ from this version's "
                f"{list(FEATURES)}; refit it with `electra-lsp tune calibrate`")
        for name, value in (("threshold", self.threshold),
                            ("autoFixThreshold", self.auto_fix_threshold)):
            if not 0.0 < value < 1.0:
                raise CombinerError(f"combiner {name} must be in (0, 1), got {value}")
        if self.decider is not None and not 0.0 < self.floor < self.threshold:
            raise CombinerError(f"combiner floor must be in (0, threshold), got {self.floor}")

    def with_thresholds(self, threshold: float, auto_fix_threshold: float) -> Combiner:
        """A copy with other report and automatic-fix thresholds (probabilities in [0, 1])."""
        return Combiner(self.model, threshold, auto_fix_threshold, self.features, self.decider,
                        self.floor)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """The ranker's probability that each candidate is the intended character, one per row
        of `features` (shape (n, len(FEATURES)), no NaN); without a decider, also the
        probability of the finding it would make."""
        return _sigmoid(self.model.logits(features))

    def decided(self, top: np.ndarray, ranked: np.ndarray) -> np.ndarray:
        """(n,) the probability that each of n positions holds an error whose fix is its top
        candidate. top: (n, len(FEATURES)) the features of each position's top-ranked row;
        ranked: (n,) their ranker probabilities (`probabilities`). Under `floor` (and without a
        decider) that is the ranker's; from it on, the decider's, never below `floor`."""
        if self.decider is None or not len(ranked):
            return ranked
        final = np.array(ranked, dtype=np.float64)
        passed = final >= self.floor
        if passed.any():
            final[passed] = np.maximum(_sigmoid(self.decider.logits(top[passed])), self.floor)
        return final

    def upper_bound(self, features: np.ndarray) -> np.ndarray:
        """(rows,) the largest probability a position can reach with each row as its top
        candidate, whatever the generator says."""
        ranked = _sigmoid(self.model.logits(_at_generator_bound(self.model, features)))
        if self.decider is None:
            return ranked
        # Under the floor a row keeps the ranker's probability; from it on, the decider's
        # (asked only there: most rows never reach the floor).
        passed = ranked >= self.floor
        if passed.any():
            decided = _sigmoid(self.decider.logits(_at_generator_bound(self.decider,
                                                                       features[passed])))
            ranked[passed] = np.maximum(decided, self.floor)
        return ranked

    # -- storage (electra_lsp.json) --------------------------------------------------------
    def to_json(self) -> dict:
        """The combiner as stored in a model's electra_lsp.json under "combiner"."""
        stored = {
            "kind": self.model.kind,
            "features": list(self.features),
            **self.model.to_json(),
            "threshold": round(self.threshold, 4),
            "autoFixThreshold": round(self.auto_fix_threshold, 4),
        }
        if self.decider is not None:
            stored["decider"] = {"kind": self.decider.kind, **self.decider.to_json()}
            stored["floor"] = self.floor
        return stored

    @classmethod
    def from_json(cls, data: object) -> Combiner:
        """The combiner stored by `to_json`; raises CombinerError when malformed."""
        if not isinstance(data, dict):
            raise CombinerError("combiner must be a JSON object")
        try:
            decider = data.get("decider")
            return cls(
                model=_model_from_json(data),
                threshold=float(data["threshold"]),
                auto_fix_threshold=float(data["autoFixThreshold"]),
                features=tuple(str(f) for f in data["features"]),
                decider=None if decider is None else _model_from_json(decider),
                floor=float(data.get("floor", 0.0)),
            )
        except (KeyError, TypeError, ValueError, IndexError) as error:
            if isinstance(error, CombinerError):
                raise
            raise CombinerError(f"combiner is incomplete or malformed: {error!r}") from None


FLOOR = 0.1  # ranker probability from which the decider decides (the value cross-validated)
TREES = 400  # with 31 leaves and rate 0.05: the best of a small grid on the tune set


def fit_combiner(features: np.ndarray, labels: np.ndarray,
                 sample_weight: Sequence[float] | None, kind: str = "trees",
                 threshold: float = 0.5, auto_fix_threshold: float = 0.9,
                 floor: float | None = FLOOR, groups: np.ndarray | None = None) -> Combiner:
    """Fit the combiner with scikit-learn: the ranker on every row, then (floor not None) the
    decider on each group's top-ranked row when the ranker gives it at least `floor`.

    kind "trees": HistGradientBoostingClassifier (generator features monotonic increasing);
    "logistic": LogisticRegression (lbfgs, L2). features: (rows, len(FEATURES)) without NaN;
    labels: (rows,) 1 where the candidate is the intended character; groups: (rows,) one id
    per position (its candidates share it), required with a floor. When those top rows hold
    one class only (too little data), the ranker decides alone (`decider` None). Raises
    ImportError naming the extra when scikit-learn is missing, ValueError for an unknown kind
    or missing groups.
    """
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    ranker = _fit_model(kind, features, labels, weights)
    combiner = Combiner(ranker, threshold, auto_fix_threshold)
    if floor is None:
        return combiner
    if groups is None or len(groups) != len(labels):
        raise ValueError("fitting a decider needs the position (group) of every row")
    ranked = combiner.probabilities(features)
    top = top_rows(ranked, np.asarray(groups))
    top = top[ranked[top] >= floor]
    if labels[top].min(initial=1) == labels[top].max(initial=0):
        return combiner  # one class to learn (little data): the ranker decides alone
    decider = _fit_model(kind, features[top], labels[top],
                         None if weights is None else weights[top])
    return Combiner(ranker, threshold, auto_fix_threshold, FEATURES, decider, floor)


def top_rows(ranked: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The row of each group with the highest `ranked` value (ties: the first row), in group
    order. ranked, groups: (rows,)."""
    order = np.lexsort((np.arange(len(ranked)), -ranked, groups))
    first = np.ones(len(order), dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    return order[first]


def _fit_model(kind: str, features: np.ndarray, labels: np.ndarray,
               sample_weight: np.ndarray | None) -> LinearModel | TreeEnsemble:
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise ImportError("fitting a combiner needs scikit-learn: pip install "
                          "'electra-lsp[tune]'") from None
    if kind == "logistic":
        linear = LogisticRegression(max_iter=2000)
        linear.fit(features, labels, sample_weight=sample_weight)
        return LinearModel([float(c) for c in linear.coef_[0]], float(linear.intercept_[0]))
    if kind == "trees":
        monotonic = [0] * len(FEATURES)
        for column in GENERATOR_COLUMNS:
            monotonic[column] = 1
        boosted = HistGradientBoostingClassifier(
            max_iter=TREES, learning_rate=0.05, max_leaf_nodes=31, min_samples_leaf=40,
            l2_regularization=1.0, monotonic_cst=monotonic, early_stopping=False,
            random_state=0)
        boosted.fit(features, labels, sample_weight=sample_weight)
        return _export_trees(boosted)
    raise ValueError(f"unknown combiner kind {kind!r}")


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def _at_generator_bound(model: LinearModel | TreeEnsemble, features: np.ndarray) -> np.ndarray:
    """A copy of `features` with the generator's columns where `model` is highest."""
    bound = features.copy()
    for column in GENERATOR_COLUMNS:
        low, high = CLIP[FEATURES[column]]
        bound[:, column] = high if model.generator_increasing(column) else low
    return bound


def _model_from_json(data: dict) -> LinearModel | TreeEnsemble:
    kind = data.get("kind", "logistic")
    models = {"logistic": LinearModel, "trees": TreeEnsemble}
    if kind not in models:
        raise CombinerError(f"unknown combiner kind {kind!r}")
    return models[kind].from_json(data)


def _export_trees(boosted) -> TreeEnsemble:
    """Our flat arrays from a fitted HistGradientBoostingClassifier (its per-tree `nodes`
    records; tests check that the export predicts what scikit-learn predicts)."""
    roots, feature, threshold, left, right, value = [], [], [], [], [], []
    for (predictor,) in boosted._predictors:
        nodes = predictor.nodes
        offset = len(feature)
        roots.append(offset)
        for node in nodes:
            leaf = bool(node["is_leaf"])
            feature.append(0 if leaf else int(node["feature_idx"]))
            threshold.append(0.0 if leaf else float(node["num_threshold"]))
            left.append(-1 if leaf else offset + int(node["left"]))
            right.append(-1 if leaf else offset + int(node["right"]))
            value.append(float(node["value"]) if leaf else 0.0)
    baseline = float(np.ravel(boosted._baseline_prediction)[0])
    return TreeEnsemble(baseline, roots, feature, threshold, left, right, value)


def _onnx_trees(trees: TreeEnsemble):  # -> onnxruntime.InferenceSession | None
    """The ensemble as an ONNX TreeEnsembleRegressor (ai.onnx.ml), or None without ONNX
    Runtime. Thresholds become float32 like the features, on both sides of each comparison."""
    try:
        import onnxruntime
        from onnx import TensorProto, helper
    except ImportError:
        return None
    tree_of = np.searchsorted(trees.roots, np.arange(len(trees.feature)), side="right") - 1
    local = np.arange(len(trees.feature)) - trees.roots[tree_of]
    branch = ~trees.leaf
    node = helper.make_node(
        "TreeEnsembleRegressor", ["features"], ["logits"], domain="ai.onnx.ml", n_targets=1,
        aggregate_function="SUM", base_values=[trees.baseline],
        nodes_treeids=tree_of.tolist(), nodes_nodeids=local.tolist(),
        nodes_featureids=trees.feature.tolist(),
        nodes_values=trees.threshold.astype(np.float32).tolist(),
        nodes_modes=["BRANCH_LEQ" if b else "LEAF" for b in branch],
        nodes_truenodeids=np.where(branch, trees.left - trees.roots[tree_of], 0).tolist(),
        nodes_falsenodeids=np.where(branch, trees.right - trees.roots[tree_of], 0).tolist(),
        target_ids=[0] * int(trees.leaf.sum()), target_nodeids=local[trees.leaf].tolist(),
        target_treeids=tree_of[trees.leaf].tolist(),
        target_weights=trees.value[trees.leaf].tolist())
    graph = helper.make_graph(
        [node], "combiner",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, len(FEATURES)])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [None, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("ai.onnx.ml", 3)])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # small batches; the models use the other threads
    return onnxruntime.InferenceSession(model.SerializeToString(), options,
                                        providers=["CPUExecutionProvider"])
