"""MARWIL and behaviour cloning from the logged file, and the trained policies as plain numpy.

Lesson 04 trains RLlib's ``MARWIL`` (new API stack) from a JSON Lines file; lesson 05 evaluates
the trained policies off-policy. This module holds what both need, so that neither repeats
plumbing and lesson 05 runs without Ray or torch:

* :func:`training_table` / :func:`write_training_file` - the rows MARWIL trains on: each logged
  transition with its discounted Monte-Carlo return-to-go ``G_t`` as the reward and
  ``terminateds=True``, so that RLlib's value target for the row is exactly ``G_t`` (RLlib turns
  every row of a file into a one-step episode; see ``shared/RLLIB_NOTES.md``).
* :func:`advantage_weights` - MARWIL's weight ``exp(beta * A / c)`` of a logged action, in numpy.
* :func:`sqd_adv_norm_trace` - RLlib's moving average ``c**2`` of the squared advantages.
* :func:`marwil_config` - the course's ``MARWILConfig`` (2-CPU safe, quiet, spaces given by hand).
* :func:`train` - ``algo.train()`` in a loop with a progress bar and a learning curve, then the
  module out through a checkpoint (:func:`module_from_checkpoint`), and Ray's objects released
  cleanly.
* :class:`MLPPolicy` - the trained RLModule's policy network (encoder MLP + ``pi`` head) as numpy
  arrays: ``policy(obs) -> probs`` like every :mod:`offrl.policies` policy.
* :func:`load_trained_policy` - ``"bc"`` or ``"marwil"``, from ``data/<name>_policy.npz``
  (written by ``scripts/train_policies.py``); imports neither Ray nor torch.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from offrl.dataset import RETURN_TO_GO_GAMMA, Episodes, canonical_config, data_dir
from offrl.env import EnvConfig
from offrl.policies import _check_obs, softmax

TRAINED_POLICY_NAMES = ("bc", "marwil")
#: MLPPolicy multiplies at most this many rows at once. Below ~64 rows x 64 x 64 OpenBLAS stays on
#: one thread; larger products use both cores and, on a busy 2-core machine (Ray, a second
#: notebook), were 5-15x slower than the blocked product (measured 11 ms vs 3 ms for 2000 rows).
_ROW_BLOCK = 64
#: The settings lesson 04 arrives at (``scripts/train_policies.py`` trains the shipped policies
#: with them; BC is the same with ``beta = 0``). ``gamma`` is the discount of the return-to-go.
COURSE_SETTINGS = dict(
    gamma=0.8,
    beta=1.0,
    sqd_adv_norm_start=1.0,
    sqd_adv_norm_update_rate=0.05,
    lr=3e-3,
    batch_size=500,
    updates_per_iteration=10,
)
COURSE_ITERATIONS = 20
COURSE_SEED = 0
#: Columns of a MARWIL training row (the names RLlib's new API stack reads).
TRAINING_COLUMNS = ("eps_id", "obs", "actions", "rewards", "new_obs", "terminateds", "truncateds")
_ACTIVATIONS = {
    "linear": lambda x: x,
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "silu": lambda x: x / (1.0 + np.exp(-x)),
}


# --------------------------------------------------------------------------------------------
# The training data


def training_table(episodes: Episodes, gamma: float = RETURN_TO_GO_GAMMA) -> dict[str, np.ndarray]:
    """The logged transitions as MARWIL's training rows, one row per real step (episode order).

    ``rewards`` is the discounted return-to-go ``G_t = sum_{t' >= t} gamma**(t' - t) r_t'`` of
    the step's own episode, ``terminateds`` is all True and ``truncateds`` all False: RLlib then
    computes the value target of every row as exactly ``G_t`` (no bootstrapping from an untrained
    value network). Returns columns :data:`TRAINING_COLUMNS` as arrays of equal length.
    """
    m = episodes.mask
    rtg = episodes.returns_to_go(gamma)
    n = int(m.sum())
    return {
        "eps_id": np.broadcast_to(episodes.eps_id[:, None], m.shape)[m],
        "obs": episodes.obs[m].astype(np.float32),
        "actions": episodes.actions[m].astype(np.int64),
        "rewards": rtg[m].astype(np.float64),
        "new_obs": episodes.new_obs[m].astype(np.float32),
        "terminateds": np.ones(n, dtype=bool),
        "truncateds": np.zeros(n, dtype=bool),
    }


def write_training_file(table: dict[str, np.ndarray], path) -> Path:
    """Write a :func:`training_table` as JSON Lines (the format ``input_read_method="read_json"``
    reads). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i in range(len(table["actions"])):
            f.write(
                json.dumps(
                    {
                        "eps_id": int(table["eps_id"][i]),
                        "obs": [float(x) for x in table["obs"][i]],
                        "actions": int(table["actions"][i]),
                        "rewards": float(table["rewards"][i]),
                        "new_obs": [float(x) for x in table["new_obs"][i]],
                        "terminateds": bool(table["terminateds"][i]),
                        "truncateds": bool(table["truncateds"][i]),
                    }
                )
                + "\n"
            )
    return path


