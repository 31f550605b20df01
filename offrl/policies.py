"""Recommender policies: functions from a batch of observations to action probabilities.

A policy is any callable ``policy(obs) -> probs`` where ``obs`` has shape ``(n, obs_dim)`` and
``probs`` has shape ``(n, num_candidates)`` with rows summing to 1. Most are memoryless (the
probabilities depend on ``obs`` only); a policy *with memory* also has a ``reset()`` method,
which :func:`offrl.simulator.rollout` calls before the first step of new users, and is then
called once per step in order (e.g. :class:`offrl.planning.PlannedPolicy`). Off-policy
estimators call policies on logged observations in any order: they need memoryless policies. The classes here are the
course's reference policies; a trained RLlib module becomes one as
:class:`offrl.marwil.MLPPolicy`.

* :class:`UniformRandom`   - every item with probability 1/K.
* :class:`GreedySweetest`  - always the sweetest item (myopic: best immediate reward).
* :class:`SoftmaxSweetness`- ``pi(a|s) = softmax(sweetness / temperature)``: the business's
  "engagement-maximising" recommender and the course's logging (behaviour) policy.
* :class:`SugarAware`      - sweet items while the user's sugar is low, mild ones when it is
  high; needs the sugar level (or a history) in the observation.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from offrl.env import EnvConfig

Policy = Callable[[np.ndarray], np.ndarray]


#: :func:`softmax` of rows with at most this many actions works on a transposed copy (below).
_FEW_ACTIONS = 7


def softmax(logits: np.ndarray, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Numerically stable ``softmax(logits / temperature)`` along ``axis``:
    ``exp(z - max z) / sum exp(z - max z)`` with ``z = logits / temperature``, in float64.

    A batch of rows with few actions (2-D, last axis, at most :data:`_FEW_ACTIONS` columns) is
    computed on a transposed copy, one contiguous row per action, and returned as a transposed
    view: numpy reduces over a short last axis ~10x slower than across contiguous rows. The
    numbers are the same bit for bit (the max is exact, the exponentials are elementwise, and
    both layouts add the K terms of a row in order: numpy sums fewer than 8 terms sequentially).
    """
    x = np.asarray(logits)
    dtype = np.result_type(x.dtype, np.float64)
    if x.ndim == 2 and axis in (-1, 1) and 0 < x.shape[1] <= _FEW_ACTIONS:
        z = np.empty(x.shape[::-1], dtype)  # z[k] = logits of action k for every row
        if temperature != 1.0:  # converts and divides in one pass, the same numbers
            np.divide(x.T, temperature, out=z, dtype=dtype)
        else:
            z[...] = x.T
        z -= np.maximum.reduce(z, axis=0)
        np.exp(z, out=z)
        z /= np.add.reduce(z, axis=0)
        return z.T
    z = x.astype(dtype) / temperature if temperature != 1.0 else x.astype(dtype)
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _check_obs(obs: np.ndarray, config: EnvConfig, convert: bool = True) -> np.ndarray:
    """``obs`` as an array of shape ``(n, obs_dim)``: float64 (a copy if needed), or with
    ``convert=False`` a float array as it is (for a policy that reads a few columns and converts
    only those)."""
    obs = np.asarray(obs)
    if convert or obs.dtype.kind != "f":
        obs = obs.astype(np.float64, copy=False)
    if obs.ndim != 2 or obs.shape[1] != config.obs_dim:
        raise ValueError(
            f"expected a batch of observations of shape (n, {config.obs_dim}) for obs_mode="
            f"{config.obs_mode!r}, got shape {obs.shape}"
        )
    return obs


def estimate_sugar(obs: np.ndarray, config: EnvConfig) -> np.ndarray:
    """The user's sugar level as far as the observation tells it, shape ``(n,)``.

    ``"sugar"`` mode observes it; ``"history"`` mode rebuilds it from the last recommendations,
    ``s = sum_j alpha**j * (1 - alpha) * h_j`` (exact up to ``alpha**history_len`` of older
    sugar); ``"sweetness"`` mode cannot know it.
    """
    obs = _check_obs(obs, config)
    k = config.num_candidates
    if config.obs_mode == "sugar":
        return obs[:, k]
    if config.obs_mode == "history":
        decay = config.alpha ** np.arange(config.history_len)
        return (1.0 - config.alpha) * obs[:, k:] @ decay
    raise ValueError("obs_mode='sweetness' does not contain the sugar level or a history")


