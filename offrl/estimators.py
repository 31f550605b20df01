"""Off-policy estimators: the value of a target policy pi from episodes logged by a behaviour
policy mu, vectorised over episodes and steps.

Notation, for logged episode i with steps t = 0..T_i-1, reward r_it and discount gamma:

    rho_it = pi(a_it | s_it) / mu(a_it | s_it)          per-step importance ratio
    w_it   = prod_{t' <= t} rho_it'                      cumulative importance weight
    G_i    = sum_t gamma**t r_it                          the episode's return
    W_i    = w_i,T_i-1                                    the whole trajectory's weight

Every estimator is an object with one method, ``estimate(episodes, target) -> Estimate``, where
``target`` is a policy (``obs -> probs``) or the array ``pi(a_it | s_it)`` of the logged
actions, shape ``(num_episodes, max_len)``. The names of RLlib's old-stack estimators are
misleading: RLlib's ``ImportanceSampling`` is :class:`PerDecisionIS` and its
``WeightedImportanceSampling`` is :class:`PerDecisionWIS` (checked to 1e-6 in the tests).
:func:`rllib_summary` gives RLlib's summary figures (v_behavior, v_target, v_gain, v_delta).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from offrl.dataset import Episodes
from offrl.simulator import discounts


class OPEError(ValueError):
    """Input that makes an off-policy estimate undefined or meaningless."""


@dataclass(frozen=True)
class Estimate:
    """An estimate of the target policy's value.

    ``per_episode`` holds one term per logged episode whose mean is ``value`` (for
    :class:`WeightedIS` the delta-method terms ``V + W_i / mean(W) * (G_i - V)``, which account
    for the randomness of the normaliser); ``stderr = std(per_episode, ddof=1) / sqrt(n)`` (NaN
    for one episode; for :class:`PerDecisionWIS` it ignores the randomness of the normalisers: a
    rough guide). ``ess`` is the effective sample size of the trajectory weights.

    The standard error is computed from the same episodes as the estimate: when a few episodes
    carry all the weight (small ``ess``) it is as unreliable as the estimate itself, and an
    estimate of 0 from vanishing weights comes with a standard error of about 0.
    """

    name: str
    value: float
    per_episode: np.ndarray
    stderr: float
    ess: float

    def __str__(self):
        return f"{self.name}: {self.value:.3f} ± {self.stderr:.3f} (ESS {self.ess:.1f})"

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """The normal-approximation confidence interval ``value ± z * stderr`` with ``z`` the
        standard normal quantile for ``level`` (1.96 for 0.95). It assumes the mean of the
        per-episode terms is roughly normal, which needs many *effective* episodes: with a
        small ESS its coverage can be far below ``level``. NaN for a single episode."""
        return normal_interval(self.value, self.stderr, level)


def normal_interval(value: float, stderr: float, level: float = 0.95) -> tuple[float, float]:
    """``(value - z * stderr, value + z * stderr)`` with ``z = Phi^-1((1 + level) / 2)``, the
    two-sided normal interval at confidence ``level`` in (0, 1)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return float(value - z * stderr), float(value + z * stderr)


#: A policy's probabilities for one observation must sum to 1 within this (float32 softmax
#: rounding is ~1e-7 per action, so 1e-4 leaves a wide margin for K up to hundreds; logits or
#: unnormalised scores miss it by far).
POLICY_SUM_ATOL = 1e-4
#: Cumulative importance weights above 1e150 are rejected: float64 overflows at ~1.8e308 and the
#: ESS and the standard error square the weights (times returns), so W**2 <= 1e300 leaves 1e8 of
#: headroom. Real weights are nowhere near (at most ~1e2 for the course's policies on the
#: canonical data), and an estimate dominated by a weight of 1e150 means nothing anyway.
MAX_WEIGHT = 1e150
#: A policy is called on blocks of whole episodes, about this many observations at a time. The
#: block's temporaries (observations, probabilities: ~100 bytes per step) then stay in the CPU
#: cache and their memory is reused from block to block; one call on a million observations
#: would page-fault ~100 MB of fresh memory, which costs more than the arithmetic.
BLOCK_STEPS = 1 << 14