def advantage_weights(returns, values, beta: float, sqd_adv_norm: float) -> np.ndarray:
    """MARWIL's weight of each logged action: ``exp(beta * (G - V) / c)`` with
    ``c = sqrt(sqd_adv_norm)`` (RLlib adds 1e-8 to ``c``; so do we)."""
    advantages = np.asarray(returns, dtype=np.float64) - np.asarray(values, dtype=np.float64)
    return np.exp(beta * advantages / (1e-8 + np.sqrt(sqd_adv_norm)))


def sqd_adv_norm_trace(start: float, rate: float, batch_sqd_adv) -> np.ndarray:
    """RLlib MARWIL's advantage normaliser ``c**2`` along training: before each update ``k`` it
    moves a fraction ``rate`` of the way to that batch's mean squared advantage,
    ``c2 <- c2 + rate * (batch_sqd_adv[k] - c2)``, starting from ``start``; the update's weights
    then use the new value. Returns ``c**2`` as used by each update (float64, one per batch)."""
    a = np.asarray(batch_sqd_adv, dtype=np.float64).reshape(-1)
    out = np.empty_like(a)
    c2 = float(start)
    for k in range(len(a)):
        c2 = c2 + rate * (a[k] - c2)
        out[k] = c2
    return out


# --------------------------------------------------------------------------------------------
# The trained policy as numpy


