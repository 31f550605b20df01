"""Off-policy evaluation experiments of lesson 05, kept out of the notebook so it stays short.

* :func:`true_values` - every policy's value in the simulator (the ground truth).
* :func:`estimates_vs_truth` - the four reference estimators of :mod:`offrl.estimators` on one
  log, beside the truth, with relative errors and the effective sample size.
* :func:`intervals_vs_truth` - the same estimates with standard errors and normal confidence
  intervals, and whether each interval covers the truth.
* :func:`rllib_comparison` - RLlib's old-stack ``ImportanceSampling`` and
  ``WeightedImportanceSampling`` figures (``v_target``, ``v_gain``) beside the same estimators
  computed by :mod:`offrl`.
* :func:`sweep_num_episodes`, :func:`sweep_horizon` - many fresh logs simulated at run time,
  the estimates against the truth as the log grows or the horizon lengthens (a :class:`Sweep`,
  with ``.plot()`` and ``.summary()``).
* :func:`batched_estimates` - all four estimators at once on arrays with any number of leading
  "repeat" axes: the vectorised engine of the sweeps (checked against :mod:`offrl.estimators`).
* :func:`synthetic_episodes`, :func:`random_case` - small hand-made or random inputs for tests.

Array convention (as in :mod:`offrl.estimators`): ``pi``, ``mu`` and ``rewards`` have shape
``(..., n, T)`` (episodes, steps); ``pi`` and ``mu`` are the target's and the behaviour's
probabilities of the *logged* actions; padding after an episode's end holds ``pi = mu = 1`` and
reward 0.

pandas and matplotlib (both installed with the course's requirements) are imported only by the
functions that return tables or draw.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from offrl.dataset import Episodes
from offrl.env import EnvConfig
from offrl.estimators import ESTIMATORS, OPEError, target_action_probs
from offrl.policies import Policy, behaviour_policy
from offrl.simulator import PolicyValue, discounts, evaluate_policy, rollout

#: The reference estimators' names (as in :mod:`offrl.estimators`) and the short column labels
#: used in tables and plots.
ESTIMATOR_NAMES = ("trajectory IS", "per-decision IS", "weighted IS", "per-decision WIS")
SHORT = {
    "trajectory IS": "traj-IS",
    "per-decision IS": "PD-IS",
    "weighted IS": "WIS",
    "per-decision WIS": "PD-WIS",
}
#: Seed of the ground-truth simulation (``evaluate_policy``'s default): every policy is judged
#: on the same simulated users (common random numbers).
TRUTH_SEED = 12345


# --------------------------------------------------------------------------------------------
# Vectorised estimators


def batched_estimates(pi, mu, rewards, gamma: float = 1.0, mask=None) -> dict[str, np.ndarray]:
    """The four estimators of :mod:`offrl.estimators` on arrays of shape ``(..., n, T)``.

    Returns ``{name: values}`` with ``values`` of shape ``(...)`` (one estimate per leading
    index) and ``"ess"``, Kish's effective sample size of the trajectory weights. ``mask``
    (default: every step real) marks the real steps. Where a weighted estimator is undefined
    (all weights 0) the value is NaN instead of an error, so a sweep keeps going.
    """
    pi = np.asarray(pi, dtype=np.float64)
    mu = np.asarray(mu, dtype=np.float64)
    r = np.asarray(rewards, dtype=np.float64)
    if not (pi.shape == mu.shape == r.shape):
        raise ValueError(
            f"pi, mu and rewards must have one shape, got {pi.shape}, {mu.shape}, {r.shape}"
        )
    m = np.ones(pi.shape, bool) if mask is None else np.asarray(mask, bool)
    m = np.broadcast_to(m, pi.shape)
    rho = np.where(m, pi / np.where(m, mu, 1.0), 1.0)
    w = np.cumprod(rho, axis=-1)
    W = w[..., -1]
    disc = np.where(m, discounts(pi.shape[-1], gamma), 0.0)
    r = np.where(m, r, 0.0)
    G = np.sum(disc * r, axis=-1)
    n = pi.shape[-2]
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        out["trajectory IS"] = np.mean(W * G, axis=-1)
        out["per-decision IS"] = np.mean(np.sum(disc * w * r, axis=-1), axis=-1)
        total = W.sum(axis=-1)
        out["weighted IS"] = np.where(total > 0, np.sum(W * G, axis=-1) / total, np.nan)
        wbar = np.where(m, w, 0.0).sum(axis=-2, keepdims=True) / m.sum(axis=-2, keepdims=True)
        undefined = np.any((wbar <= 0) & (m.sum(axis=-2, keepdims=True) > 0), axis=(-2, -1))
        pdwis = np.sum(np.where(m, disc * w / wbar * r, 0.0), axis=(-2, -1)) / n
        out["per-decision WIS"] = np.where(undefined, np.nan, pdwis)
        sq = np.sum(W**2, axis=-1)
        out["ess"] = np.where(sq > 0, W.sum(axis=-1) ** 2 / sq, 0.0)
    return out


# --------------------------------------------------------------------------------------------
# Ground truth and the estimates-vs-truth table


def _name(policy) -> str:
    return getattr(policy, "name", None) or repr(policy)


def true_values(
    policies: dict[str, Policy],
    config: EnvConfig,
    num_episodes: int = 2000,
    seed: int = TRUTH_SEED,
    gamma: float = 1.0,
) -> dict[str, PolicyValue]:
    """``{name: evaluate_policy(policy)}``: each policy's value measured in the simulator."""
    return {
        name: evaluate_policy(p, config, num_episodes=num_episodes, seed=seed, gamma=gamma)
        for name, p in policies.items()
    }