# How the checks are made fast: every check first runs as a whole-array reduction (a min or a
# max, no temporaries; NaN fails every comparison), and only if that fails is the exact check
# run on the real steps, to raise an error that names the first bad one (or to find that the
# offending values are all in the padding, which is fine).


_TINY = float(np.nextafter(0.0, 1.0))  # the smallest positive float


def _eps_name(eps_id) -> str:
    eps_id = eps_id.item() if isinstance(eps_id, np.generic) else eps_id
    return json.dumps(eps_id) if isinstance(eps_id, str) else str(eps_id)


def _first(bad: np.ndarray) -> tuple[int, int]:
    i, t = np.argwhere(bad)[0]
    return int(i), int(t)


def _where(episodes: Episodes, bad: np.ndarray, first_episode: int = 0) -> str:
    """``file:line, episode E step t`` of the first True entry of ``bad`` (rows of ``bad`` are
    episodes from ``first_episode`` on; no file part for episodes that did not come from a
    file)."""
    i, t = _first(bad)
    i += first_episode
    line = int(episodes.line[i, t])
    src = f"{episodes.source}:{line}, " if line else ""
    return f"{src}episode {_eps_name(episodes.eps_id[i])} step {t}"


def _finite(x: np.ndarray) -> bool:
    """Every entry finite (fast path: min and max propagate NaN; inf is their value)."""
    return x.size == 0 or bool(np.isfinite(x.min()) and np.isfinite(x.max()))


def _within(x: np.ndarray, lo: float, hi: float) -> bool:
    """Every entry in ``[lo, hi]`` (fast path; False for NaN)."""
    return x.size == 0 or bool(lo <= x.min() and x.max() <= hi)


def _check_shapes(episodes: Episodes) -> None:
    """The arrays of ``episodes`` agree on (episodes, steps)."""
    shape = np.shape(episodes.mask)
    if len(shape) != 2:
        raise OPEError(f"the episodes' mask must have shape (episodes, steps), got {shape}")
    for name in ("actions", "rewards", "action_prob", "line"):
        if np.shape(getattr(episodes, name)) != shape:
            raise OPEError(
                f"the episodes are inconsistent: {name} has shape "
                f"{np.shape(getattr(episodes, name))} but mask has shape {shape} (episodes, steps)"
            )
    if np.ndim(episodes.obs) != 3 or np.shape(episodes.obs)[:2] != shape:
        raise OPEError(
            f"the episodes are inconsistent: obs has shape {np.shape(episodes.obs)}, expected "
            f"{shape + ('obs_dim',)}"
        )
    if np.shape(episodes.eps_id) != shape[:1]:
        raise OPEError(
            f"the episodes are inconsistent: eps_id has shape {np.shape(episodes.eps_id)} but "
            f"mask has {shape[0]} episodes"
        )


def _check_episodes(episodes: Episodes) -> None:
    """The arrays of ``episodes`` agree on (episodes, steps); the data the estimators use are
    valid on every real step."""
    _check_shapes(episodes)
    if len(episodes) == 0 or not episodes.mask.any():
        raise OPEError("the dataset is empty: no episodes to estimate from")
    m = episodes.mask
    r = np.asarray(episodes.rewards)
    if r.dtype.kind != "f" or not _finite(r):
        r = r.astype(np.float64)
        bad = ~np.isfinite(r) & m
        if np.any(bad):
            raise OPEError(
                f"reward {float(r[_first(bad)])!r} is not a finite number at {_where(episodes, bad)}"
            )
    mu = np.asarray(episodes.action_prob)
    if mu.dtype.kind != "f" or not _within(mu, _TINY, 1.0):
        mu = mu.astype(np.float64)
        bad = ~((mu > 0) & (mu <= 1)) & m
        if np.any(bad):
            v = float(mu[_first(bad)])
            why = (
                "a behaviour policy cannot take an action it gives probability 0, so the logged "
                "probabilities are wrong (and pi/mu would be infinite)" if v == 0
                else "not a probability in (0, 1]"
            )  # fmt: skip
            raise OPEError(f"behaviour probability {v!r} at {_where(episodes, bad)}: {why}")


