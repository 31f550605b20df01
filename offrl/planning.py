"""The best any recommender can do: dynamic programming on a grid of sugar levels.

The simulator's state that matters for the future is the user's sugar level ``s`` and the step
``t`` (the candidates are drawn afresh every step, independently of everything else). So the
optimal expected return from step ``t`` with sugar ``s``, *before* the candidates are drawn, obeys

    V_T(s) = 0
    V_t(s) = E_x[ max_a  (1 - s) x_a + V_{t+1}(alpha s + (1 - alpha) x_a) ]

where ``x = (x_1 .. x_K)`` are ``K`` independent uniform sweetness values. :func:`plan` solves it
backwards on a grid of sugar levels (linear interpolation between grid points) with the
expectation taken over a grid of sweetness values: the expected maximum of ``K`` independent
draws of ``f(x)`` is, for ``x`` uniform on ``M`` equally spaced points,
``sum_j f_(j) ((j/M)^K - ((j-1)/M)^K)`` with ``f_(1) <= ... <= f_(M)`` sorted.

:class:`PlannedPolicy` acts greedily with respect to the planned values. It needs the step
``t`` and the sugar level, neither of which a ``"sweetness"`` observation holds; it *remembers*
both (its own past recommendations give the sugar level exactly), so it works in every
observation mode: a history-dependent policy. :meth:`PlannedPolicy.reset` starts new users;
:func:`offrl.simulator.rollout` calls it before the first step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from offrl.env import EnvConfig

__all__ = ["Plan", "PlannedPolicy", "plan"]


@dataclass(frozen=True)
class Plan:
    """Optimal values on a sugar grid.

    Attributes:
        config: the recommender planned for (its ``obs_mode`` does not matter).
        sugar_grid: sugar levels, shape ``(S,)``, from 0 to 1.
        values: ``values[t, i]`` is the optimal expected return from step ``t`` on, for a user
            with sugar ``sugar_grid[i]`` before the step's candidates are drawn; shape
            ``(max_steps + 1, S)``, ``values[max_steps] = 0``.
    """

    config: EnvConfig
    sugar_grid: np.ndarray
    values: np.ndarray

    @property
    def start_value(self) -> float:
        """The optimal expected return of a whole episode (sugar 0 at the start)."""
        return float(self.values[0, 0])

    def value(self, t: int, sugar) -> np.ndarray:
        """``V_t(sugar)`` by linear interpolation on the grid (elementwise on ``sugar``)."""
        return np.interp(sugar, self.sugar_grid, self.values[t])

    def scores(self, t: int, sugar, sweetness) -> np.ndarray:
        """What recommending each item is worth at step ``t``: its reward now plus the optimal
        value of the sugar level it leads to. ``sugar`` shape ``(n,)``, ``sweetness`` shape
        ``(n, K)``; returns shape ``(n, K)``."""
        alpha = self.config.alpha
        sugar = np.asarray(sugar, dtype=np.float64)[:, None]
        x = np.asarray(sweetness, dtype=np.float64)
        return (1.0 - sugar) * x + self.value(t + 1, alpha * sugar + (1.0 - alpha) * x)


def plan(config: EnvConfig | None = None, num_sugar: int = 201, num_sweetness: int = 200) -> Plan:
    """Solve the Bellman equation above backwards from the last step (see the module docstring).

    ``num_sugar`` grid points for the sugar level and ``num_sweetness`` for the sweetness
    values: with the defaults (a tenth of a second) the start value of the course's recommender
    is within 1e-3 of an 8x finer grid's (tests/test_planning.py).
    """
    config = config or EnvConfig()
    if num_sugar < 2 or num_sweetness < 1:
        raise ValueError("need num_sugar >= 2 and num_sweetness >= 1")
    k, alpha, steps = config.num_candidates, float(config.alpha), config.max_steps
    grid = np.linspace(0.0, 1.0, num_sugar)
    x = (np.arange(num_sweetness) + 0.5) / num_sweetness  # midpoints of M equal cells of [0, 1]
    cdf = (np.arange(num_sweetness + 1) / num_sweetness) ** k
    weights = np.diff(cdf)  # P(the max of K draws is the j-th smallest value)
    reward = (1.0 - grid)[:, None] * x[None, :]  # (S, M)
    next_sugar = alpha * grid[:, None] + (1.0 - alpha) * x[None, :]
    values = np.zeros((steps + 1, num_sugar))
    for t in range(steps - 1, -1, -1):
        f = reward + np.interp(next_sugar, grid, values[t + 1])
        f.sort(axis=1)
        values[t] = f @ weights
    return Plan(config=config, sugar_grid=grid, values=values)


class PlannedPolicy:
    """Recommends, at every step, the item with the highest planned score
    (:meth:`Plan.scores`): the optimal policy up to the grid's resolution.

    It reads only the candidates' sweetness (the first ``num_candidates`` entries of each
    observation) and remembers the step and each user's sugar level, which it updates from its
    own recommendations with the simulator's dynamics. Deterministic: probability 1 on its
    choice, so what it remembers is what the simulator did. Call :meth:`reset` before new users
    (``offrl.rollout`` and ``offrl.evaluate_policy`` do).
    """

    def __init__(self, config: EnvConfig, solved: Plan | None = None):
        self.config = config
        self.plan = solved if solved is not None else plan(config)
        if self.plan.config.num_candidates != config.num_candidates or (
            self.plan.config.alpha != config.alpha or self.plan.config.max_steps < config.max_steps
        ):
            raise ValueError("the plan was made for another recommender (K, alpha or max_steps)")
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next call starts new users at step 0 with sugar 0."""
        self.t = 0
        self.sugar: np.ndarray | None = None
        self._chosen: np.ndarray | None = None

    def __call__(self, obs):
        sweetness = np.asarray(obs, dtype=np.float64)[:, : self.config.num_candidates]
        n = len(sweetness)
        if self.sugar is None:
            self.sugar = np.zeros(n)
        else:
            if len(self._chosen) != n:
                raise ValueError("a new batch of users: call reset() first")
            alpha = self.config.alpha
            self.sugar = alpha * self.sugar + (1.0 - alpha) * self._chosen
            self.t += 1
        t = min(self.t, self.plan.values.shape[0] - 2)
        best = np.argmax(self.plan.scores(t, self.sugar, sweetness), axis=1)
        self._chosen = sweetness[np.arange(n), best]
        probs = np.zeros_like(sweetness)
        probs[np.arange(n), best] = 1.0
        return probs

    def __repr__(self):
        return "PlannedPolicy()"