class MLPPolicy:
    """A policy network as numpy: ``logits = L_k(act(... act(L_1(obs))))``, ``probs =
    softmax(logits)``.

    ``weights[i]`` has shape ``(out, in)`` (torch's ``nn.Linear`` layout), ``biases[i]`` shape
    ``(out,)``; ``activations[i]`` is applied after layer ``i`` (``"linear"`` = none).
    Computation is in float64 on float32 weights.
    """

    def __init__(self, weights, biases, activations, config: EnvConfig | None = None,
                 metadata: dict[str, Any] | None = None):  # fmt: skip
        if not (len(weights) == len(biases) == len(activations) >= 1):
            raise ValueError("need one bias and one activation per weight matrix")
        self.weights = [np.asarray(w, dtype=np.float32) for w in weights]
        self.biases = [np.asarray(b, dtype=np.float32) for b in biases]
        self.activations = [str(a) for a in activations]
        for a in self.activations:
            if a not in _ACTIVATIONS:
                raise ValueError(f"unknown activation {a!r}; known: {sorted(_ACTIVATIONS)}")
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            if w.ndim != 2 or b.shape != (w.shape[0],):
                raise ValueError(f"layer {i}: weight {w.shape} and bias {b.shape} do not match")
            if i and w.shape[1] != self.weights[i - 1].shape[0]:
                raise ValueError(f"layer {i} takes {w.shape[1]} inputs, layer {i - 1} gives "
                                 f"{self.weights[i - 1].shape[0]}")  # fmt: skip
        # float64 copies, transposed for ``x @ W.T`` (computed once, not per call).
        self._layers = [(np.ascontiguousarray(w.T, dtype=np.float64), b.astype(np.float64))
                        for w, b in zip(self.weights, self.biases)]  # fmt: skip
        self.config = config or canonical_config()
        if self.obs_dim != self.config.obs_dim or self.num_actions != self.config.num_candidates:
            raise ValueError(
                f"network maps {self.obs_dim} inputs to {self.num_actions} actions, but the "
                f"recommender has obs_dim {self.config.obs_dim} and "
                f"{self.config.num_candidates} candidates"
            )
        self.metadata = dict(metadata or {})

    @property
    def obs_dim(self) -> int:
        return self.weights[0].shape[1]

    @property
    def num_actions(self) -> int:
        return self.weights[-1].shape[0]

    def logits(self, obs) -> np.ndarray:
        x = _check_obs(obs, self.config)
        if len(x) <= _ROW_BLOCK:
            return self._forward(x)
        return np.concatenate([self._forward(x[i : i + _ROW_BLOCK])
                               for i in range(0, len(x), _ROW_BLOCK)])  # fmt: skip

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for (wt, b), act in zip(self._layers, self.activations):
            x = _ACTIVATIONS[act](x @ wt + b)
        return x

    def __call__(self, obs) -> np.ndarray:
        return softmax(self.logits(obs))

    def __repr__(self):
        sizes = [self.obs_dim] + [w.shape[0] for w in self.weights]
        name = self.metadata.get("name", "")
        return f"MLPPolicy({name + ', ' if name else ''}{'-'.join(map(str, sizes))})"

    # -- conversion from torch and to/from files ------------------------------------------------

    @classmethod
    def from_module(cls, module, config: EnvConfig | None = None, **metadata) -> "MLPPolicy":
        """Copy the policy path of an RLlib torch RLModule (the default PPO/MARWIL module:
        actor encoder MLP, then the ``pi`` head) into numpy."""
        import torch.nn as nn

        encoder = module.encoder
        actor = getattr(encoder, "actor_encoder", None) or encoder.encoder
        names = {nn.Tanh: "tanh", nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.ELU: "elu",
                 nn.SiLU: "silu", nn.Identity: "linear"}  # fmt: skip
        weights, biases, acts = [], [], []
        for part in (actor.net.mlp, module.pi.net.mlp):
            for layer in part:
                if isinstance(layer, nn.Linear):
                    weights.append(layer.weight.detach().cpu().numpy().copy())
                    bias = layer.bias
                    biases.append(
                        np.zeros(layer.out_features, np.float32)
                        if bias is None
                        else bias.detach().cpu().numpy().copy()
                    )
                    acts.append("linear")
                elif type(layer) in names:
                    if not acts or acts[-1] != "linear":
                        raise ValueError(f"activation {layer} does not follow a linear layer")
                    acts[-1] = names[type(layer)]
                else:
                    raise ValueError(f"cannot convert layer {layer!r} to numpy")
        return cls(weights, biases, acts, config, metadata)

    def save(self, path) -> Path:
        """Write the network to a small ``.npz`` (weights, activations and metadata)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            arrays[f"weight_{i}"] = w
            arrays[f"bias_{i}"] = b
        arrays["activations"] = np.array(self.activations)
        arrays["env_config"] = np.array(json.dumps(self.config.to_dict(), sort_keys=True))
        arrays["metadata"] = np.array(json.dumps(self.metadata, sort_keys=True))
        with open(path, "wb") as f:
            np.savez_compressed(f, **arrays)
        return path

    @classmethod
    def load(cls, path, config: EnvConfig | None = None) -> "MLPPolicy":
        """Read a network written by :meth:`save`; ``config`` defaults to the one it was saved
        with."""
        with np.load(path, allow_pickle=False) as z:
            n = sum(1 for k in z.files if k.startswith("weight_"))
            weights = [z[f"weight_{i}"] for i in range(n)]
            biases = [z[f"bias_{i}"] for i in range(n)]
            acts = [str(a) for a in z["activations"]]
            saved_config = EnvConfig(**json.loads(str(z["env_config"])))
            metadata = json.loads(str(z["metadata"]))
        return cls(weights, biases, acts, config or saved_config, metadata)


def trained_policy_path(name: str) -> Path:
    """``data/<name>_policy.npz``."""
    if name not in TRAINED_POLICY_NAMES:
        raise ValueError(f"name must be one of {TRAINED_POLICY_NAMES}, got {name!r}")
    return data_dir() / f"{name}_policy.npz"


def load_trained_policy(name: str, config: EnvConfig | None = None) -> MLPPolicy:
    """The course's trained policy ``"bc"`` (MARWIL with beta = 0) or ``"marwil"``, trained on
    the canonical dataset by ``scripts/train_policies.py``.

    Returns a numpy policy ``obs (n, 6) -> probs (n, 5)`` for :func:`offrl.canonical_config`
    (or ``config``, which must have the same observation and action sizes). Needs neither Ray nor
    torch.
    """
    path = trained_policy_path(name)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python scripts/train_policies.py`")
    return MLPPolicy.load(path, config or canonical_config())


def paired_difference(policy_a, policy_b, config: EnvConfig | None = None,
                      num_episodes: int = 2000, seed: int | None = 12345) -> tuple[float, float]:
    """Mean and standard error of ``return(a) - return(b)`` in the simulator, with both policies
    facing the same simulated users and candidate draws (common random numbers), which makes the
    difference far more precise than two separate evaluations."""
    from offrl.simulator import rollout

    config = config or canonical_config()
    d = (rollout(policy_a, num_episodes, config, seed=seed).returns()
         - rollout(policy_b, num_episodes, config, seed=seed).returns())  # fmt: skip
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(num_episodes))


# --------------------------------------------------------------------------------------------
# Training with RLlib


def marwil_config(
    path,
    config: EnvConfig | None = None,
    *,
    beta: float = 1.0,
    sqd_adv_norm_start: float = 100.0,
    sqd_adv_norm_update_rate: float = 1e-8,
    lr: float = 3e-3,
    batch_size: int = 500,
    updates_per_iteration: int = 10,
    hiddens: tuple[int, ...] = (64, 64),
    vf_coeff: float = 1.0,
    seed: int = 0,
):
    """The course's ``MARWILConfig`` for a training file written by :func:`write_training_file`:
    the configuration lesson 04 writes out and explains field by field.

    ``beta`` and the advantage normaliser default to RLlib's MARWIL defaults (which reduce MARWIL
    to behaviour cloning on such a file); :data:`COURSE_SETTINGS` holds the ones that work.
    ``beta=0`` is behaviour cloning.
    """
    from offrl.ray_setup import offline_data_kwargs, quiet_environment

    quiet_environment()
    from ray.rllib.algorithms.marwil import MARWILConfig
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig

    config = config or canonical_config()
    return (
        MARWILConfig()
        .environment(
            observation_space=config.observation_space(), action_space=config.action_space()
        )
        .offline_data(
            input_=[str(path)],
            input_read_method="read_json",
            dataset_num_iters_per_learner=updates_per_iteration,
            **offline_data_kwargs(),
        )
        .training(
            beta=beta,
            moving_average_sqd_adv_norm_start=sqd_adv_norm_start,
            moving_average_sqd_adv_norm_update_rate=sqd_adv_norm_update_rate,
            vf_coeff=vf_coeff,
            lr=lr,
            train_batch_size_per_learner=batch_size,
        )
        .rl_module(
            model_config=DefaultModelConfig(fcnet_hiddens=list(hiddens), vf_share_layers=False)
        )
        .evaluation(off_policy_estimation_methods={})
        .debugging(seed=seed)
    )


#: Learner metrics :func:`train` records each iteration (when RLlib reports them).
CURVE_KEYS = ("policy_loss", "vf_loss", "vf_explained_variance", "moving_avg_sqd_adv_norm")


@dataclass
class TrainResult:
    """What :func:`train` returns.

    ``policy`` is the trained network as numpy; ``module`` the torch RLModule read back from the
    checkpoint; ``curve`` maps each of :data:`CURVE_KEYS` (that RLlib reported) and ``"value"``
    (simulator return, every ``eval_every`` iterations, else NaN) to one value per iteration;
    ``seconds`` the wall time of build + training.
    """

    policy: MLPPolicy
    module: Any
    curve: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0


def _live_policy(algo, config: EnvConfig) -> MLPPolicy:
    """The learner's current policy as numpy (works for a local learner, ``num_learners=0``)."""
    from ray.rllib.core import DEFAULT_MODULE_ID

    out = algo.learner_group.foreach_learner(
        lambda learner: MLPPolicy.from_module(learner.module[DEFAULT_MODULE_ID], config)
    )
    return next(iter(out)).get()  # RemoteCallResults: one result per learner