def _blocks(episodes: Episodes) -> list[slice]:
    """Slices of whole episodes with about :data:`BLOCK_STEPS` steps each."""
    n, T = episodes.mask.shape
    size = max(1, BLOCK_STEPS // max(T, 1))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _policy_block(policy, episodes: Episodes, block: slice) -> np.ndarray:
    """``pi(a_it | s_it)`` for the episodes of ``block`` (1 on padding), shape ``(b, max_len)``,
    after checking that the policy returned one row of action probabilities per observation."""
    obs = episodes.obs[block]
    b, T, d = obs.shape
    out = policy(obs.reshape(b * T, d))
    if isinstance(out, np.ndarray) and out.dtype.kind == "f":
        probs = out  # float32 stays float32 here; the picked entries are converted exactly
    else:
        try:
            probs = np.asarray(out, dtype=np.float64)
        except (TypeError, ValueError):
            raise OPEError(
                f"the policy returned {type(out).__name__}, not an array of probabilities"
            ) from None
    if probs.ndim != 2 or probs.shape[0] != b * T:
        raise OPEError(
            f"the policy returned probabilities of shape {probs.shape} for {b * T} observations, "
            f"expected ({b * T}, K): one row of action probabilities per observation"
        )
    m = episodes.mask[block]
    actions = np.asarray(episodes.actions[block])
    k = probs.shape[1]
    if not _within(actions, 0, k - 1):
        bad = ((actions >= k) | (actions < 0)) & m
        if np.any(bad):
            raise OPEError(
                f"the policy gives probabilities for {k} action{'s' if k != 1 else ''} (0 to "
                f"{k - 1}), but the action logged at {_where(episodes, bad, block.start)} is "
                f"{int(actions[_first(bad)])}: is it a policy for another environment?"
            )
        actions = np.where(m, actions, 0)  # out-of-range actions only in the padding
    sums = np.add.reduce(probs, axis=1)
    if not (_within(probs, 0.0, 1.0) and _within(sums, 1.0 - POLICY_SUM_ATOL, 1.0 + POLICY_SUM_ATOL)):
        _check_probability_rows(probs, episodes, block)
    picked = _pick(probs, actions.reshape(-1)).reshape(b, T)
    return picked.astype(np.float64, copy=False) if m.all() else np.where(m, picked, 1.0)


def _pick(probs: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """``probs[i, actions[i]]`` for every row ``i`` (a flat ``take`` where the layout allows:
    ~3x faster than fancy indexing)."""
    n, k = probs.shape
    if probs.T.flags.c_contiguous:  # one row per action, e.g. offrl.policies.softmax's result
        return probs.T.reshape(-1).take(actions * n + _arange(n, 1))
    if probs.flags.c_contiguous:
        return probs.reshape(-1).take(_arange(n, k) + actions)
    return probs[_arange(n, 1), actions]


@lru_cache(maxsize=8)
def _arange(n: int, step: int) -> np.ndarray:
    """``np.arange(0, n * step, step)``, read-only and cached (blocks repeat their size)."""
    a = np.arange(0, n * step, step)
    a.flags.writeable = False
    return a


def _check_probability_rows(probs: np.ndarray, episodes: Episodes, block: slice) -> None:
    """Raise for the first real step of ``block`` whose row of ``probs`` is not a probability
    distribution over the actions."""
    m = episodes.mask[block]
    rows = np.asarray(probs, dtype=np.float64).reshape(*m.shape, -1)
    where = lambda bad: _where(episodes, bad, block.start)  # noqa: E731
    show = lambda i, t: np.array2string(rows[i, t], precision=4, threshold=8)  # noqa: E731
    bad = ~np.all(np.isfinite(rows), axis=2) & m
    if np.any(bad):
        raise OPEError(
            f"the policy's probabilities are not all finite at {where(bad)}: {show(*_first(bad))}"
        )
    sums = rows.sum(axis=2)
    bad = (np.abs(sums - 1.0) > POLICY_SUM_ATOL) & m
    if np.any(bad):
        raise OPEError(
            f"the policy's probabilities sum to {float(sums[_first(bad)]):.6g}, not 1, at "
            f"{where(bad)}: {show(*_first(bad))} (logits or scores instead of "
            "probabilities? apply a softmax)"
        )
    bad = np.any((rows < 0) | (rows > 1), axis=2) & m
    if np.any(bad):
        raise OPEError(
            f"the policy's probabilities are not all in [0, 1] at {where(bad)}: "
            f"{show(*_first(bad))}"
        )


def target_action_probs(policy, episodes: Episodes) -> np.ndarray:
    """``pi(a_it | s_it)``: the target policy's probability of every logged action (1 on
    padding), shape ``(n, max_len)``.

    ``policy(obs) -> probs`` is called on blocks of whole episodes (about
    :data:`BLOCK_STEPS` observations at a time) and must return one row of action probabilities
    per observation (finite, in [0, 1], summing to 1, one entry per action); an :class:`OPEError`
    names the first logged step where it does not.
    """
    _check_shapes(episodes)
    return _action_probs(policy, episodes)


def _action_probs(policy, episodes: Episodes) -> np.ndarray:
    if len(episodes) * episodes.mask.shape[1] <= BLOCK_STEPS:
        return _policy_block(policy, episodes, slice(0, len(episodes)))
    out = np.empty(episodes.mask.shape)
    for block in _blocks(episodes):
        out[block] = _policy_block(policy, episodes, block)
    return out


def _target_probs(episodes: Episodes, target) -> np.ndarray:
    """``pi(a_it | s_it)`` from a policy or an array, checked, 1 on padding."""
    _check_episodes(episodes)
    shape = episodes.actions.shape
    if target is None:
        raise OPEError("no target given: pass a policy (obs -> probs) or the array pi(a_it | s_it)")
    if callable(target):
        return _action_probs(target, episodes)
    try:
        p = np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError):
        try:
            kind = "string" if np.asarray(target).dtype.kind in "US" else "non-numeric"
            why = f"it holds {kind} values, not numbers"
        except ValueError:
            why = "its rows have different lengths"
        raise OPEError(
            f"target probabilities must be a policy (obs -> probs) or an array of numbers of "
            f"shape {shape} (episodes, steps), but {why}"
        ) from None
    if p.shape != shape:
        raise OPEError(
            f"target probabilities have shape {p.shape} but the episodes have shape {shape} "
            "(episodes, steps): pass a policy (obs -> probs) or one probability per logged step"
        )
    m = episodes.mask
    if not _within(p, 0.0, 1.0):
        bad = ~np.isfinite(p) & m
        if np.any(bad):
            raise OPEError(
                f"target probability {float(p[_first(bad)])!r} is not a finite number at "
                f"{_where(episodes, bad)}"
            )
        bad = ((p < 0) | (p > 1)) & m
        if np.any(bad):
            raise OPEError(
                f"target probability {float(p[_first(bad)])!r} outside [0, 1] at "
                f"{_where(episodes, bad)}"
            )
    return p if m.all() else np.where(m, p, 1.0)


def importance_ratios(episodes: Episodes, target) -> np.ndarray:
    """``rho_it = pi(a_it|s_it) / mu(a_it|s_it)``, 1 on padding; shape ``(n, max_len)``."""
    p = _target_probs(episodes, target)
    m = episodes.mask
    if not m.all():
        return np.where(m, p / np.where(m, episodes.action_prob, 1.0), 1.0)
    if callable(target):  # p was made from the policy here, so it can be divided in place
        return np.divide(p, episodes.action_prob, out=p)
    return p / episodes.action_prob  # p may be the caller's own array (or a view of it)


def _cumprod_steps(x: np.ndarray) -> np.ndarray:
    """``np.cumprod(x, axis=1)`` in place, the same numbers: for many episodes one step (column)
    at a time, which multiplies many episodes at once instead of walking each row (~3x faster
    from a few hundred episodes on)."""
    if x.shape[0] < 256:
        return np.cumprod(x, axis=1, out=x)
    for t in range(1, x.shape[1]):
        np.multiply(x[:, t - 1], x[:, t], out=x[:, t])
    return x


def cumulative_weights(episodes: Episodes, target) -> np.ndarray:
    """``w_it = prod_{t'<=t} rho_it'``; padding repeats the last weight. Shape ``(n, max_len)``.

    Raises :class:`OPEError` where a weight exceeds :data:`MAX_WEIGHT` (see there)."""
    w = _cumprod_steps(importance_ratios(episodes, target))
    if not w.max() <= MAX_WEIGHT:  # padding repeats real weights, so it cannot exceed alone
        bad = ~(w <= MAX_WEIGHT) & episodes.mask
        raise OPEError(
            f"importance weight overflows (exceeds 1e150) at {_where(episodes, bad)}: "
            "the behaviour policy gave the logged actions far lower probability than the target "
            "policy does, so no importance-sampling estimate is meaningful there"
        )
    return w


def trajectory_weights(episodes: Episodes, target) -> np.ndarray:
    """``W_i = prod_t rho_it`` over the whole episode, shape ``(n,)``."""
    return cumulative_weights(episodes, target)[:, -1]


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum_i W_i)**2 / sum_i W_i**2`` (n when all weights are
    equal, 1 when one episode carries all the weight, 0 when all weights are 0)."""
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    sq = float(w @ w)
    return float(np.add.reduce(w)) ** 2 / sq if sq > 0 else 0.0


def _rewards(episodes: Episodes) -> np.ndarray:
    """``r_it``, 0 on padding, shape ``(n, max_len)``."""
    m = episodes.mask
    return episodes.rewards if m.all() else np.where(m, episodes.rewards, 0.0)


def _mean_std(x: np.ndarray, ddof: int = 0) -> tuple[float, float]:
    """``(np.mean(x), np.std(x, ddof=ddof))`` of a 1-D array, the same operations in the same
    order as numpy (so the same bits) without its dispatch layers, which cost more than the
    arithmetic for the few episodes of a lesson."""
    n = len(x)
    mean = np.add.reduce(x) / n
    d = x - mean
    np.multiply(d, d, out=d)
    return float(mean), float(np.sqrt(np.add.reduce(d) / max(n - ddof, 0)))


def _estimate(name, per_episode, weights, value=None) -> Estimate:
    """An Estimate from per-episode terms (their mean is the value unless ``value`` is given,
    e.g. when rounding would make the mean of the terms differ from the estimate's last bit)."""
    n = len(per_episode)
    mean, std = _mean_std(per_episode, ddof=1) if n > 1 else (float(per_episode[0]), float("nan"))
    value = mean if value is None else float(value)
    return Estimate(name, value, per_episode, std / np.sqrt(n), effective_sample_size(weights))


class OnPolicy:
    """The behaviour policy's value from its own log: ``V = mean_i G_i`` (no weights)."""

    name = "on-policy mean"

    def __init__(self, gamma: float = 1.0):
        self.gamma = gamma

    def estimate(self, episodes: Episodes, target=None) -> Estimate:
        if len(episodes) == 0:
            raise OPEError("the dataset is empty: no episodes to estimate from")
        g = episodes.returns(self.gamma)
        return _estimate(self.name, g, np.ones(len(g)))


class TrajectoryIS:
    """Trajectory-wise importance sampling: ``V = (1/n) sum_i W_i G_i``.

    Unbiased, but ``W_i`` is a product of T ratios, so its variance grows exponentially with
    the horizon and a few episodes carry all the weight.
    """

    name = "trajectory IS"

    def __init__(self, gamma: float = 1.0):
        self.gamma = gamma

    def estimate(self, episodes: Episodes, target) -> Estimate:
        W = trajectory_weights(episodes, target)
        return _estimate(self.name, W * episodes.returns(self.gamma), W)


class PerDecisionIS:
    """Per-decision importance sampling: ``V = (1/n) sum_i sum_t gamma**t w_it r_it``.

    Reward r_t only depends on the actions up to t, so it is weighted by ``w_it`` rather than
    the whole ``W_i``: still unbiased, lower variance. RLlib calls this ``ImportanceSampling``.
    """

    name = "per-decision IS"

    def __init__(self, gamma: float = 1.0):
        self.gamma = gamma

    def estimate(self, episodes: Episodes, target) -> Estimate:
        w = cumulative_weights(episodes, target)
        per_episode = (w * _rewards(episodes)) @ discounts(episodes.mask.shape[1], self.gamma)
        return _estimate(self.name, per_episode, w[:, -1])


def _nonzero_total(total, what):
    bad = ~(total > 0)
    if np.any(bad):
        raise OPEError(
            f"all importance weights are 0{what(np.argmax(bad))}: no logged episode follows the "
            "target policy there, so a weighted estimate is undefined (the target policy has no "
            "overlap with the logged actions)"
        )


class WeightedIS:
    """Weighted (self-normalised) trajectory IS: ``V = sum_i W_i G_i / sum_i W_i``.

    Biased (towards the returns of the episodes it re-weights; with one dominant weight it is
    that episode's return) but consistent, and never outside the range of the logged returns.
    Its standard error is the delta-method one (see :class:`Estimate`).
    """

    name = "weighted IS"

    def __init__(self, gamma: float = 1.0):
        self.gamma = gamma

    def estimate(self, episodes: Episodes, target) -> Estimate:
        W = trajectory_weights(episodes, target)
        _nonzero_total(np.array([W.sum()]), lambda _: "")
        r = len(W) * W / W.sum()  # W_i / mean(W): free of any common scale of the weights
        G = episodes.returns(self.gamma)
        value = float(np.mean(r * G))
        # delta method: the estimate is a ratio of two means, so its per-episode influence
        # terms are V + (W_i / mean W) (G_i - V) (their mean is V, their spread the s.e.)
        return _estimate(self.name, value + r * (G - value), W, value=value)


class PerDecisionWIS:
    """Per-decision weighted IS, RLlib's ``WeightedImportanceSampling``:

    ``V = (1/n) sum_i sum_t gamma**t (w_it / wbar_t) r_it`` with ``wbar_t`` the mean of
    ``w_it`` over the episodes that reach step t.
    """

    name = "per-decision WIS"

    def __init__(self, gamma: float = 1.0):
        self.gamma = gamma

    def estimate(self, episodes: Episodes, target) -> Estimate:
        w = cumulative_weights(episodes, target)
        m = episodes.mask
        if m.all():
            wbar = w.sum(axis=0) / len(w)
        else:
            wbar = np.where(m, w, 0.0).sum(axis=0) / m.sum(axis=0)
        _nonzero_total(wbar, lambda t: f" at step {t}")
        d = discounts(episodes.mask.shape[1], self.gamma)
        per_episode = (w * _rewards(episodes)) @ (d / wbar)
        return _estimate(self.name, per_episode, w[:, -1])


ESTIMATORS = (TrajectoryIS, PerDecisionIS, WeightedIS, PerDecisionWIS)


def rllib_summary(estimator, episodes: Episodes, target) -> dict[str, float]:
    """RLlib's old-stack summary for one estimator: ``v_behavior`` (mean on-policy return),
    ``v_target`` (the estimate), their population stds over episodes, ``v_gain =
    v_target / max(v_behavior, 1e-8)`` and ``v_delta = v_target - v_behavior``."""
    est = estimator.estimate(episodes, target)
    v_behavior, v_behavior_std = _mean_std(episodes.returns(estimator.gamma))
    out = {
        "v_behavior": v_behavior,
        "v_behavior_std": v_behavior_std,
        "v_target": est.value,
        "v_target_std": _mean_std(est.per_episode)[1],
    }
    out["v_gain"] = out["v_target"] / max(out["v_behavior"], 1e-8)
    out["v_delta"] = out["v_target"] - out["v_behavior"]
    return out
