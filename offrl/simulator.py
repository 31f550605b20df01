"""A vectorised simulator: thousands of users stepped at once in numpy.

:class:`VectorRecommender` has the same dynamics as :class:`offrl.env.CandyRecommenderEnv` (both
call :func:`offrl.env.transition`, in float32) and the same random stream: with one user and the
same seed it reproduces the gymnasium environment step by step. It is used for

* ground truth: :func:`evaluate_policy` gives a policy's true value (mean return and its
  standard error) from many simulated episodes;
* fast data generation: :func:`rollout` records the trajectories of a stochastic policy together
  with the probabilities of the actions it took.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from offrl.env import EnvConfig, transition
from offrl.policies import Policy, sample_actions


class VectorRecommender:
    """``num_envs`` independent users with batched ``reset``/``step``.

    Observations have shape ``(num_envs, obs_dim)``; all episodes have ``max_steps`` steps, so
    they start and end together.
    """

    def __init__(self, config: EnvConfig | None = None, num_envs: int = 1):
        self.config = config or EnvConfig()
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        self.num_envs = int(num_envs)
        self.rng = np.random.default_rng()
        self.t = 0

    def _draw(self) -> None:
        k = self.config.num_candidates
        self.sweetness = self.rng.random((self.num_envs, k)).astype(np.float32)

    def _obs(self) -> np.ndarray:
        return self.config.observe(self.sweetness, self.sugar, self.history)

    def reset(self, seed: int | np.random.SeedSequence | None = None) -> np.ndarray:
        self.rng = np.random.default_rng(seed)
        self.t = 0
        self.sugar = np.zeros(self.num_envs, dtype=np.float32)
        self.history = np.zeros((self.num_envs, self.config.history_len), dtype=np.float32)
        self._draw()
        return self._obs()

    def step(self, actions: np.ndarray):
        """Recommend ``actions[i]`` to user ``i``; returns ``(obs, rewards, truncated)``."""
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,) or not np.issubdtype(actions.dtype, np.integer):
            raise ValueError(f"actions must be {self.num_envs} integers, got {actions!r}")
        if actions.min() < 0 or actions.max() >= self.config.num_candidates:
            raise ValueError(f"actions must lie in [0, {self.config.num_candidates})")
        chosen = self.sweetness[np.arange(self.num_envs), actions]
        rewards, self.sugar = transition(self.sugar, chosen, np.float32(self.config.alpha))
        self.history = np.concatenate([chosen[:, None], self.history[:, :-1]], axis=1)
        self.t += 1
        self._draw()
        return self._obs(), rewards, self.t >= self.config.max_steps


@dataclass
class Rollouts:
    """Trajectories of ``n`` episodes of ``T`` steps, as arrays with leading axes ``(n, T)``.

    ``obs[:, t]`` is the observation before step ``t``; ``next_obs[:, t]`` the one after.
    ``action_prob[:, t]`` is the probability the policy gave to the action it took; ``sugar``
    is the hidden sugar level *before* step ``t``.
    """

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_obs: np.ndarray
    action_prob: np.ndarray
    sugar: np.ndarray

    def returns(self, gamma: float = 1.0) -> np.ndarray:
        """Discounted return of every episode, ``G = sum_t gamma**t r_t``, shape ``(n,)``."""
        discounts = gamma ** np.arange(self.rewards.shape[1])
        return self.rewards.astype(np.float64) @ discounts


def _seeds(seed):
    env_seed, action_seed = np.random.SeedSequence(seed).spawn(2)
    return env_seed, np.random.default_rng(action_seed)


def rollout(
    policy: Policy,
    num_episodes: int,
    config: EnvConfig | None = None,
    seed: int | None = 0,
    progress: bool = False,
) -> Rollouts:
    """Run ``policy`` for ``num_episodes`` full episodes at once and record everything.

    Actions are sampled from the policy's probabilities with a random stream separate from the
    environment's, both derived from ``seed``.
    """
    config = config or EnvConfig()
    env = VectorRecommender(config, num_episodes)
    env_seed, action_rng = _seeds(seed)
    obs = env.reset(env_seed)
    n, T, d = num_episodes, config.max_steps, config.obs_dim
    out = Rollouts(
        obs=np.empty((n, T, d), np.float32),
        actions=np.empty((n, T), np.int64),
        rewards=np.empty((n, T), np.float32),
        next_obs=np.empty((n, T, d), np.float32),
        action_prob=np.empty((n, T), np.float64),
        sugar=np.empty((n, T), np.float32),
    )
    steps = range(T)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"simulating {n} episodes", unit="step")
    rows = np.arange(n)
    for t in steps:
        probs = np.asarray(policy(obs))
        actions = sample_actions(probs, action_rng)
        out.obs[:, t] = obs
        out.sugar[:, t] = env.sugar
        out.actions[:, t] = actions
        out.action_prob[:, t] = probs[rows, actions]
        obs, rewards, _ = env.step(actions)
        out.rewards[:, t] = rewards
        out.next_obs[:, t] = obs
    return out


@dataclass(frozen=True)
class PolicyValue:
    """A policy's value measured in the simulator: mean return over episodes and its standard
    error ``std / sqrt(n)``."""

    mean: float
    stderr: float
    num_episodes: int
    gamma: float = 1.0

    def __str__(self):
        return f"{self.mean:.3f} ± {self.stderr:.3f}"


def evaluate_policy(
    policy: Policy,
    config: EnvConfig | None = None,
    num_episodes: int = 2000,
    seed: int | None = 12345,
    gamma: float = 1.0,
) -> PolicyValue:
    """Ground truth: the policy's mean (discounted) return over ``num_episodes`` simulated users.

    Using the same ``seed`` for two policies gives them the same users and candidate draws at the
    start (common random numbers), which makes their difference more precise.
    """
    returns = rollout(policy, num_episodes, config, seed=seed).returns(gamma)
    return PolicyValue(
        mean=float(returns.mean()),
        stderr=float(returns.std(ddof=1) / np.sqrt(num_episodes)),
        num_episodes=num_episodes,
        gamma=gamma,
    )