def module_from_checkpoint(checkpoint_dir, module_id: str = "default_policy"):
    """The trained RLModule ``module_id`` from a checkpoint written by ``algo.save_to_path``:
    the component ``learner_group/learner/rl_module/<module_id>`` of the algorithm's tree
    (``algo.get_module()`` needs an EnvRunner, which offline training does not have)."""
    from ray.rllib.core.rl_module.rl_module import RLModule

    return RLModule.from_checkpoint(
        os.path.join(str(checkpoint_dir), "learner_group", "learner", "rl_module", module_id)
    )


def train(
    algo_config,
    num_iterations: int,
    config: EnvConfig | None = None,
    *,
    eval_every: int = 0,
    eval_episodes: int = 500,
    eval_seed: int = 0,
    progress: bool = True,
    desc: str = "training",
    checkpoint_dir=None,
    torch_threads: int | None = 1,
) -> TrainResult:
    """Build the algorithm, call ``algo.train()`` ``num_iterations`` times (with a tqdm bar),
    and return the trained policy.

    Every ``eval_every`` iterations (0: never) the current policy is run in the simulator for
    ``eval_episodes`` episodes (seed ``eval_seed``) to draw a learning curve. At the end the
    module is read back through a checkpoint (``algo.get_module()`` does not work offline), the
    data iterators are released and the algorithm is stopped.

    Training is reproducible: Ray Data keeps the rows in order (``preserve_order``, restored
    afterwards) and ``.debugging(seed=...)`` fixes the initial weights.

    The learner runs in this process (``num_learners=0``); ``torch_threads`` limits torch's
    intra-op threads meanwhile (restored afterwards). With the default (one thread per core)
    an update of this small network took 0.2 s instead of 0.014 s on a busy 2-core machine,
    because torch's threads compete with Ray's processes for the two cores.
    """
    import torch
    from ray.data import DataContext

    from offrl.simulator import evaluate_policy

    config = config or canonical_config()
    start = time.perf_counter()
    threads_before = torch.get_num_threads()
    curve = {k: np.full(num_iterations, np.nan) for k in CURVE_KEYS + ("value",)}
    algo = None
    options = DataContext.get_current().execution_options
    order_before = options.preserve_order
    try:
        if torch_threads:
            torch.set_num_threads(torch_threads)
        # Ray Data hands out blocks in completion order by default, so two runs with the same
        # seed saw the batches in different orders (weights differed by ~0.05 after 30
        # updates); in order, a seed reproduces the same weights.
        options.preserve_order = True
        if progress:  # the first iteration sets up Ray Data's pipeline: say so before the wait
            print(f"{desc}: building the algorithm; the first iteration prepares the data "
                  "pipeline and takes about 10 s", flush=True)  # fmt: skip
        algo = algo_config.build_algo()
        steps = range(num_iterations)
        if progress:
            from tqdm.auto import tqdm

            steps = tqdm(steps, desc=desc, unit="it")
        for it in steps:
            result = algo.train()
            learner = result.get("learners", {}).get("default_policy", {})
            for k in CURVE_KEYS:
                if k in learner:
                    curve[k][it] = float(learner[k])
            if eval_every and ((it + 1) % eval_every == 0 or it == num_iterations - 1):
                curve["value"][it] = evaluate_policy(
                    _live_policy(algo, config), config, eval_episodes, seed=eval_seed
                ).mean
        # algo.get_module() needs an EnvRunner, which offline training does not have: read the
        # trained module back from a checkpoint of the learner group instead.
        with tempfile.TemporaryDirectory() as tmp:
            ck = Path(checkpoint_dir or tmp) / "checkpoint"
            algo.save_to_path(str(ck))
            module = module_from_checkpoint(ck)
    finally:
        if algo is not None:
            # Without this, Ray Data's iterator threads outlive the algorithm and print a
            # traceback at exit.
            if getattr(algo, "offline_data", None) is not None:
                algo.offline_data.batch_iterators = None
            algo.stop()
        torch.set_num_threads(threads_before)
        options.preserve_order = order_before
    curve = {k: v for k, v in curve.items() if not np.all(np.isnan(v))}
    policy = MLPPolicy.from_module(module, config)
    return TrainResult(policy, module, curve, time.perf_counter() - start)
