"""Small matplotlib helpers the lessons share.

Every function draws on the Axes it is given (``ax=...``) or on a new figure (with matplotlib's
constrained layout, so labels and outside legends fit), and returns
``(fig, ax)`` (``(fig, axes)`` for the two-panel :func:`episode_traces`), so a notebook can add
titles, lines or annotations afterwards. Nothing here calls ``plt.show()``: in a notebook with
``%matplotlib inline`` a figure appears at the end of the cell that made it.

* :func:`episode_traces`      - sugar level and reward over one episode, one line per policy.
* :func:`action_histogram`    - how often each action (item index) was chosen.
* :func:`value_histogram`     - distribution of rewards (or sweetness, returns, ...).
* :func:`returns_per_episode` - each episode's return, with the mean (and a reference value).
* :func:`policy_values`       - mean return ± a 95 % interval for several policies.

``matplotlib`` is imported here only (``import offrl`` does not need it).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

#: Multiplier of the standard error drawn as error bars by :func:`policy_values`: the normal
#: 95 % quantile, since a mean over thousands of episodes is close to normally distributed.
Z95 = 1.96


def _fig_ax(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure
    return fig, ax


def _trace_arrays(trace, episode: int) -> tuple[np.ndarray, np.ndarray]:
    """``(sugar, rewards)`` of one episode from a Rollouts-like object or a mapping."""
    if isinstance(trace, Mapping):
        try:
            sugar, rewards = trace["sugar"], trace["rewards"]
        except KeyError as e:
            raise KeyError(
                f"a trace mapping needs keys 'sugar' and 'rewards', missing {e}"
            ) from None
    else:
        sugar, rewards = trace.sugar, trace.rewards
    sugar, rewards = np.asarray(sugar, dtype=float), np.asarray(rewards, dtype=float)
    if sugar.ndim == 2:
        sugar = sugar[episode]
    if rewards.ndim == 2:
        rewards = rewards[episode]
    if sugar.ndim != 1 or rewards.ndim != 1:
        raise ValueError("sugar and rewards must be 1-D (one episode) or 2-D (episodes, steps)")
    if len(sugar) != len(rewards):
        raise ValueError(f"sugar has {len(sugar)} steps but rewards has {len(rewards)}")
    return sugar, rewards


def episode_traces(traces, episode: int = 0, *, steps: int | None = None, cumulative: bool = False,
                   axes=None, figsize=(9, 5), title=None):  # fmt: skip
    """Plot the sugar level (top) and the reward (bottom) over the steps of one episode.

    Args:
        traces: ``{label: trace}``, one line per label. A trace is either a
            :class:`offrl.simulator.Rollouts` (its ``sugar``, the hidden level *before* each step,
            and ``rewards``, both ``(episodes, steps)``) or a mapping with keys ``"sugar"`` and
            ``"rewards"`` holding 1-D arrays (one episode) or 2-D arrays.
        episode: which episode of a 2-D trace to draw.
        steps: draw only the first ``steps`` steps (default: all).
        cumulative: draw the cumulative reward ``sum_{t' <= t} r_t'`` instead of the reward, which
            shows where one policy pulls ahead of another over a long episode.
        axes: two Axes to draw on (sugar, reward); a new figure if ``None``.
        figsize: size of the new figure.
        title: optional figure title.

    The legend shows each episode's (undiscounted) return over all its steps.

    Returns:
        ``(fig, axes)`` with ``axes = [ax_sugar, ax_reward]``.
    """
    if not isinstance(traces, Mapping) or not traces:
        raise ValueError("traces must be a non-empty mapping {label: trace}")
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=figsize, sharex=True, layout="constrained")
    else:
        fig = axes[0].figure
    ax_sugar, ax_reward = axes[0], axes[1]
    for label, trace in traces.items():
        sugar, rewards = _trace_arrays(trace, episode)
        total = rewards.sum()
        shown = np.cumsum(rewards) if cumulative else rewards
        n = len(rewards) if steps is None else min(int(steps), len(rewards))
        t = np.arange(n)
        (line,) = ax_sugar.plot(t, sugar[:n], lw=1.5, marker="." if n <= 40 else None,
                                label=f"{label} (return {total:.1f})")  # fmt: skip
        ax_reward.plot(t, shown[:n], lw=1.5 if cumulative else 1, color=line.get_color(),
                       marker="." if n <= 40 else None, alpha=0.85)  # fmt: skip
    ax_sugar.set_ylabel("sugar level\n(before the step)")
    ax_sugar.set_ylim(-0.02, 1.02)
    ax_reward.set_ylabel("cumulative reward" if cumulative else "reward")
    ax_reward.set_xlabel("step t")
    ax_sugar.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    if title:
        fig.suptitle(title)
    return fig, np.array([ax_sugar, ax_reward])


def action_histogram(actions, num_actions: int | None = None, *, ax=None, label=None,
                     density: bool = True, width: float = 0.8, offset: float = 0.0,
                     figsize=(6, 3.5)):  # fmt: skip
    """Bar chart of how often each action was chosen.

    Args:
        actions: integer actions, any shape (flattened).
        num_actions: number of possible actions (bars for unused actions are drawn at 0);
            default ``max(actions) + 1``.
        ax: Axes to draw on; a new figure if ``None``.
        label: legend label (a legend is drawn when given).
        density: plot the fraction of choices (default) rather than counts.
        width, offset: bar width and horizontal shift, to put several histograms side by side.

    Returns:
        ``(fig, ax)``.
    """
    a = np.asarray(actions).ravel()
    if a.size == 0:
        raise ValueError("no actions to plot")
    if not np.issubdtype(a.dtype, np.integer):
        if not np.all(a == np.round(a)):
            raise ValueError("actions must be integers")
        a = a.astype(np.int64)
    if a.min() < 0:
        raise ValueError(f"actions must be >= 0, got {a.min()}")
    k = int(a.max()) + 1 if num_actions is None else int(num_actions)
    if a.max() >= k:
        raise ValueError(f"action {a.max()} is out of range for num_actions={k}")
    counts = np.bincount(a, minlength=k).astype(float)
    heights = counts / counts.sum() if density else counts
    fig, ax = _fig_ax(ax, figsize)
    ax.bar(np.arange(k) + offset, heights, width=width, label=label)
    ax.set_xticks(np.arange(k))
    ax.set_xlabel("action (item index)")
    ax.set_ylabel("fraction of steps" if density else "number of steps")
    if label is not None:
        ax.legend()
    return fig, ax


def value_histogram(values, bins=20, *, range=None, ax=None, label=None, xlabel="reward",
                    density: bool = False, alpha: float = 0.6, figsize=(6, 3.5)):  # fmt: skip
    """Histogram of scalar values: rewards, chosen sweetness, returns, ...

    Args:
        values: numbers, any shape (flattened); NaNs are left out.
        bins, range: as in ``numpy.histogram``.
        ax: Axes to draw on; a new figure if ``None``.
        label: legend label (a legend is drawn when given).
        xlabel: what the values are.
        density: normalise to a probability density (to compare samples of different sizes).
        alpha: bar transparency, so several histograms can overlap.

    Returns:
        ``(fig, ax)``.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    if v.size == 0:
        raise ValueError("no values to plot")
    fig, ax = _fig_ax(ax, figsize)
    ax.hist(v, bins=bins, range=range, density=density, alpha=alpha, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density" if density else "count")
    if label is not None:
        ax.legend()
    return fig, ax


def reward_histogram(rewards, bins=20, **kwargs):
    """:func:`value_histogram` of rewards (``xlabel="reward"``). Returns ``(fig, ax)``."""
    kwargs.setdefault("xlabel", "reward")
    return value_histogram(rewards, bins, **kwargs)


def returns_per_episode(returns, *, eps_ids=None, ax=None, label=None, reference=None,
                        reference_label="reference", figsize=(8, 3.5)):  # fmt: skip
    """Each episode's return as a dot, with their mean as a dashed line.

    Args:
        returns: one return per episode, shape ``(num_episodes,)``.
        eps_ids: the episodes' ids, written on the x axis when there are few episodes
            (default ``0..n-1``). Episodes are drawn in the given order at x = 0, 1, ...
        ax: Axes to draw on; a new figure if ``None``. Call again with the same ``ax`` and
            another ``label`` to compare two sets of episodes.
        label: name of this set of episodes (used in the legend).
        reference: an optional value to draw as a dotted line, e.g. the simulator's ground truth.
        reference_label: legend text of the reference line.

    Returns:
        ``(fig, ax)``; ``ax.lines`` holds the dots, the mean line and the reference line.
    """
    g = np.asarray(returns, dtype=float)
    if g.ndim != 1 or g.size == 0:
        raise ValueError(f"returns must be a non-empty 1-D array, got shape {g.shape}")
    x = np.arange(len(g)) if eps_ids is None else np.asarray(eps_ids)
    if len(x) != len(g):
        raise ValueError(f"{len(x)} eps_ids for {len(g)} returns")
    fig, ax = _fig_ax(ax, figsize)
    name = "" if label is None else f"{label}: "
    (dots,) = ax.plot(np.arange(len(g)), g, "o", ms=4, label=f"{name}return of each episode")
    ax.axhline(g.mean(), ls="--", color=dots.get_color(), label=f"{name}mean {g.mean():.2f}")
    if reference is not None:
        ax.axhline(float(reference), ls=":", color="black",
                   label=f"{reference_label} {float(reference):.2f}")  # fmt: skip
    if len(g) <= 25:
        ax.set_xticks(np.arange(len(g)), [str(v) for v in x])
    ax.set_xlabel("episode" if eps_ids is None else "episode (eps_id)")
    ax.set_ylabel("return")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig, ax


def _value_and_stderr(v) -> tuple[float, float]:
    if hasattr(v, "mean") and hasattr(v, "stderr"):  # offrl.simulator.PolicyValue, Estimate-like
        return float(v.mean), float(v.stderr)
    if hasattr(v, "value") and hasattr(v, "stderr"):  # offrl.estimators.Estimate
        return float(v.value), float(v.stderr)
    if isinstance(v, (tuple, list)) and len(v) == 2:
        return float(v[0]), float(v[1])
    return float(v), 0.0


def policy_values(values, *, ax=None, reference=None, reference_label="reference",
                  figsize=(7, None), xlabel="mean return per episode"):  # fmt: skip
    """Horizontal bars of several policies' values with 95 % error bars (± 1.96 standard errors).

    Args:
        values: ``{label: value}`` where a value is a :class:`offrl.simulator.PolicyValue`, an
            :class:`offrl.estimators.Estimate`, a ``(mean, stderr)`` pair or a plain number.
        ax: Axes to draw on; a new figure if ``None``.
        reference: an optional value to draw as a vertical dotted line (e.g. uniform random).
        reference_label: legend text of the reference line.
        figsize: ``(width, height)``; a height of ``None`` grows with the number of policies.

    Returns:
        ``(fig, ax)``.
    """
    if not isinstance(values, Mapping) or not values:
        raise ValueError("values must be a non-empty mapping {label: value}")
    labels = list(values)
    pairs = np.array([_value_and_stderr(values[k]) for k in labels])
    means, errs = pairs[:, 0], pairs[:, 1]
    if ax is None:
        w, h = figsize
        fig, ax = plt.subplots(
            figsize=(w, h if h is not None else 0.9 + 0.4 * len(labels)), layout="constrained"
        )
    else:
        fig = ax.figure
    y = np.arange(len(labels))
    ax.barh(y, means, xerr=Z95 * errs, alpha=0.75, capsize=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()  # first policy on top
    for yi, m in zip(y, means):
        ax.annotate(f"{m:.2f}", (m, yi), xytext=(6, 0), textcoords="offset points", va="center",
                    fontsize="small")  # fmt: skip
    if reference is not None:
        ax.axvline(float(reference), ls=":", color="black",
                   label=f"{reference_label} {float(reference):.2f}")  # fmt: skip
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_xlabel(xlabel)
    lo, hi = min(0.0, float((means - Z95 * errs).min())), float((means + Z95 * errs).max())
    ax.set_xlim(lo * 1.15, max(hi, 1e-9) * 1.15)  # room for the value labels
    return fig, ax