class UniformRandom:
    """``pi(a|s) = 1/K`` for every item."""

    def __init__(self, config: EnvConfig):
        self.config = config

    def __call__(self, obs):
        obs = _check_obs(obs, self.config)
        k = self.config.num_candidates
        return np.full((len(obs), k), 1.0 / k)

    def __repr__(self):
        return "UniformRandom()"


class GreedySweetest:
    """``pi(a|s) = 1`` for ``a = argmax_i sweetness_i`` (ties: the first)."""

    def __init__(self, config: EnvConfig):
        self.config = config

    def __call__(self, obs):
        obs = _check_obs(obs, self.config)
        best = np.argmax(self.config.sweetness(obs), axis=1)
        probs = np.zeros((len(obs), self.config.num_candidates))
        probs[np.arange(len(obs)), best] = 1.0
        return probs

    def __repr__(self):
        return "GreedySweetest()"


class SoftmaxSweetness:
    """``pi(a|s) = exp(sweetness_a / tau) / sum_i exp(sweetness_i / tau)``.

    Small ``temperature`` (tau) approaches :class:`GreedySweetest`; large tau approaches
    :class:`UniformRandom`. Every item keeps a positive probability, which is what makes it
    usable as a logging policy for importance sampling.
    """

    def __init__(self, config: EnvConfig, temperature: float = 0.2):
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature!r}")
        self.config = config
        self.temperature = float(temperature)

    def __call__(self, obs):
        obs = _check_obs(obs, self.config, convert=False)  # softmax converts the K it reads
        return softmax(self.config.sweetness(obs), temperature=self.temperature)

    def __repr__(self):
        return f"SoftmaxSweetness(temperature={self.temperature})"


class SugarAware:
    """Sweet items while the user has room for them, mild ones once sugar builds up.

    Recommending sweetness ``x`` pays ``(1 - s) x`` now and adds ``(1 - alpha) x`` to the sugar
    level, which costs roughly ``x * m`` of future reward, where ``m`` is the sweetness the user
    will typically be given later. Scoring each item by ``x * (1 - s - threshold)`` with
    ``threshold = m`` therefore picks the sweetest item while ``s < 1 - threshold`` and the least
    sweet one otherwise. ``temperature > 0`` softens the choice into a softmax over the scores
    (a stochastic policy); ``temperature = 0`` is the deterministic rule.
    """

    def __init__(self, config: EnvConfig, threshold: float = 0.5, temperature: float = 0.0):
        if config.obs_mode == "sweetness":
            raise ValueError(
                "SugarAware needs the user's state in the observation: obs_mode 'sugar' or "
                "'history', not 'sweetness'"
            )
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature!r}")
        self.config = config
        self.threshold = float(threshold)
        self.temperature = float(temperature)

    def __call__(self, obs):
        obs = _check_obs(obs, self.config)
        sugar = estimate_sugar(obs, self.config)
        scores = self.config.sweetness(obs) * (1.0 - sugar - self.threshold)[:, None]
        if self.temperature > 0:
            return softmax(scores, temperature=self.temperature)
        probs = np.zeros_like(scores)
        probs[np.arange(len(obs)), np.argmax(scores, axis=1)] = 1.0
        return probs

    def __repr__(self):
        return f"SugarAware(threshold={self.threshold}, temperature={self.temperature})"


def sample_actions(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw one action per row of ``probs`` (shape ``(n, K)``) by inverting the CDF."""
    probs = np.asarray(probs, dtype=np.float64)
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cdf[:, -1]
    actions = (u[:, None] >= cdf).sum(axis=1)
    return np.minimum(actions, probs.shape[1] - 1)


def behaviour_policy(config: EnvConfig) -> SoftmaxSweetness:
    """The course's logging policy: the sweetness-seeking softmax at temperature 0.2."""
    return SoftmaxSweetness(config, temperature=0.2)