def _reference_estimates(episodes: Episodes, pi: np.ndarray, gamma: float) -> dict[str, float]:
    """The reference estimators' values (NaN where one is undefined) and the ESS."""
    out = {}
    for cls in ESTIMATORS:
        est = cls(gamma)
        try:
            e = est.estimate(episodes, pi)
            out[est.name] = e.value
            out["ess"] = e.ess
        except OPEError:
            out[est.name] = float("nan")
    return out


def estimates_vs_truth(
    episodes: Episodes,
    policies: dict[str, Policy],
    config: EnvConfig,
    truths: dict[str, PolicyValue] | None = None,
    gamma: float = 1.0,
):
    """A table (pandas DataFrame, one row per policy) of the simulator's true value, the four
    reference estimates from ``episodes``, their relative errors in percent
    (``100 * (estimate - truth) / |truth|``) and the ESS of the trajectory weights.

    A weighted estimate that is undefined (no logged episode has a non-zero weight, e.g. a
    deterministic target that disagrees with every logged episode somewhere) shows as NaN.
    ``truths`` defaults to :func:`true_values` of ``policies``.
    """
    import pandas as pd

    truths = truths if truths is not None else true_values(policies, config, gamma=gamma)
    rows = {}
    for name, policy in policies.items():
        truth = truths[name]
        if truth.gamma != gamma:
            raise ValueError(
                f"the truth of {name!r} was measured with gamma={truth.gamma}, not {gamma}"
            )
        est = _reference_estimates(episodes, target_action_probs(policy, episodes), gamma)
        row = {"true value": truth.mean, "± (s.e.)": truth.stderr}
        for key in ESTIMATOR_NAMES:
            row[SHORT[key]] = est[key]
        for key in ESTIMATOR_NAMES:
            row[f"{SHORT[key]} err %"] = 100.0 * (est[key] - truth.mean) / abs(truth.mean)
        row["ESS"] = est["ess"]
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    return table


def intervals_vs_truth(
    episodes: Episodes,
    policies: dict[str, Policy],
    config: EnvConfig,
    truths: dict[str, PolicyValue] | None = None,
    level: float = 0.95,
    gamma: float = 1.0,
):
    """Each reference estimate with its standard error and normal confidence interval (see
    :meth:`offrl.estimators.Estimate.interval`) beside the simulator's true value: a pandas
    DataFrame indexed by (policy, estimator) with columns ``estimate``, ``s.e.``, ``low``,
    ``high``, ``true value``, ``covers truth`` (bool; False where the estimate is undefined)
    and ``ESS``. An undefined weighted estimate shows as NaN."""
    import pandas as pd

    truths = truths if truths is not None else true_values(policies, config, gamma=gamma)
    rows = {}
    for name, policy in policies.items():
        truth = truths[name]
        if truth.gamma != gamma:
            raise ValueError(
                f"the truth of {name!r} was measured with gamma={truth.gamma}, not {gamma}"
            )
        pi = target_action_probs(policy, episodes)
        for cls in ESTIMATORS:
            est = cls(gamma)
            try:
                e = est.estimate(episodes, pi)
                value, se, ess = e.value, e.stderr, e.ess
                low, high = e.interval(level)
            except OPEError:
                value = se = low = high = float("nan")
                ess = 0.0
            rows[(name, SHORT[est.name])] = {
                "estimate": value, "s.e.": se, "low": low, "high": high,
                "true value": truth.mean, "covers truth": bool(low <= truth.mean <= high),
                "ESS": ess,
            }  # fmt: skip
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["policy", "estimator"])
    return table


def rllib_comparison(
    episodes: Episodes,
    policies: dict[str, Policy],
    config: EnvConfig,
    truths: dict[str, PolicyValue] | None = None,
    gamma: float = 1.0,
    extra: dict | None = None,
):
    """RLlib's old-stack estimators beside :mod:`offrl`'s on the same log (pandas DataFrame,
    one row per policy).

    Columns: ``RLlib IS`` and ``RLlib WIS`` (RLlib's ``v_target``); then one column per entry
    of ``extra`` (``{label: f}`` with ``f(pi, mu, rewards, gamma) -> float``, e.g. a learner's
    own estimators; a ``NotImplementedError`` gives NaN); the :mod:`offrl` reference estimators
    ``traj-IS``, ``PD-IS``, ``WIS``, ``PD-WIS``; RLlib's ``v_gain`` of both estimators
    (``v_target / v_behavior``) and, when ``truths`` has a ``"behaviour"`` entry, the true gain
    ``truth(target) / truth(behaviour)``.

    RLlib rounds the target's probabilities to float32, so columns that compute the same
    estimator agree to about 1e-6 (relative), not exactly. Where an estimator divides 0 by 0 (a
    deterministic target with no overlap) the value is NaN; RLlib's and numpy's
    RuntimeWarnings are not shown.
    """
    import pandas as pd

    from offrl.rllib_ope import rllib_estimates

    rows = {}
    for name, policy in policies.items():
        pi = target_action_probs(policy, episodes)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            rl = rllib_estimates(episodes, policy, config, gamma=gamma)
            row = {"RLlib IS": rl["is"]["v_target"], "RLlib WIS": rl["wis"]["v_target"]}
            for label, fn in (extra or {}).items():
                try:
                    row[label] = float(fn(pi, episodes.action_prob, episodes.rewards, gamma))
                except NotImplementedError:
                    row[label] = float("nan")
        ours = _reference_estimates(episodes, pi, gamma)
        for key in ESTIMATOR_NAMES:
            row[SHORT[key]] = ours[key]
        row["v_gain IS"] = rl["is"]["v_gain"]
        row["v_gain WIS"] = rl["wis"]["v_gain"]
        if truths is not None and "behaviour" in truths:
            row["true gain"] = truths[name].mean / truths["behaviour"].mean
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    return table


# --------------------------------------------------------------------------------------------
# Sweeps: estimates against the truth as the log grows or the horizon lengthens


@dataclass
class Sweep:
    """Estimates from ``repeats`` independent simulated logs at each value of ``x``.

    ``estimates[name]`` and ``ess`` have shape ``(repeats, len(x))``; ``truth`` and
    ``behaviour_value`` (the behaviour policy's true value, where weighted estimators are
    pulled) have shape ``(len(x),)``. ``num_episodes`` has shape ``(len(x),)``.
    """

    x: np.ndarray
    xlabel: str
    truth: np.ndarray
    behaviour_value: np.ndarray
    estimates: dict[str, np.ndarray]
    ess: np.ndarray
    num_episodes: np.ndarray
    policy_name: str = "target"

    @property
    def repeats(self) -> int:
        return self.ess.shape[0]

    def summary(self, estimators=None, stats=("median", "RMSE")):
        """pandas DataFrame, one row per ``x``: the truth, for each estimator the requested
        ``stats`` over the repeats (``"median"``, ``"RMSE"`` = root-mean-square error against
        the truth, ``"mean"``), and the median ESS of the trajectory weights."""
        import pandas as pd

        funcs = {
            "median": lambda e: np.nanmedian(e, axis=0),
            "mean": lambda e: np.nanmean(e, axis=0),
            "RMSE": lambda e: np.sqrt(np.nanmean((e - self.truth) ** 2, axis=0)),
        }
        unknown = set(stats) - set(funcs)
        if unknown:
            raise ValueError(f"unknown stats {sorted(unknown)}; known: {sorted(funcs)}")
        cols = {self.xlabel: self.x, "true value": self.truth}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            for name in estimators or list(self.estimates):
                for stat in stats:
                    cols[f"{SHORT.get(name, name)} {stat}"] = funcs[stat](self.estimates[name])
        cols["ESS (median)"] = np.median(self.ess, axis=0)
        return pd.DataFrame(cols).set_index(self.xlabel)

    def plot(self, ax=None, estimators=None, band=(10, 90), logx=True, relative=False, ylim=None,
             title=None, legend=True):  # fmt: skip
        """Median and a percentile band (default 10-90 %) of each estimator over the repeats,
        the true value (black) and the behaviour policy's true value (grey, dashed).

        ``relative=True`` divides everything by the truth (the truth is then the line at 1),
        which puts horizons of very different values on one scale. Returns ``(fig, ax)``."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
        else:
            fig = ax.figure
        scale = self.truth if relative else np.ones_like(self.truth)
        names = estimators or list(self.estimates)
        lo, hi = band
        for name in names:
            e = self.estimates[name] / scale
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
                med = np.nanmedian(e, axis=0)
                low, high = np.nanpercentile(e, [lo, hi], axis=0)
            color = f"C{ESTIMATOR_NAMES.index(name)}" if name in ESTIMATOR_NAMES else None
            line = ax.plot(self.x, med, "o-", color=color, ms=3, label=name)[0]
            ax.fill_between(self.x, low, high, color=line.get_color(), alpha=0.15, lw=0)
        ax.plot(self.x, self.truth / scale, "k-", lw=2, label="truth (simulator)")
        ax.plot(self.x, self.behaviour_value / scale, "--", color="grey",
                label="behaviour's true value")  # fmt: skip
        if logx:
            ax.set_xscale("log")
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel("estimate / truth" if relative else "estimated value")
        ax.set_title(title or f"{self.policy_name}: median and {lo}-{hi} % of {self.repeats} logs")
        if legend:
            ax.legend(fontsize=8)
        return fig, ax

    def plot_ess(self, ax=None, label=None, fraction=True):
        """The median ESS of the trajectory weights (as a fraction of ``n`` by default) against
        ``x``, on log axes. Returns ``(fig, ax)``."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
        else:
            fig = ax.figure
        y = np.median(self.ess, axis=0) / (self.num_episodes if fraction else 1.0)
        ax.plot(self.x, y, "o-", ms=3, label=label or self.policy_name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel("median ESS / n" if fraction else "median ESS")
        return fig, ax


def _value(given, policy, config, num_episodes, gamma) -> float:
    """``given`` as a float (checked against ``gamma`` if a PolicyValue), else measured."""
    if given is None:
        return evaluate_policy(policy, config, num_episodes, seed=TRUTH_SEED, gamma=gamma).mean
    if isinstance(given, PolicyValue):
        if given.gamma != gamma:
            raise ValueError(
                f"a true value measured with gamma={given.gamma} given for gamma={gamma}"
            )
        return given.mean
    return float(given)


def _spawn(seed, k):
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(k)]


def sweep_num_episodes(
    target: Policy,
    config: EnvConfig,
    sizes=(2, 5, 10, 20, 50, 100, 200, 500, 1000),
    repeats: int = 20,
    horizon: int | None = None,
    behaviour: Policy | None = None,
    gamma: float = 1.0,
    seed: int = 0,
    truth_episodes: int = 2000,
    policy_name: str | None = None,
    truth: PolicyValue | float | None = None,
    behaviour_value: PolicyValue | float | None = None,
) -> Sweep:
    """Estimates of ``target``'s value from logs of ``sizes`` episodes (``repeats`` logs each).

    Each repeat simulates one log of ``max(sizes)`` episodes of ``horizon`` steps (default
    ``config.max_steps``) under ``behaviour`` (default: the course's behaviour policy) and
    estimates from its first ``n`` episodes for every ``n`` in ``sizes``, so each curve follows
    one log as it grows. Only one log is in memory at a time.

    The true values of the target and the behaviour policy are measured with
    ``evaluate_policy(..., truth_episodes)`` unless given as ``truth`` / ``behaviour_value``
    (e.g. from :func:`true_values`, to save simulating them again; they must be for the same
    horizon and discount).
    """
    sizes = np.array(sorted(int(s) for s in sizes))
    if sizes[0] < 1:
        raise ValueError(f"sizes must be >= 1, got {sizes[0]}")
    if horizon is not None:
        config = dataclasses.replace(config, max_steps=int(horizon))
    behaviour = behaviour or behaviour_policy(config)
    truth = _value(truth, target, config, truth_episodes, gamma)
    bvalue = _value(behaviour_value, behaviour, config, truth_episodes, gamma)
    est = {k: np.empty((repeats, len(sizes))) for k in ESTIMATOR_NAMES}
    ess = np.empty((repeats, len(sizes)))
    for r, s in enumerate(_spawn(seed, repeats)):
        eps = Episodes.from_rollouts(rollout(behaviour, int(sizes[-1]), config, seed=s))
        pi = target_action_probs(target, eps)
        for j, n in enumerate(sizes):
            out = batched_estimates(pi[:n], eps.action_prob[:n], eps.rewards[:n], gamma)
            for k in ESTIMATOR_NAMES:
                est[k][r, j] = out[k]
            ess[r, j] = out["ess"]
    return Sweep(
        x=sizes, xlabel=f"logged episodes n ({config.max_steps} steps each)",
        truth=np.full(len(sizes), truth), behaviour_value=np.full(len(sizes), bvalue),
        estimates=est, ess=ess, num_episodes=sizes.astype(float),
        policy_name=policy_name or _name(target),
    )  # fmt: skip


def _partial_values(policy, config, horizons, num_episodes, gamma) -> np.ndarray:
    """True value of ``policy`` over the first ``H`` steps, for each ``H`` in ``horizons``
    (one simulation of ``max(horizons)`` steps: truncating an episode does not change its
    first ``H`` steps)."""
    cfg = dataclasses.replace(config, max_steps=int(max(horizons)))
    r = rollout(policy, num_episodes, cfg, seed=TRUTH_SEED).rewards.astype(np.float64)
    partial = np.cumsum(r * discounts(r.shape[1], gamma), axis=1).mean(axis=0)
    return partial[np.asarray(horizons) - 1]


def sweep_horizon(
    target: Policy,
    config: EnvConfig,
    horizons=(1, 2, 5, 10, 20, 50, 100),
    num_episodes: int = 50,
    repeats: int = 100,
    behaviour: Policy | None = None,
    gamma: float = 1.0,
    seed: int = 0,
    truth_episodes: int = 2000,
    policy_name: str | None = None,
) -> Sweep:
    """Estimates of ``target``'s value over horizons ``H`` from ``repeats`` logs of
    ``num_episodes`` episodes each.

    One set of ``repeats * num_episodes`` episodes of ``max(horizons)`` steps is simulated; the
    estimate at horizon ``H`` uses each episode's first ``H`` steps, which are exactly what an
    ``H``-step episode would have been (the user's dynamics do not depend on the step count).
    The truth at ``H`` is the target's mean return over its first ``H`` steps.
    """
    horizons = np.array(sorted(int(h) for h in horizons))
    if horizons[0] < 1:
        raise ValueError(f"horizons must be >= 1, got {horizons[0]}")
    behaviour = behaviour or behaviour_policy(config)
    cfg = dataclasses.replace(config, max_steps=int(horizons[-1]))
    truth = _partial_values(target, cfg, horizons, truth_episodes, gamma)
    bvalue = _partial_values(behaviour, cfg, horizons, truth_episodes, gamma)
    eps = Episodes.from_rollouts(rollout(behaviour, repeats * num_episodes, cfg, seed=seed))
    T = int(horizons[-1])
    pi = target_action_probs(target, eps).reshape(repeats, num_episodes, T)
    mu = eps.action_prob.reshape(repeats, num_episodes, T)
    rew = eps.rewards.reshape(repeats, num_episodes, T)
    est = {k: np.empty((repeats, len(horizons))) for k in ESTIMATOR_NAMES}
    ess = np.empty((repeats, len(horizons)))
    for j, H in enumerate(horizons):
        out = batched_estimates(pi[..., :H], mu[..., :H], rew[..., :H], gamma)
        for k in ESTIMATOR_NAMES:
            est[k][:, j] = out[k]
        ess[:, j] = out["ess"]
    return Sweep(
        x=horizons, xlabel="horizon H (steps per episode)", truth=truth, behaviour_value=bvalue,
        estimates=est, ess=ess, num_episodes=np.full(len(horizons), float(num_episodes)),
        policy_name=policy_name or _name(target),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Pictures


def plot_cumulative_weights(pi, mu, ax=None, max_episodes: int = 20, title: str | None = None):
    """``log10 w_it`` against ``t`` for the first ``max_episodes`` episodes: the cumulative
    importance weight is a product, so its logarithm is a random walk that drifts down
    (``E_mu[log rho] = -KL(mu || pi) <= 0``) while a few walks wander far up. A weight of 0
    (the target never takes a logged action) ends its line. Returns ``(fig, ax)``."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    else:
        fig = ax.figure
    with np.errstate(divide="ignore"):
        logw = np.log10(np.cumprod(np.asarray(pi, float) / np.asarray(mu, float), axis=-1))
    logw = logw[:max_episodes]
    t = np.arange(1, logw.shape[1] + 1)
    for row in logw:
        ax.plot(t, row, lw=0.8, alpha=0.7)
    ax.axhline(0.0, color="k", lw=1)
    ax.set_xlabel("step t")
    ax.set_ylabel("log10 of the cumulative weight $w_t$")
    if title:
        ax.set_title(title)
    return fig, ax


# --------------------------------------------------------------------------------------------
# Small inputs for tests


def synthetic_episodes(rewards, action_prob, mask=None, actions=None, obs_dim: int = 1) -> Episodes:
    """An :class:`Episodes` holding given ``rewards`` and behaviour probabilities (shape
    ``(n, T)``), with zero observations; padding (outside ``mask``) gets reward 0 and
    probability 1 as in loaded logs. For feeding hand-made cases to :mod:`offrl.estimators`."""
    r = np.asarray(rewards, dtype=np.float64)
    p = np.asarray(action_prob, dtype=np.float64)
    if r.ndim != 2 or r.shape != p.shape:
        raise ValueError(
            f"rewards and action_prob must be 2-D of one shape, got {r.shape}, {p.shape}"
        )
    n, T = r.shape
    m = np.ones((n, T), bool) if mask is None else np.asarray(mask, bool)
    a = np.zeros((n, T), np.int64) if actions is None else np.asarray(actions, np.int64)
    lengths = m.sum(axis=1)
    truncateds = np.zeros((n, T), bool)
    truncateds[np.arange(n)[lengths > 0], lengths[lengths > 0] - 1] = True
    return Episodes(
        eps_id=np.arange(n), obs=np.zeros((n, T, obs_dim), np.float32), actions=np.where(m, a, 0),
        rewards=np.where(m, r, 0.0), new_obs=np.zeros((n, T, obs_dim), np.float32),
        terminateds=np.zeros((n, T), bool), truncateds=truncateds,
        action_prob=np.where(m, p, 1.0), mask=m, line=np.zeros((n, T), np.int64),
    )  # fmt: skip


@dataclass(frozen=True)
class OPECase:
    """A random off-policy evaluation problem: arrays ``pi``, ``mu``, ``rewards``, ``mask``
    (shape ``(n, T)``, padding as in loaded logs) and the same data as ``episodes``."""

    pi: np.ndarray
    mu: np.ndarray
    rewards: np.ndarray
    mask: np.ndarray
    episodes: Episodes


def random_case(
    seed: int, n: int = 20, T: int = 8, num_actions: int = 3, ragged: bool = False
) -> OPECase:
    """Random stochastic behaviour and target policies over ``num_actions`` actions; the logged
    action of each step is drawn from the behaviour; rewards uniform in [0, 1]. With ``ragged``
    episodes have random lengths 1..T (padded)."""
    rng = np.random.default_rng(seed)
    mu_all = rng.dirichlet(np.ones(num_actions), size=(n, T))
    pi_all = rng.dirichlet(np.ones(num_actions), size=(n, T))
    u = rng.random((n, T, 1))
    a = np.minimum((u > np.cumsum(mu_all, axis=-1)).sum(axis=-1), num_actions - 1)
    mu = np.take_along_axis(mu_all, a[..., None], axis=-1)[..., 0]
    pi = np.take_along_axis(pi_all, a[..., None], axis=-1)[..., 0]
    rewards = rng.random((n, T))
    if ragged:
        lengths = rng.integers(1, T + 1, size=n)
        mask = np.arange(T) < lengths[:, None]
    else:
        mask = np.ones((n, T), bool)
    eps = synthetic_episodes(rewards, mu, mask, actions=a)
    return OPECase(
        pi=np.where(mask, pi, 1.0), mu=eps.action_prob, rewards=eps.rewards, mask=mask, episodes=eps
    )


@dataclass(frozen=True)
class WeightsCase:
    """Inputs for an estimator written from cumulative weights: ``w`` and ``rewards`` of shape
    ``(n, T)`` (padding after an episode's end repeats its last weight and has reward 0, as
    :func:`offrl.estimators.cumulative_weights` and loaded logs give), the discount ``gamma``,
    and ``expected``: :func:`batched_estimates` of the same data (float64), with ``rtol`` the
    relative tolerance a right answer meets (``what`` says what the case is about)."""

    what: str
    w: np.ndarray
    rewards: np.ndarray
    gamma: float
    rtol: float
    expected: dict


def weights_cases(seed: int = 0) -> list[WeightsCase]:
    """Cases for lesson 05's estimators: random policies with ragged episodes (one episode, one
    step, up to 30 steps), weights from about 1e-70 to 1e8 over 40 steps, a total of the weights
    around 1e-65, one dominant weight, weights that are exactly 0, and float32 inputs.

    float64 cases agree to 1e-9 (any order of summing at most a few thousand terms is exact to
    ~1e-13); float32 cases to 1e-5: a float32 sum of at most 40 rewards in [0, 1] and products
    of float32 numbers are exact to ~40 * 2**-24 = 2.4e-6 relative."""
    rng = np.random.default_rng(seed)
    cases = []

    def add(what, rho, rewards, gamma, mask=None, dtype=np.float64):
        rho = np.asarray(rho, np.float64)
        m = np.ones(rho.shape, bool) if mask is None else mask
        rho = np.where(m, rho, 1.0)
        r = np.where(m, np.asarray(rewards, np.float64), 0.0)
        w = np.cumprod(rho, axis=1)
        if dtype == np.float32:  # the reference sees the float32 values the answer sees
            w, r = w.astype(np.float32), r.astype(np.float32)
            ref = batched_estimates(_ratios_of(w), np.ones(w.shape), r.astype(np.float64), gamma, m)
        else:
            ref = batched_estimates(rho, np.ones_like(rho), r, gamma, m)
        rtol = 1e-5 if dtype == np.float32 else 1e-9
        expected = {k: float(v) for k, v in ref.items()}
        cases.append(WeightsCase(what, w, r, float(gamma), rtol, expected))

    for k, (n, T, ragged, gamma) in enumerate(
        [(1, 1, False, 1.0), (1, 6, False, 0.9), (4, 1, False, 0.5), (9, 6, True, 1.0),
         (20, 12, True, 0.99), (7, 30, True, 0.0), (15, 5, False, 0.5)]
    ):  # fmt: skip
        c = random_case(seed * 100 + k, n=n, T=T, ragged=ragged)
        add(f"random policies, {n} episode(s) of up to {T} step(s)"
            + (" with unequal lengths (padding)" if ragged else "") + f", gamma={gamma}",
            c.pi / c.mu, c.rewards, gamma, c.mask)  # fmt: skip
    n, T = 10, 40
    walk = 10 ** rng.uniform(-0.3, 0.3, size=(n, T))
    rewards = rng.random((n, T))
    lengths = rng.integers(1, T + 1, size=n)
    ragged = np.arange(T) < lengths[:, None]
    scales = 10.0 ** np.array([-70, 6, 5.5, -35, -70, 0, 6, -70, -20, 5.8])
    rho = walk.copy()
    rho[:, 0] *= scales
    add("weights from about 1e-70 to 1e8", rho, rewards, 1.0)
    add("weights from about 1e-70 to 1e8, unequal lengths, gamma=0.9", rho, rewards, 0.9, ragged)
    rho = walk.copy()
    rho[:, 0] *= 10.0 ** rng.uniform(-75, -62, size=n)
    add("every weight below 1e-60 (a tiny total, as for far policies over 100 steps)",
        rho, rewards, 1.0)  # fmt: skip
    rho = walk.copy()
    rho[0, 0] *= 1e6
    add("one weight a million times the others", rho, rewards, 0.95)
    rho = walk.copy()
    rho[::2, 3] = 0.0
    add("half the weights exactly 0 (the target never takes a logged action)", rho, rewards, 1.0)
    rho = 10 ** rng.uniform(-0.5, 0.5, size=(12, 20))
    add("float32 inputs", rho, rng.random((12, 20)), 0.9, dtype=np.float32)
    add("float32 inputs, unequal lengths", rho, rng.random((12, 20)), 1.0,
        np.arange(20) < rng.integers(1, 21, size=12)[:, None], dtype=np.float32)  # fmt: skip
    return cases


def _ratios_of(w: np.ndarray) -> np.ndarray:
    """Per-step ratios whose cumulative product is ``w`` (float64; 0 stays 0)."""
    w = np.asarray(w, np.float64)
    prev = np.concatenate([np.ones((w.shape[0], 1)), w[:, :-1]], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prev > 0, w / np.where(prev > 0, prev, 1.0), 0.0)


__all__ = [
    "ESTIMATOR_NAMES",
    "OPECase",
    "SHORT",
    "Sweep",
    "batched_estimates",
    "estimates_vs_truth",
    "intervals_vs_truth",
    "plot_cumulative_weights",
    "random_case",
    "rllib_comparison",
    "sweep_horizon",
    "sweep_num_episodes",
    "synthetic_episodes",
    "true_values",
    "weights_cases",
    "WeightsCase",
]
